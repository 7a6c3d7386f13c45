"""Follow-ups in the database (complaint step 4 and win-back): scheduling, claiming due ones
safely, recording outcomes."""

from __future__ import annotations

from datetime import datetime
from typing import List, Optional, Tuple

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from crm_backend.complaints.remedies.rules import FollowUpTiming
from crm_backend.complaints.store import add_event
from crm_backend.core.idempotency import insert_once
from crm_backend.core.models import Complaint, FollowUp, WinBackAttempt
from crm_backend.followups.rules import after_failure


async def _schedule_once(db: AsyncSession, row: FollowUp) -> FollowUp:
    """Store `row` unless a follow-up with its key exists; the stored one either way."""
    stored, _created = await insert_once(db, row)
    return stored


async def schedule(db: AsyncSession, complaint: Complaint, due_at: datetime, key: str,
                   now: datetime) -> FollowUp:
    """One follow-up per key for the complaint's conversation; the caller commits."""
    return await _schedule_once(db, FollowUp(
        complaint_id=complaint.id, conversation_id=complaint.conversation_id or "",
        due_at=due_at, status="scheduled", attempts=0, idempotency_key=key, created_at=now))


async def schedule_winback(db: AsyncSession, attempt: WinBackAttempt, due_at: datetime,
                           key: str, now: datetime) -> FollowUp:
    """One follow-up per key for the win-back attempt's conversation; the caller commits."""
    assert attempt.id is not None and attempt.conversation_id
    return await _schedule_once(db, FollowUp(
        winback_attempt_id=attempt.id, conversation_id=attempt.conversation_id,
        due_at=due_at, status="scheduled", attempts=0, idempotency_key=key, created_at=now))


async def winback_follow_up(db: AsyncSession, attempt_id: int) -> Optional[FollowUp]:
    """The newest follow-up of a win-back attempt, if one was scheduled."""
    stmt = (select(FollowUp).where(FollowUp.winback_attempt_id == attempt_id)
            .order_by(FollowUp.id.desc()).limit(1))
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


async def complaint_number(db: AsyncSession, follow_up: FollowUp) -> Optional[str]:
    """The number of the complaint being followed up."""
    if follow_up.complaint_id is None:
        return None
    return await db.scalar(select(Complaint.number).where(Complaint.id == follow_up.complaint_id))


async def mark_fired(db: AsyncSession, follow_up: FollowUp, answer: dict, now: datetime) -> None:
    """Record success and put the follow-up step on the complaint's timeline. Commits."""
    follow_up.status, follow_up.fired_at, follow_up.last_error = "fired", now, None
    follow_up.lease_until = None
    follow_up.rasa_response = answer
    complaint = await db.get(Complaint, follow_up.complaint_id) if follow_up.complaint_id else None
    if complaint is not None:
        add_event(db, complaint, 4, "已发起回访，询问方案是否落实及满意度", now)
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


async def _cancel_scheduled(db: AsyncSession, owner: ColumnElement) -> None:
    await db.execute(update(FollowUp).where(owner, FollowUp.status == "scheduled")
                     .values(status="cancelled").execution_options(synchronize_session=False))


async def cancel_pending(db: AsyncSession, complaint_id: int) -> None:
    """A follow-up answered early makes the still-scheduled ones unnecessary."""
    await _cancel_scheduled(db, FollowUp.complaint_id == complaint_id)


async def cancel_pending_winback(db: AsyncSession, attempt_id: int) -> None:
    """A win-back whose outcome is known needs no follow-up asking about it."""
    await _cancel_scheduled(db, FollowUp.winback_attempt_id == attempt_id)
