"""Handoffs in the database: one open handoff per conversation, a queue ordered by priority and age."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.core.idempotency import by_key, insert_once
from crm_backend.core.models import Complaint, Customer, Handoff, Notification, StaffUser
from crm_backend.core.time import beijing_iso
from crm_backend.handoffs import rules
from crm_backend.risk.store import open_flag
from crm_backend.transcripts import store as transcript_store


async def open_for_conversation(db: AsyncSession, conversation_id: str) -> Optional[Handoff]:
    """The conversation's waiting or assigned handoff, if any."""
    stmt = (select(Handoff).where(Handoff.conversation_id == conversation_id,
                                  Handoff.status.in_(rules.OPEN_STATUSES))
            .order_by(Handoff.id.desc()).limit(1))
    return (await db.execute(stmt)).scalar_one_or_none()


async def priority_for(db: AsyncSession, customer_id: Optional[int],
                       severity: Optional[str]) -> int:
    """Priority from the customer's tier, open risk flag and the complaint's severity."""
    customer = await db.get(Customer, customer_id) if customer_id is not None else None
    flag = await open_flag(db, customer_id) if customer is not None else None
    name = rules.handoff_priority(customer.tier if customer else None,
                                  flag.level if flag else None, severity)
    return rules.PRIORITIES[name]


async def open_handoff(db: AsyncSession, *, conversation_id: str, customer_id: Optional[int],
                       reason: str, idempotency_key: str, complaint: Optional[Complaint] = None,
                       now: datetime) -> Tuple[Handoff, bool]:
    """Queue the conversation for a person once; an open handoff of it is reused (priority raised)."""
    existing = await by_key(db, Handoff, idempotency_key)
    if existing is not None:
        return existing, False
    priority = await priority_for(db, customer_id, complaint.severity if complaint else None)
    current = await open_for_conversation(db, conversation_id)
    if current is not None:
        current.priority = max(current.priority, priority)
        if current.complaint_id is None and complaint is not None:
            current.complaint_id = complaint.id
        await db.flush()
        return current, False
    row = Handoff(conversation_id=conversation_id, customer_id=customer_id, reason=reason[:255],
                  priority=priority, status="waiting", complaint_id=complaint.id if complaint else None,
                  idempotency_key=idempotency_key, created_at=now)
    return await insert_once(db, row)


async def queue_position(db: AsyncSession, handoff: Handoff) -> Optional[int]:
    """1-based place in the waiting queue (higher priority first, then older), None if not waiting."""
    if handoff.status != "waiting":
        return None
    ahead = await db.scalar(select(func.count(Handoff.id)).where(
        Handoff.status == "waiting",
        or_(Handoff.priority > handoff.priority,
            and_(Handoff.priority == handoff.priority,
                 or_(Handoff.created_at < handoff.created_at,
                     and_(Handoff.created_at == handoff.created_at, Handoff.id < handoff.id))))))
    return int(ahead or 0) + 1


async def waiting_queue(db: AsyncSession, status: str, limit: int) -> List[Handoff]:
    """Handoffs with this status, by priority then age."""
    stmt = (select(Handoff).where(Handoff.status == status)
            .order_by(Handoff.priority.desc(), Handoff.created_at, Handoff.id).limit(limit))
    return list((await db.execute(stmt)).scalars())


async def complaint_numbers(db: AsyncSession, ids: List[Optional[int]]) -> Dict[int, str]:
    """Complaint number by id."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await db.execute(select(Complaint.id, Complaint.number).where(Complaint.id.in_(wanted)))
    return {cid: number for cid, number in rows}


def handoff_json(handoff: Handoff, position: Optional[int],
                 complaint_number: Optional[str]) -> Dict[str, Any]:
    """The Handoff shape."""
    name = rules.priority_name(handoff.priority)
    return {
        "id": handoff.id,
        "conversation_id": handoff.conversation_id,
        "customer_id": handoff.customer_id,
        "complaint_number": complaint_number,
        "reason": handoff.reason,
        "reason_label": rules.REASON_LABELS.get(handoff.reason, handoff.reason),
        "priority": name,
        "priority_label": rules.PRIORITY_LABELS[name],
        "status": handoff.status,
        "status_label": rules.STATUS_LABELS.get(handoff.status, handoff.status),
        "queue_position": position,
        "created_at": beijing_iso(handoff.created_at),
        "assigned_staff_id": handoff.assigned_staff_id,
        "assigned_at": _iso(handoff.assigned_at),
        "first_response_at": _iso(handoff.first_response_at),
        "handed_back_at": _iso(handoff.handed_back_at),
        "closed_at": _iso(handoff.closed_at),
        "resolution_note": handoff.resolution_note,
        "csat_score": handoff.csat_score,
    }


def _iso(value: Optional[datetime]) -> Optional[str]:
    return beijing_iso(value) if value is not None else None


async def describe(db: AsyncSession, handoff: Handoff) -> Dict[str, Any]:
    """handoff_json with its queue position and complaint number looked up."""
    numbers = await complaint_numbers(db, [handoff.complaint_id])
    return handoff_json(handoff, await queue_position(db, handoff),
                        numbers.get(handoff.complaint_id))


async def locked(db: AsyncSession, handoff_id: int) -> Optional[Handoff]:
    """The handoff, locked until commit (PostgreSQL: FOR UPDATE; SQLite: every write session
    holds the database's write lock), so two people claiming at once are served one by one."""
    stmt = (select(Handoff).where(Handoff.id == handoff_id).with_for_update()
            .execution_options(populate_existing=True))
    return (await db.execute(stmt)).scalar_one_or_none()


def claim(handoff: Handoff, staff_id: int, now: datetime) -> None:
    """The person takes the conversation (a claim of one's own handoff changes nothing)."""
    if handoff.status == "waiting":
        handoff.status, handoff.assigned_staff_id, handoff.assigned_at = "assigned", staff_id, now


async def customer_channel(db: AsyncSession, conversation_id: str) -> Optional[str]:
    """The channel the customer last wrote from (where a person's reply must go)."""
    latest = await transcript_store.latest_customer_message(db, conversation_id)
    return latest.channel if latest is not None else None


async def add_person_message(db: AsyncSession, handoff: Handoff, staff_id: int, text: str,
                             channel: str, now: datetime) -> Any:
    """A person's message in the transcript; the first one is the handoff's first response."""
    row, _ = await transcript_store.add_message(
        db, conversation_id=handoff.conversation_id, channel=channel, author="agent", text=text,
        staff_id=staff_id, handoff_id=handoff.id, now=now)
    if handoff.first_response_at is None:
        handoff.first_response_at = now
    return row


def finish(handoff: Handoff, now: datetime, note: Optional[str], handed_back: bool) -> None:
    """Close the handoff (resolved, or handed back to the bot)."""
    handoff.status, handoff.closed_at = "closed", now
    if note:
        handoff.resolution_note = note
    if handed_back:
        handoff.handed_back_at = now


async def record_satisfaction(db: AsyncSession, conversation_id: str, score: int,
                              now: datetime) -> Optional[Handoff]:
    """The customer's 1–5 answer on the conversation's latest handed-back handoff that has none."""
    stmt = (select(Handoff).where(Handoff.conversation_id == conversation_id,
                                  Handoff.handed_back_at.is_not(None),
                                  Handoff.csat_score.is_(None))
            .order_by(Handoff.handed_back_at.desc()).limit(1))
    handoff = (await db.execute(stmt)).scalar_one_or_none()
    if handoff is not None:
        handoff.csat_score, handoff.csat_at = score, now
        complaint = (await db.get(Complaint, handoff.complaint_id)
                     if handoff.complaint_id is not None else None)
        if complaint is not None and complaint.score is None:
            complaint.score = score
    return handoff


async def staff_name(db: AsyncSession, staff_id: Optional[int]) -> str:
    """A colleague's display name (for 'taken by …')."""
    staff = await db.get(StaffUser, staff_id) if staff_id is not None else None
    return staff.display_name if staff is not None else "同事"


EXPIRY_NOTES = {"timeout": "排队超时无人接入，已登记回电，会话交还机器人",
                "after_hours": "非人工服务时间，已登记回电，会话交还机器人",
                "declined": "客服繁忙暂时无法接入，已登记回电，会话交还机器人"}


async def due_for_expiry(db: AsyncSession, now: datetime, policy: Any) -> List[Handoff]:
    """Waiting handoffs that must return to the bot now (nobody claimed them in time, or it is
    outside service hours)."""
    waiting = await waiting_queue(db, "waiting", 500)
    return [h for h in waiting if expiry_reason(h, now, policy)]


def expiry_reason(handoff: Handoff, now: datetime, policy: Any) -> Optional[str]:
    return rules.expiry_reason(handoff.status, handoff.created_at, now, policy.expire_after,
                               policy.opens, policy.closes)


async def expire(db: AsyncSession, handoff_id: int, now: datetime,
                 reason: Optional[str]) -> Optional[Handoff]:
    """Return one waiting handoff to the bot under its lock for `reason` (see EXPIRY_NOTES),
    recording a call-back for the staff; None when it is no longer waiting."""
    handoff = await locked(db, handoff_id)
    if handoff is None or handoff.status != "waiting" or reason not in EXPIRY_NOTES:
        return None
    handoff.status, handoff.closed_at = "expired", now
    handoff.resolution_note = EXPIRY_NOTES[reason]
    db.add(Notification(customer_id=handoff.customer_id, kind="callback",
                        conversation_id=handoff.conversation_id, created_at=now,
                        message=f"回电登记：转人工 #{handoff.id}（{handoff.reason}）"
                                f"{EXPIRY_NOTES[reason].split('，')[0]}，请尽快联系客户"))
    return handoff


async def customer_handoffs(db: AsyncSession, customer_id: int, limit: int) -> List[Handoff]:
    """The customer's handoffs, newest first (the console shows the earlier ones)."""
    stmt = (select(Handoff).where(Handoff.customer_id == customer_id)
            .order_by(Handoff.created_at.desc(), Handoff.id.desc()).limit(limit))
    return list((await db.execute(stmt)).scalars())
