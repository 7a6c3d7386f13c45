"""Loyalty in the database: stored tiers, points grants and balances, coupons, redemptions, birthday and anniversary points."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.core.errors import Conflict, KeyReused
from crm_backend.core.idempotency import by_key, insert_once
from crm_backend.core.models import Coupon, Customer, Order, PointsEntry, TierChange
from crm_backend.core.time import BEIJING
from crm_backend.core.vocabulary import tier_label
from crm_backend.loyalty import rules as ledger
from crm_backend.loyalty.policy import CatalogueReward, RewardsPolicy, TierPolicy
from crm_backend.loyalty.rules import (MilestoneGrant, compute_tier, is_upgrade, milestones_due,
                                       summarise_orders)


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
    policy: TierPolicy, rewards: RewardsPolicy,
) -> TierResult:
    """Grade one customer from their orders, store tier, reason and time; the caller commits.

    A change is written to the tier history; an upgrade grants the policy's bonus points.
    Raises LookupError for an unknown customer.
    """
    customer = await session.get(Customer, customer_id)
    if customer is None:
        raise LookupError(f"customer {customer_id} does not exist")
    spent, count, last = await spend_summary(session, customer_id, now, policy)
    tier, reason = compute_tier(spent, count, last, now, policy.thresholds)
    old = customer.tier
    changed = tier != old
    customer.tier, customer.tier_reason, customer.tier_computed_at = tier, reason, now
    if changed:
        session.add(TierChange(customer_id=customer_id, old_tier=old, new_tier=tier,
                               reason=reason, computed_at=now))
        if is_upgrade(old, tier):
            await _upgrade_bonus(session, customer, now, rewards)
    await session.flush()
    return TierResult(customer_id, old, tier, reason, changed, now)


async def recompute_all(session: AsyncSession, now: datetime, policy: TierPolicy,
                        rewards: RewardsPolicy) -> List[TierResult]:
    """Recompute every customer's tier (one policy read for the whole run)."""
    ids = list((await session.execute(select(Customer.id).order_by(Customer.id))).scalars())
    return [await recompute_tier(session, cid, now, policy, rewards) for cid in ids]


async def grant_points(
    session: AsyncSession,
    *,
    customer_id: int,
    points: int,
    reason: str,
    source: str,
    idempotency_key: str,
    expires_at: Optional[datetime] = None,
    now: datetime,
    policy: RewardsPolicy,
) -> Tuple[PointsEntry, bool]:
    """Add points to the ledger exactly once per key; (the entry, whether this call wrote it).

    A repeat returns the first entry and writes nothing. Grants without `expires_at` lapse by the
    policy's expiry rule; points are taken only by `debit_points`. The caller commits.
    """
    if points <= 0:
        raise ValueError("a grant adds points; debit_points takes them")
    entry = PointsEntry(
        customer_id=customer_id,
        delta=points,
        reason=reason,
        source=source,
        idempotency_key=idempotency_key,
        expires_at=expires_at or ledger.expiry_for(now, policy.expiry_months),
        created_at=now,
    )
    return await insert_once(session, entry)


async def lock_customer(session: AsyncSession, customer_id: int) -> None:
    """Hold the customer's row for this transaction, so their points are taken one debit at a
    time (FOR UPDATE; SQLite's transactions hold the write lock from BEGIN)."""
    await session.execute(select(Customer.id).where(Customer.id == customer_id).with_for_update())


async def ledger_lines(session: AsyncSession, customer_id: int) -> List[ledger.LedgerLine]:
    """Every ledger entry of a customer as plain lines."""
    stmt = select(PointsEntry.delta, PointsEntry.created_at, PointsEntry.expires_at).where(
        PointsEntry.customer_id == customer_id
    )
    rows = await session.execute(stmt)
    return [ledger.LedgerLine(delta, created, expires) for delta, created, expires in rows]


async def points_balance(
    session: AsyncSession, customer_id: int, now: datetime
) -> int:
    """Spendable points: the ledger summed at `now`, expired grants left out."""
    return ledger.balance(await ledger_lines(session, customer_id), now)


async def expiring_points(
    session: AsyncSession, customer_id: int, within_days: int, now: datetime
) -> Optional[ledger.Expiring]:
    """Unspent points lapsing within `within_days`, or None."""
    lines = await ledger_lines(session, customer_id)
    return ledger.expiring(lines, now, within_days)


async def recent_entries(session: AsyncSession, customer_id: int, limit: int = 10
                         ) -> List[PointsEntry]:
    """The newest ledger entries of a customer."""
    stmt = (
        select(PointsEntry)
        .where(PointsEntry.customer_id == customer_id)
        .order_by(PointsEntry.created_at.desc(), PointsEntry.id.desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


def coupon_code(idempotency_key: str) -> str:
    """A stable, unguessable-enough code derived from the key (same key, same code)."""
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest().upper()
    return f"KFQ{digest[:13]}"


async def issue_coupon(
    session: AsyncSession,
    *,
    customer_id: int,
    value_fen: int,
    min_spend_fen: int,
    reason: str,
    idempotency_key: str,
    valid_days: int,
    now: datetime,
) -> Coupon:
    """Issue one coupon per key; a repeat returns the first coupon and writes nothing."""
    if value_fen <= 0 or min_spend_fen < 0 or valid_days <= 0:
        raise ValueError("coupon value and validity must be positive")
    coupon = Coupon(
        customer_id=customer_id,
        code=coupon_code(idempotency_key),
        value_fen=value_fen,
        min_spend_fen=min_spend_fen,
        status="active",
        reason=reason,
        idempotency_key=idempotency_key,
        expires_at=now + timedelta(days=valid_days),
        created_at=now,
    )
    stored, _created = await insert_once(session, coupon)
    return stored


class InsufficientPoints(Conflict):
    """The balance does not cover the debit; nothing was written."""

    def __init__(self, decision: ledger.DebitDecision) -> None:
        super().__init__("insufficient_points", decision.message)
        self.balance, self.needed = decision.balance, decision.needed


async def debit_points(session: AsyncSession, *, customer_id: int, points: int, reason: str,
                       purpose: str, source: str, idempotency_key: str, now: datetime
                       ) -> Tuple[PointsEntry, bool]:
    """Take `points` once per key, checked against the spendable balance under the customer's
    lock; InsufficientPoints when they would take it below zero. The caller commits."""
    await lock_customer(session, customer_id)
    earlier = await by_key(session, PointsEntry, idempotency_key)
    if earlier is not None:
        return earlier, False
    decision = ledger.decide_debit(await points_balance(session, customer_id, now), points,
                                   purpose)
    if not decision.allowed:
        raise InsufficientPoints(decision)
    return await insert_once(session, PointsEntry(
        customer_id=customer_id, delta=-points, reason=reason, source=source,
        idempotency_key=idempotency_key, expires_at=None, created_at=now))


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
        raise KeyReused()
    return coupon


async def redeem(session: AsyncSession, *, customer_id: int, reward: CatalogueReward,
                 idempotency_key: str, now: datetime) -> Redemption:
    """Debit the points and issue the coupon, or return the earlier result for the same key."""
    key = _keys(idempotency_key)
    await lock_customer(session, customer_id)
    earlier = await _previous(session, customer_id, key)
    if earlier is not None:
        return Redemption(earlier, reward.title, await points_balance(session, customer_id, now),
                          False)
    await debit_points(session, customer_id=customer_id, points=reward.points_cost,
                       reason=f"兑换{reward.title}", purpose=f"兑换“{reward.title}”",
                       source="redemption", idempotency_key=key, now=now)
    coupon = await issue_coupon(session, customer_id=customer_id, value_fen=reward.value_fen,
                                min_spend_fen=reward.min_spend_fen, reason=f"积分兑换：{reward.title}",
                                idempotency_key=key, valid_days=reward.valid_days, now=now)
    return Redemption(coupon, reward.title, await points_balance(session, customer_id, now),
                      True)


async def grant_daily_rewards(session: AsyncSession, today: date, policy: RewardsPolicy
                              ) -> List[MilestoneGrant]:
    """Grant every birthday/anniversary reward due on `today` (Beijing); the caller commits."""
    moment = datetime.combine(today, time(9, 0), tzinfo=BEIJING).astimezone(timezone.utc)
    customers = (await session.execute(select(Customer).order_by(Customer.id))).scalars()
    granted: List[MilestoneGrant] = []
    for customer in customers:
        joined = customer.created_at.astimezone(BEIJING).date()
        for grant in milestones_due(customer.id, customer.tier, bool(customer.is_bad_faith),
                                    customer.birthday, joined, today, policy):
            await grant_points(session, customer_id=customer.id, points=grant.points,
                               reason=grant.reason, source=grant.kind,
                               idempotency_key=grant.idempotency_key, now=moment, policy=policy)
            granted.append(grant)
    return granted
