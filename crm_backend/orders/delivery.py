"""An order signed for: its status and last scan, purchase points and the tier, exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.core.errors import Conflict
from crm_backend.core.idempotency import by_key
from crm_backend.core.models import Order, PointsEntry, TrackingEvent
from crm_backend.core.vocabulary import order_status_label
from crm_backend.loyalty.policy import RewardsPolicy, TierPolicy
from crm_backend.loyalty.rules import purchase_points
from crm_backend.loyalty.store import TierResult, grant_points, recompute_tier


@dataclass(frozen=True)
class Delivery:
    """What marking an order delivered did; `created` is False when it was already delivered."""

    created: bool
    points: Optional[PointsEntry]
    tier: Optional[TierResult]


def delivery_refusal(status: str) -> Optional[str]:
    """Why an order in `status` cannot be signed for, or None when it can (or already was)."""
    if status in ("shipped", "delivered"):
        return None
    return f"订单当前状态为「{order_status_label(status)}」，只有已发货的订单才能签收"


def points_key(order_no: str) -> str:
    """One purchase grant per order, the same key the demo seed uses."""
    return f"order-points:{order_no}"


async def mark_delivered(db: AsyncSession, order: Order, at: datetime, description: str,
                         rewards: RewardsPolicy, tiers: TierPolicy) -> Delivery:
    """Sign `order` for at `at`; a repeat (or a concurrent second call) writes nothing.

    The order must be loaded with its shipment and events; the caller commits.
    """
    refusal = delivery_refusal(order.status)
    if refusal is not None:
        raise Conflict("order_not_shipped", refusal)
    moved = await db.execute(
        update(Order).where(Order.id == order.id, Order.status == "shipped")
        .values(status="delivered", delivered_at=at).execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        return Delivery(False, await by_key(db, PointsEntry, points_key(order.order_no)), None)
    if order.shipment is not None:
        last = order.shipment.events[-1] if order.shipment.events else None
        db.add(TrackingEvent(shipment_id=order.shipment.id, occurred_at=at,
                             location=last.location if last else "收件地址",
                             description=description))
    points = purchase_points(order.total_fen, rewards)
    entry = None
    if points > 0:
        entry, _created = await grant_points(
            db, customer_id=order.customer_id, points=points,
            reason=f"订单{order.order_no}购物积分", source="order",
            idempotency_key=points_key(order.order_no), now=at, policy=rewards)
    tier = await recompute_tier(db, order.customer_id, at, tiers, rewards)
    return Delivery(True, entry, tier)
