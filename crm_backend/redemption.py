"""Redeeming points for a catalogue coupon: one debit and one coupon per idempotency key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .coupons import issue_coupon
from .idempotent import by_key
from .models import Coupon, Customer, PointsEntry
from .points import grant_points, points_balance
from .rewards import decide_redemption
from .rewards_policy import CatalogueReward, RewardsPolicy


class InsufficientPoints(Exception):
    """The balance does not cover the reward; nothing was written."""

    def __init__(self, message: str, balance: int, needed: int) -> None:
        super().__init__(message)
        self.message, self.balance, self.needed = message, balance, needed


class KeyReused(Exception):
    """The idempotency key already belongs to another customer or reward."""


@dataclass(frozen=True)
class Redemption:
    """The coupon received, the balance after, and whether this call created it."""

    coupon: Coupon
    title: str
    balance: int
    created: bool


def _keys(idempotency_key: str) -> str:
    """The ledger and coupon key of a redemption."""
    return f"redeem:{idempotency_key}"


async def _previous(session: AsyncSession, customer_id: int, key: str) -> Optional[Coupon]:
    """The coupon of an earlier redemption with this key, if any (KeyReused if not ours)."""
    entry = await by_key(session, PointsEntry, key)
    if entry is None:
        return None
    coupon = await by_key(session, Coupon, key)
    if entry.customer_id != customer_id or coupon is None:
        raise KeyReused(key)
    return coupon


async def redeem(session: AsyncSession, *, customer_id: int, reward: CatalogueReward,
                 idempotency_key: str, policy: RewardsPolicy,
                 now: datetime) -> Redemption:
    """Debit the points and issue the coupon, or return the earlier result for the same key."""
    key = _keys(idempotency_key)
    await session.execute(select(Customer.id).where(Customer.id == customer_id).with_for_update())
    earlier = await _previous(session, customer_id, key)
    if earlier is not None:
        return Redemption(earlier, reward.title, await points_balance(session, customer_id, now),
                          False)
    decision = decide_redemption(await points_balance(session, customer_id, now), reward)
    if not decision.allowed:
        raise InsufficientPoints(decision.message, decision.balance, decision.needed)
    await grant_points(session, customer_id=customer_id, points=-reward.points_cost,
                       reason=f"兑换{reward.title}", source="redemption", idempotency_key=key,
                       now=now, policy=policy)
    coupon = await issue_coupon(session, customer_id=customer_id, value_fen=reward.value_fen,
                                min_spend_fen=reward.min_spend_fen, reason=f"积分兑换：{reward.title}",
                                idempotency_key=key, valid_days=reward.valid_days, now=now)
    return Redemption(coupon, reward.title, await points_balance(session, customer_id, now),
                      True)
