"""Transcript rows: a message kept once per client message id, read back in order."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.core.db import insert_for
from crm_backend.core.models import ConversationMessage, StaffUser


async def add_message(db: AsyncSession, *, conversation_id: str, channel: str, author: str,
                      text: str, now: datetime, buttons: Optional[List[Any]] = None,
                      client_message_id: Optional[str] = None, staff_id: Optional[int] = None,
                      handoff_id: Optional[int] = None) -> Tuple[ConversationMessage, bool]:
    """Keep one message; the same client message id in the same conversation is kept once (a
    resend or a retry), and the stored row is returned with created=False."""
    if client_message_id is None:
        rows = await add_said(db, conversation_id=conversation_id, channel=channel,
                              author=author, said=[(text, buttons)], now=now,
                              handoff_id=handoff_id, staff_id=staff_id)
        return rows[0], True
    values = dict(conversation_id=conversation_id, channel=channel, author=author, text=text,
                  buttons=buttons or None, client_message_id=client_message_id,
                  staff_id=staff_id, handoff_id=handoff_id, created_at=now)
    result = await db.execute(insert_for(db)(ConversationMessage.__table__).values(**values)
                              .on_conflict_do_nothing(
                                  index_elements=["conversation_id", "client_message_id"]))
    stmt = select(ConversationMessage).where(
        ConversationMessage.conversation_id == conversation_id,
        ConversationMessage.client_message_id == client_message_id)
    return (await db.execute(stmt)).scalar_one(), result.rowcount == 1


async def add_said(db: AsyncSession, *, conversation_id: str, channel: str, author: str,
                   said: Sequence[Tuple[str, Optional[List[Any]]]], now: datetime,
                   handoff_id: Optional[int] = None,
                   staff_id: Optional[int] = None) -> List[ConversationMessage]:
    """Keep the (text, buttons) messages one author said, in that order, with one flush."""
    rows = [ConversationMessage(conversation_id=conversation_id, channel=channel, author=author,
                                text=text, buttons=buttons or None, staff_id=staff_id,
                                handoff_id=handoff_id, created_at=now)
            for text, buttons in said]
    db.add_all(rows)
    await db.flush()
    return rows


async def messages(db: AsyncSession, conversation_id: str, after_id: int = 0,
                   limit: int = 500) -> List[ConversationMessage]:
    """The conversation's messages after `after_id`, oldest first."""
    stmt = (select(ConversationMessage)
            .where(ConversationMessage.conversation_id == conversation_id,
                   ConversationMessage.id > after_id)
            .order_by(ConversationMessage.id).limit(limit))
    return list((await db.execute(stmt)).scalars())


async def latest_customer_message(db: AsyncSession,
                                  conversation_id: str) -> Optional[ConversationMessage]:
    stmt = (select(ConversationMessage)
            .where(ConversationMessage.conversation_id == conversation_id,
                   ConversationMessage.author == "customer")
            .order_by(ConversationMessage.id.desc()).limit(1))
    return (await db.execute(stmt)).scalar_one_or_none()


async def staff_names(db: AsyncSession, ids: Iterable[Optional[int]]) -> Dict[int, str]:
    """Display names of the people who wrote messages."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await db.execute(select(StaffUser.id, StaffUser.display_name)
                            .where(StaffUser.id.in_(wanted)))
    return {staff_id: name for staff_id, name in rows}
