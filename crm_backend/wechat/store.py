"""The WeChat channel's rows: claiming a delivered message once, its answer, the shared token
(locked while it is refreshed), customer-service deliveries, and OpenIDs linked to customers."""

from __future__ import annotations

from datetime import datetime
from typing import List, Optional, Tuple

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.core.db import insert_for
from crm_backend.core.models import (ChannelIdentity, WeChatAccessToken, WeChatDelivery,
                                     WeChatInbound)

CHANNEL = "wechat"


async def inbound(db: AsyncSession, key: str) -> Optional[WeChatInbound]:
    stmt = (select(WeChatInbound).where(WeChatInbound.dedupe_key == key)
            .execution_options(populate_existing=True))
    return (await db.execute(stmt)).scalar_one_or_none()


async def claim(db: AsyncSession, *, key: str, open_id: str, msg_type: str,
                now: datetime) -> Tuple[WeChatInbound, bool]:
    """The message's row and whether this call created it (only its creator answers it); a
    concurrent duplicate finds the winner's row (ON CONFLICT DO NOTHING)."""
    result = await db.execute(insert_for(db)(WeChatInbound.__table__).values(
        dedupe_key=key, open_id=open_id, msg_type=msg_type, status="processing",
        received_at=now).on_conflict_do_nothing(index_elements=["dedupe_key"]))
    row = await inbound(db, key)
    assert row is not None
    return row, result.rowcount == 1


async def lock_token(db: AsyncSession, app_id: str) -> WeChatAccessToken:
    """The account's token row, created when missing and locked until commit (PostgreSQL: FOR
    UPDATE; SQLite: the insert takes the write lock), so one caller refreshes at a time."""
    await db.execute(insert_for(db)(WeChatAccessToken.__table__).values(app_id=app_id)
                     .on_conflict_do_nothing(index_elements=["app_id"]))
    stmt = (select(WeChatAccessToken).where(WeChatAccessToken.app_id == app_id)
            .with_for_update().execution_options(populate_existing=True))
    return (await db.execute(stmt)).scalar_one()


def add_delivery(db: AsyncSession, *, open_id: str, inbound_key: str, content: str, status: str,
                 errcode: Optional[int], errmsg: Optional[str], now: datetime) -> WeChatDelivery:
    """Keep one customer-service message, sent or not."""
    row = WeChatDelivery(open_id=open_id, inbound_key=inbound_key, content=content, status=status,
                         errcode=errcode, errmsg=errmsg, created_at=now)
    db.add(row)
    return row


async def deliveries(db: AsyncSession, open_id: str, limit: int = 100) -> List[WeChatDelivery]:
    stmt = (select(WeChatDelivery).where(WeChatDelivery.open_id == open_id)
            .order_by(WeChatDelivery.id.desc()).limit(limit))
    return list((await db.execute(stmt)).scalars())


async def linked_identity(db: AsyncSession, open_id: str) -> Optional[ChannelIdentity]:
    stmt = select(ChannelIdentity).where(ChannelIdentity.channel == CHANNEL,
                                         ChannelIdentity.external_id == open_id)
    return (await db.execute(stmt)).scalar_one_or_none()


async def link(db: AsyncSession, open_id: str, customer_id: int, now: datetime) -> None:
    """Link the OpenID to the customer unless it is linked already (a link is never moved)."""
    await db.execute(insert_for(db)(ChannelIdentity.__table__).values(
        customer_id=customer_id, channel=CHANNEL, external_id=open_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["channel", "external_id"]))


async def latest_inbound(db: AsyncSession, open_id: str) -> Optional[WeChatInbound]:
    """The customer's latest message to the account (it opens the 48-hour window and the quota)."""
    stmt = (select(WeChatInbound).where(WeChatInbound.open_id == open_id)
            .order_by(WeChatInbound.received_at.desc(), WeChatInbound.id.desc()).limit(1))
    return (await db.execute(stmt)).scalar_one_or_none()


async def sent_since(db: AsyncSession, open_id: str, since: datetime) -> int:
    """Customer-service messages sent to the OpenID since `since`."""
    stmt = (select(func.count(WeChatDelivery.id))
            .where(WeChatDelivery.open_id == open_id, WeChatDelivery.status == "sent",
                   WeChatDelivery.created_at >= since))
    return int(await db.scalar(stmt) or 0)
