"""Recomputing stored tiers from order history, with history and upgrade bonuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .labels import tier_label
from .models import Customer, Order, TierChange
from .points import grant_points
from .rewards_policy import RewardsPolicy, current_rewards_policy
from .tier_policy import TierPolicy, current_tier_policy
from .tiers import compute_tier, is_upgrade, summarise_orders
from .timeutil import BEIJING


@dataclass(frozen=True)
class TierResult:
    """The outcome of one recomputation."""

    customer_id: int
    old_tier: str
    tier: str
    reason: str
    changed: bool
    computed_at: datetime


async def order_history(session: AsyncSession, customer_id: int
                        ) -> List[Tuple[str, int, datetime]]:
    """(status, total_fen, created_at) of every order of a customer."""
    stmt = select(Order.status, Order.total_fen, Order.created_at).where(
        Order.customer_id == customer_id)
    return [tuple(row) for row in await session.execute(stmt)]


async def spend_summary(session: AsyncSession, customer_id: int, now: datetime,
                        policy: TierPolicy) -> Tuple[int, int, Optional[datetime]]:
    """Spent fen, order count and last order time inside the tier window."""
    history = await order_history(session, customer_id)
    return summarise_orders(history, now, policy.thresholds.window_days)


async def _upgrade_bonus(session: AsyncSession, customer: Customer, now: datetime,
                         rewards: RewardsPolicy) -> None:
    """Grant the policy's bonus for reaching a higher tier (once per tier per year)."""
    points = rewards.tier_upgrade_bonus.get(customer.tier, 0)
    if points <= 0:
        return
    year = now.astimezone(BEIJING).year
    await grant_points(
        session, customer_id=customer.id, points=points,
        reason=f"升级为{tier_label(customer.tier)}奖励", source="tier_upgrade",
        idempotency_key=f"tier-upgrade:{customer.id}:{customer.tier}:{year}",
        now=now, policy=rewards,
    )


async def recompute_tier(
    session: AsyncSession, customer_id: int, now: datetime,
    policy: Optional[TierPolicy] = None, rewards: Optional[RewardsPolicy] = None,
) -> TierResult:
    """Grade one customer from their orders, store tier, reason and time; the caller commits.

    A change is written to the tier history; an upgrade grants the policy's bonus points.
    Raises LookupError for an unknown customer.
    """
    rules = policy or current_tier_policy()
    customer = await session.get(Customer, customer_id)
    if customer is None:
        raise LookupError(f"customer {customer_id} does not exist")
    spent, count, last = await spend_summary(session, customer_id, now, rules)
    tier, reason = compute_tier(spent, count, last, now, rules.thresholds)
    old = customer.tier
    changed = tier != old
    customer.tier, customer.tier_reason, customer.tier_computed_at = tier, reason, now
    if changed:
        session.add(TierChange(customer_id=customer_id, old_tier=old, new_tier=tier,
                               reason=reason, computed_at=now))
        if is_upgrade(old, tier):
            await _upgrade_bonus(session, customer, now, rewards or current_rewards_policy())
    await session.flush()
    return TierResult(customer_id, old, tier, reason, changed, now)


async def recompute_all(session: AsyncSession, now: datetime,
                        policy: Optional[TierPolicy] = None) -> List[TierResult]:
    """Recompute every customer's tier (one policy read for the whole run)."""
    rules = policy or current_tier_policy()
    rewards = current_rewards_policy()
    ids = list((await session.execute(select(Customer.id).order_by(Customer.id))).scalars())
    return [await recompute_tier(session, cid, now, rules, rewards) for cid in ids]
