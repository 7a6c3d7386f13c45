"""The points ledger in the database: exactly-once grants and balances computed from entries."""

from __future__ import annotations

from datetime import datetime
from typing import List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from . import ledger
from .idempotent import insert_once
from .models import PointsEntry
from .rewards_policy import RewardsPolicy, current_rewards_policy


async def grant_points_once(
    session: AsyncSession,
    *,
    customer_id: int,
    points: int,
    reason: str,
    source: str,
    idempotency_key: str,
    expires_at: Optional[datetime] = None,
    now: datetime,
    policy: Optional[RewardsPolicy] = None,
) -> Tuple[PointsEntry, bool]:
    """Like `grant_points`, also telling whether this call wrote the entry."""
    if points == 0:
        raise ValueError("a ledger entry must change the balance")
    if expires_at is None and points > 0:
        months = (policy or current_rewards_policy()).expiry_months
        expires_at = ledger.expiry_for(now, months)
    entry = PointsEntry(
        customer_id=customer_id,
        delta=points,
        reason=reason,
        source=source,
        idempotency_key=idempotency_key,
        expires_at=expires_at if points > 0 else None,
        created_at=now,
    )
    return await insert_once(session, entry)


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
    policy: Optional[RewardsPolicy] = None,
) -> PointsEntry:
    """Add one ledger entry exactly once per key (a repeat returns the first entry, writes nothing).

    Positive grants without `expires_at` lapse by the policy's expiry rule; negative deltas
    (redemptions) never expire. The caller commits.
    """
    entry, _created = await grant_points_once(
        session, customer_id=customer_id, points=points, reason=reason, source=source,
        idempotency_key=idempotency_key, expires_at=expires_at, now=now, policy=policy)
    return entry


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
