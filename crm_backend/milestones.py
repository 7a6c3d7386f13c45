"""The daily run granting birthday and anniversary points exactly once per year."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import List

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Customer
from .points import grant_points
from .rewards import MilestoneGrant, milestones_due
from .rewards_policy import RewardsPolicy
from .timeutil import BEIJING


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
