"""Complaints in the database: recording (steps 1–2), timeline events, lookups and corrections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Dict, List, Optional, Sequence, Tuple

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.complaints import rules
from crm_backend.core.errors import KeyReused, NotFound
from crm_backend.core.idempotency import by_key
from crm_backend.core.models import Complaint, ComplaintEvent, Customer, Order
from crm_backend.risk.policy import RiskPolicy
from crm_backend.risk.rules import churn_language, strong_negative_emotion
from crm_backend.risk.store import record_risk_signal

NUMBER_ATTEMPTS = 5


@dataclass(frozen=True)
class NewComplaint:
    """A validated POST /api/complaints body."""

    idempotency_key: str
    customer_id: int
    order_no: Optional[str]
    category: str
    severity: str
    customer_words: Tuple[str, ...]
    expectation: Optional[str]
    channel: str
    conversation_id: str
    vented_at: Optional[datetime]


@dataclass(frozen=True)
class ComplaintFilter:
    """Filters of GET /api/complaints."""

    customer_id: Optional[int] = None
    status: Optional[str] = None
    category: Optional[str] = None
    severity: Optional[str] = None
    tier: Optional[str] = None
    q: Optional[str] = None
    since: Optional[datetime] = None
    until: Optional[datetime] = None
    limit: int = 20
    offset: int = 0


def add_event(db: AsyncSession, complaint: Complaint, step: int, note: str, at: datetime, *,
              actor: str, staff_id: Optional[int] = None) -> ComplaintEvent:
    """Append one timeline entry saying who acted and move the complaint's current step forward;
    a person's entry (actor `agent`, with their staff id) makes them the complaint's handler."""
    if actor not in rules.ACTOR_LABELS or (actor == "agent") != (staff_id is not None):
        raise ValueError(f"complaint event by {actor!r} with staff id {staff_id!r}")
    event = ComplaintEvent(complaint_id=complaint.id, step=step, occurred_at=at, note=note,
                           actor=actor, staff_id=staff_id)
    db.add(event)
    if staff_id is not None:
        complaint.handler_staff_id = staff_id
    complaint.current_step = max(complaint.current_step or 1, step)
    complaint.updated_at = max(complaint.updated_at or at, at)
    return event


async def customer_order(db: AsyncSession, customer_id: int, order_no: str) -> Order:
    """The customer's own order, or a 404 (someone else's order is not found either)."""
    order = (await db.execute(select(Order).where(Order.order_no == order_no))).scalar_one_or_none()
    if order is None or order.customer_id != customer_id:
        raise NotFound("order_not_found", "订单不存在")
    return order


async def _taken_numbers(db: AsyncSession, prefix: str) -> List[str]:
    """Complaint numbers already used with this day prefix."""
    stmt = select(Complaint.number).where(Complaint.number.like(f"{prefix}%"))
    return list((await db.execute(stmt)).scalars())


async def _insert_numbered(db: AsyncSession, complaint: Complaint, now: datetime) -> Optional[Complaint]:
    """Insert with the next free number; returns the other request's row if its key won a race."""
    for _ in range(NUMBER_ATTEMPTS):
        prefix = rules.number_prefix(now)
        complaint.number = rules.next_number(now, await _taken_numbers(db, prefix))
        try:
            async with db.begin_nested():
                db.add(complaint)
            return None
        except IntegrityError:
            winner = await by_key(db, Complaint, complaint.idempotency_key)
            if winner is not None:
                return winner
    raise RuntimeError("could not allocate a complaint number")


async def create_complaint(db: AsyncSession, data: NewComplaint, now: datetime,
                           risk: RiskPolicy) -> Tuple[Complaint, bool]:
    """Record a complaint once per key (vent + record events, a risk signal); the caller commits."""
    existing = await by_key(db, Complaint, data.idempotency_key)
    if existing is not None:
        if existing.customer_id != data.customer_id:
            raise KeyReused()
        return existing, False
    customer = await db.get(Customer, data.customer_id)
    if customer is None:
        raise NotFound("customer_not_found", "客户不存在")
    order = await customer_order(db, customer.id, data.order_no) if data.order_no else None
    complaint = Complaint(
        customer_id=customer.id, order_id=order.id if order else None,
        customer_tier=customer.tier, category=data.category, severity=data.severity,
        customer_words=rules.join_words(data.customer_words), expectation=data.expectation,
        status="open", current_step=1, channel=data.channel,
        conversation_id=data.conversation_id, idempotency_key=data.idempotency_key,
        created_at=now, updated_at=now,
    )
    winner = await _insert_numbered(db, complaint, now)
    if winner is not None:
        return winner, False
    vented = min(data.vented_at or now, now)
    add_event(db, complaint, 1, f"客户陈述{len(data.customer_words)}条：{data.customer_words[0][:100]}",
              vented, actor="customer")
    label = rules.CATEGORY_LABELS[data.category]
    add_event(db, complaint, 2, f"登记投诉：{label}，{rules.SEVERITY_LABELS[data.severity]}"
              f"{'，订单 ' + order.order_no if order else ''}"
              f"{'，诉求：' + data.expectation if data.expectation else ''}", now, actor="bot")
    await db.flush()
    await record_risk_signal(db, customer_id=customer.id, signal="complaint",
                             detail=f"投诉 {complaint.number}（{label}）",
                             conversation_id=data.conversation_id,
                             idempotency_key=f"complaint:{complaint.number}", now=now,
                             policy=risk)
    emotion = strong_negative_emotion(data.customer_words)
    if emotion:
        await record_risk_signal(db, customer_id=customer.id, signal="negative_emotion",
                                 detail=f"投诉 {complaint.number}：{emotion}",
                                 conversation_id=data.conversation_id,
                                 idempotency_key=f"emotion:{complaint.number}", now=now,
                                 policy=risk)
    leaving = churn_language(data.customer_words)
    if leaving:
        await record_risk_signal(db, customer_id=customer.id, signal="churn_language",
                                 detail=f"投诉 {complaint.number}：{leaving}",
                                 conversation_id=data.conversation_id,
                                 idempotency_key=f"churn:{complaint.number}", now=now,
                                 policy=risk)
    return complaint, True


async def complaint_by_number(db: AsyncSession, number: str, customer_id: Optional[int] = None,
                              lock: bool = False) -> Complaint:
    """The complaint, or 404 (also when it belongs to another customer)."""
    stmt = select(Complaint).where(Complaint.number == number)
    if lock:
        stmt = stmt.with_for_update()
    complaint = (await db.execute(stmt)).scalar_one_or_none()
    if complaint is None or (customer_id is not None and complaint.customer_id != customer_id):
        raise NotFound("complaint_not_found", "投诉不存在")
    return complaint


async def events_of(db: AsyncSession, complaint_id: int) -> List[ComplaintEvent]:
    """The timeline, oldest first."""
    stmt = (select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint_id)
            .order_by(ComplaintEvent.occurred_at, ComplaintEvent.id))
    return list((await db.execute(stmt)).scalars())


async def recent_complaint_count(db: AsyncSession, complaint: Complaint, window_days: int) -> int:
    """Other complaints of the same customer within the window before this one."""
    since = complaint.created_at - timedelta(days=window_days)
    stmt = select(func.count(Complaint.id)).where(
        Complaint.customer_id == complaint.customer_id, Complaint.id != complaint.id,
        Complaint.created_at >= since, Complaint.created_at <= complaint.created_at)
    return int(await db.scalar(stmt) or 0)


def _filtered(stmt, f: ComplaintFilter):
    """Apply the list filters to a select over complaints."""
    if f.customer_id is not None:
        stmt = stmt.where(Complaint.customer_id == f.customer_id)
    for column, value in ((Complaint.status, f.status), (Complaint.category, f.category),
                          (Complaint.severity, f.severity), (Complaint.customer_tier, f.tier)):
        if value is not None:
            stmt = stmt.where(column == value)
    if f.since is not None:
        stmt = stmt.where(Complaint.created_at >= f.since)
    if f.until is not None:
        stmt = stmt.where(Complaint.created_at <= f.until)
    if f.q:
        escaped = f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        stmt = stmt.where(or_(Complaint.number.ilike(pattern, escape="\\"),
                              Complaint.customer_words.ilike(pattern, escape="\\"),
                              Complaint.expectation.ilike(pattern, escape="\\")))
    return stmt


async def search_complaints(db: AsyncSession, f: ComplaintFilter) -> Tuple[List[Complaint], int]:
    """One page of matching complaints, newest first, and the total count."""
    total = await db.scalar(_filtered(select(func.count(Complaint.id)), f))
    stmt = (_filtered(select(Complaint), f).order_by(Complaint.created_at.desc(), Complaint.id.desc())
            .limit(f.limit).offset(f.offset))
    return list((await db.execute(stmt)).scalars()), int(total or 0)


async def order_numbers(db: AsyncSession, order_ids: Sequence[Optional[int]]) -> Dict[int, str]:
    """order_no by order id."""
    ids = {i for i in order_ids if i is not None}
    if not ids:
        return {}
    rows = await db.execute(select(Order.id, Order.order_no).where(Order.id.in_(ids)))
    return {oid: no for oid, no in rows}


async def correct(db: AsyncSession, complaint: Complaint, changes: Dict[str, object],
                  now: datetime) -> Complaint:
    """Apply corrections (category, severity, expectation, order_no, append_words) with a note
    (the bot's: only the service API corrects)."""
    applied: Dict[str, tuple] = {}
    for field in ("category", "severity", "expectation"):
        if field in changes and changes[field] != getattr(complaint, field):
            applied[field] = (getattr(complaint, field), changes[field])
            setattr(complaint, field, changes[field])
    if "order_no" in changes:
        new_no = changes["order_no"]
        order = await customer_order(db, complaint.customer_id, new_no) if new_no else None
        old = (await order_numbers(db, [complaint.order_id])).get(complaint.order_id)
        if old != new_no:
            applied["order_no"] = (old, new_no)
            complaint.order_id = order.id if order else None
    words = changes.get("append_words") or ()
    if words:
        existing = rules.split_words(complaint.customer_words)
        complaint.customer_words = rules.join_words([*existing, *words])
        applied["append_words"] = (None, " / ".join(words)[:200])
    if applied:
        add_event(db, complaint, 2, rules.correction_note(applied), now, actor="bot")
        complaint.updated_at = now
    return complaint


def close_by_person(db: AsyncSession, complaint: Complaint, staff_id: int, name: str, note: str,
                    now: datetime) -> None:
    """A person closes the complaint with what was done (recorded as step 4, as theirs)."""
    complaint.status, complaint.current_step, complaint.updated_at = "closed", 4, now
    add_event(db, complaint, 4, f"人工客服{name}办结：{note}", now, actor="agent",
              staff_id=staff_id)
