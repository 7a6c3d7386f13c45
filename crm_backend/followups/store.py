"""Follow-ups in the database, whatever they are about: scheduling once per key, claiming due
ones safely, recording outcomes."""

from __future__ import annotations

from datetime import datetime
from typing import Dict, List, Optional, Tuple

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from crm_backend.core.idempotency import insert_once
from crm_backend.core.models import FollowUp
from crm_backend.followups.rules import FollowUpTiming, after_failure


async def schedule(db: AsyncSession, *, owner: Dict[str, int], conversation_id: str,
                   due_at: datetime, key: str, now: datetime) -> FollowUp:
    """One follow-up per key; `owner` is the owning row's column (`{"complaint_id": 7}`).
    The stored one either way; the caller commits."""
    stored, _created = await insert_once(db, FollowUp(
        **owner, conversation_id=conversation_id, due_at=due_at, status="scheduled",
        attempts=0, idempotency_key=key, created_at=now))
    return stored


async def newest(db: AsyncSession, owner: ColumnElement) -> Optional[FollowUp]:
    """The newest follow-up matching `owner` (e.g. `FollowUp.winback_attempt_id == 3`)."""
    stmt = select(FollowUp).where(owner).order_by(FollowUp.id.desc()).limit(1)
    return (await db.execute(stmt)).scalar_one_or_none()


def _ready(now: datetime) -> ColumnElement:
    """Due and scheduled, or claimed by a firing that was cut off before it finished."""
    return or_(and_(FollowUp.status == "scheduled", FollowUp.due_at <= now),
               and_(FollowUp.status == "firing", FollowUp.lease_until <= now))


async def due_ids(db: AsyncSession, now: datetime, limit: int = 50) -> List[int]:
    """Follow-ups to fire now, oldest due first."""
    stmt = (select(FollowUp.id).where(_ready(now))
            .order_by(FollowUp.due_at, FollowUp.id).limit(limit))
    return list((await db.execute(stmt)).scalars())


async def claim(db: AsyncSession, follow_up_id: int, now: datetime, lease_until: datetime) -> bool:
    """Mark one ready follow-up as firing until `lease_until`; False when another process got it
    first. Commits."""
    result = await db.execute(
        update(FollowUp)
        .where(FollowUp.id == follow_up_id, _ready(now))
        .values(status="firing", attempts=FollowUp.attempts + 1, lease_until=lease_until)
        .execution_options(synchronize_session=False))
    await db.commit()
    return result.rowcount == 1


async def mark_fired(db: AsyncSession, follow_up: FollowUp, answer: dict, now: datetime) -> None:
    """Record success. Commits (with what the follow-up's kind recorded)."""
    follow_up.status, follow_up.fired_at, follow_up.last_error = "fired", now, None
    follow_up.lease_until = None
    follow_up.rasa_response = answer
    await db.commit()


async def mark_failed(db: AsyncSession, follow_up: FollowUp, error: str, now: datetime,
                      timing: FollowUpTiming) -> Tuple[str, Optional[datetime]]:
    """Reschedule with backoff, or give up after the last attempt. Commits."""
    retry_at = after_failure(follow_up.attempts, now, timing)
    follow_up.last_error, follow_up.lease_until = error[:1000], None
    if retry_at is None:
        follow_up.status = "failed"
    else:
        follow_up.status, follow_up.due_at = "scheduled", retry_at
    await db.commit()
    return follow_up.status, retry_at


async def cancel_scheduled(db: AsyncSession, owner: ColumnElement) -> None:
    """Follow-ups matching `owner` that have not fired are no longer needed."""
    await db.execute(update(FollowUp).where(owner, FollowUp.status == "scheduled")
                     .values(status="cancelled").execution_options(synchronize_session=False))

