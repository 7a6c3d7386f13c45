"""The complaint log's reads: one Core query for a page and one COUNT, the names and numbers the
page shows in one query each, the export in one joined query, and one complaint with its records.

"Agent" (处理人) is the person who handled a complaint: the complaint's handler (set when a
person acts on it in the console), or the person who took a handoff opened for it.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from sqlalchemy import case, func, or_, select, union
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.selectable import CompoundSelect

from crm_backend.complaint_log import rules
from crm_backend.core.models import (Complaint, ComplaintEvent, ConversationMessage, Coupon,
                                     Customer, FollowUp, Handoff, Order, PointsEntry, Refund,
                                     SatisfactionAnswer, StaffUser)

# What a page of the log shows of each complaint.
PAGE_COLUMNS = (Complaint.id, Complaint.number, Complaint.created_at, Complaint.customer_id,
                Complaint.order_id, Complaint.customer_tier, Complaint.category,
                Complaint.severity, Complaint.status, Complaint.current_step, Complaint.channel,
                Complaint.handler_staff_id, Complaint.customer_words, Complaint.score)


# The column of each sort by a column of few values (rules.BUCKETS).
BUCKET_COLUMNS = {"severity": Complaint.severity, "step": Complaint.current_step}


# The transcript a complaint's page shows at most (the oldest messages first).
TRANSCRIPT_LIMIT = 2000


def _handled_by(staff_id: int) -> CompoundSelect:
    """Ids of the complaints `staff_id` handled or whose handoffs they took (one small set the
    database looks up by id, rather than testing both on every complaint of the period)."""
    return union(select(Complaint.id).where(Complaint.handler_staff_id == staff_id),
                 select(Handoff.complaint_id).where(Handoff.assigned_staff_id == staff_id,
                                                    Handoff.complaint_id.is_not(None)))


def conditions(f: rules.LogFilter) -> List[ColumnElement]:
    """The WHERE clauses of a filter (all must hold)."""
    found: List[ColumnElement] = [Complaint.created_at >= f.since, Complaint.created_at < f.until]
    for column, value in ((Complaint.status, f.status), (Complaint.current_step, f.step),
                          (Complaint.category, f.category), (Complaint.severity, f.severity),
                          (Complaint.customer_tier, f.tier), (Complaint.channel, f.channel)):
        if value is not None:
            found.append(column == value)
    if f.agent is not None:
        found.append(Complaint.id.in_(_handled_by(f.agent)))
    if f.q:
        found.append(Complaint.customer_words.ilike(rules.like_pattern(f.q), escape="\\"))
    return found


def ordering(sort: str) -> Tuple[ColumnElement, ...]:
    """ORDER BY of a sort key; ties newest first, then by id (a stable page order)."""
    newest = (Complaint.created_at.desc(), Complaint.id.desc())
    if sort == "oldest":
        return Complaint.created_at.asc(), Complaint.id.asc()
    if sort == "severity":
        rank = case(rules.SEVERITY_RANK, value=Complaint.severity, else_=0)
        return (rank.desc(), *newest)
    if sort == "step":
        return (Complaint.current_step.asc(), *newest)
    return newest


async def count(db: AsyncSession, f: rules.LogFilter, *extra: ColumnElement) -> int:
    """How many complaints match the filter (and `extra` conditions)."""
    return int(await db.scalar(select(func.count()).select_from(Complaint)
                               .where(*conditions(f), *extra)) or 0)


async def _read(db: AsyncSession, f: rules.LogFilter, sort: str, offset: int, limit: int,
                *extra: ColumnElement) -> List[Row]:
    stmt = (select(*PAGE_COLUMNS).where(*conditions(f), *extra).order_by(*ordering(sort))
            .offset(offset).limit(limit))
    return (await db.execute(stmt)).all()


async def page(db: AsyncSession, f: rules.LogFilter) -> Tuple[List[Row], int]:
    """The filter's page of complaints (PAGE_COLUMNS) in its order, and how many match.

    Sorted by severity or step, the matches are counted per value (each COUNT along the
    (column, created_at) index) and the page read from the value it falls in (two at a
    boundary), newest first, instead of sorting the whole period; a value outside the
    vocabulary in the period falls back to one sorted query."""
    total = await count(db, f)
    if f.offset >= total:
        return [], total
    column = BUCKET_COLUMNS.get(f.sort)
    if column is not None:
        values = rules.BUCKETS[f.sort]
        sizes = [(value, await count(db, f, column == value)) for value in values]
        if sum(size for _, size in sizes) == total:
            rows: List[Row] = []
            for value, skip, take in rules.slices(sizes, f.offset, rules.PAGE_SIZE):
                rows += await _read(db, f, "newest", skip, take, column == value)
            return rows, total
    return await _read(db, f, f.sort, f.offset, rules.PAGE_SIZE), total


def _wanted(ids: Iterable[Optional[int]]) -> List[int]:
    return sorted({i for i in ids if i is not None})


async def order_numbers(db: AsyncSession, ids: Iterable[Optional[int]]) -> Dict[int, str]:
    """order_no by order id."""
    wanted = _wanted(ids)
    if not wanted:
        return {}
    rows = await db.execute(select(Order.id, Order.order_no).where(Order.id.in_(wanted)))
    return {order_id: number for order_id, number in rows}


async def customer_names(db: AsyncSession, ids: Iterable[Optional[int]]) -> Dict[int, str]:
    """Customer name by id."""
    wanted = _wanted(ids)
    if not wanted:
        return {}
    rows = await db.execute(select(Customer.id, Customer.name).where(Customer.id.in_(wanted)))
    return {customer_id: name for customer_id, name in rows}


async def staff(db: AsyncSession) -> Dict[int, Tuple[str, bool]]:
    """Every staff account: (display name, still enabled) by id, for names and the agent list."""
    rows = await db.execute(select(StaffUser.id, StaffUser.display_name, StaffUser.disabled_at)
                            .order_by(StaffUser.display_name, StaffUser.id))
    return {staff_id: (name, disabled_at is None) for staff_id, name, disabled_at in rows}


async def assignees(db: AsyncSession, complaint_ids: Sequence[int]) -> Dict[int, List[int]]:
    """The people who took each complaint's handoffs (by complaint id, in handoff order)."""
    if not complaint_ids:
        return {}
    rows = await db.execute(select(Handoff.complaint_id, Handoff.assigned_staff_id)
                            .where(Handoff.complaint_id.in_(list(complaint_ids)),
                                   Handoff.assigned_staff_id.is_not(None))
                            .order_by(Handoff.id))
    found: Dict[int, List[int]] = {}
    for complaint_id, staff_id in rows:
        found.setdefault(complaint_id, []).append(staff_id)
    return found


# The export's columns: the page's and the customer, order and handler joined in.
EXPORT_COLUMNS = (Complaint.id, Complaint.number, Complaint.created_at, Complaint.customer_id,
                  Customer.name.label("customer_name"), Complaint.customer_tier,
                  Complaint.channel, Order.order_no, Complaint.category, Complaint.severity,
                  Complaint.status, Complaint.current_step,
                  StaffUser.display_name.label("handler_name"), Complaint.customer_words,
                  Complaint.expectation, Complaint.remedy_accepted, Complaint.remedy_executed_at,
                  Complaint.follow_up_result, Complaint.score, Complaint.resolved_at,
                  Complaint.conversation_id)


async def export(db: AsyncSession, f: rules.LogFilter, cap: int) -> List[Row]:
    """Every complaint the filter matches, in its order, at most `cap` + 1 (one more says the
    cap was reached), with customer name, order number and handler's name joined."""
    stmt = (select(*EXPORT_COLUMNS)
            .join(Customer, Customer.id == Complaint.customer_id)
            .outerjoin(Order, Order.id == Complaint.order_id)
            .outerjoin(StaffUser, StaffUser.id == Complaint.handler_staff_id)
            .where(*conditions(f)).order_by(*ordering(f.sort)).limit(cap + 1))
    return (await (await db.connection()).execute(stmt)).all()


async def export_assignees(db: AsyncSession, f: rules.LogFilter) -> Dict[int, List[str]]:
    """Names of the people who took the handoffs of the complaints the filter matches."""
    stmt = (select(Handoff.complaint_id, StaffUser.display_name)
            .join(StaffUser, StaffUser.id == Handoff.assigned_staff_id)
            .join(Complaint, Complaint.id == Handoff.complaint_id)
            .where(*conditions(f)).order_by(Handoff.id))
    found: Dict[int, List[str]] = {}
    for complaint_id, name in await db.execute(stmt):
        found.setdefault(complaint_id, []).append(name)
    return found


async def complaint(db: AsyncSession, number: str) -> Optional[Complaint]:
    """The complaint with this number, if any."""
    stmt = select(Complaint).where(Complaint.number == number)
    return (await db.execute(stmt)).scalar_one_or_none()


async def events(db: AsyncSession, complaint_id: int) -> List[Row]:
    """The complaint's timeline, oldest first."""
    stmt = (select(ComplaintEvent.step, ComplaintEvent.occurred_at, ComplaintEvent.note,
                   ComplaintEvent.actor, ComplaintEvent.staff_id)
            .where(ComplaintEvent.complaint_id == complaint_id)
            .order_by(ComplaintEvent.occurred_at, ComplaintEvent.id))
    return (await db.execute(stmt)).all()


async def refund(db: AsyncSession, refund_id: Optional[int]) -> Optional[Row]:
    """A refund row with its order's number."""
    if refund_id is None:
        return None
    stmt = (select(Refund.id, Refund.amount_fen, Refund.status, Refund.reason, Refund.created_at,
                   Refund.completed_at, Order.order_no)
            .join(Order, Order.id == Refund.order_id).where(Refund.id == refund_id))
    return (await db.execute(stmt)).first()


async def coupon(db: AsyncSession, code: Optional[str]) -> Optional[Row]:
    """A coupon row by its code."""
    if not code:
        return None
    stmt = select(Coupon.code, Coupon.value_fen, Coupon.min_spend_fen, Coupon.status,
                  Coupon.expires_at, Coupon.created_at).where(Coupon.code == code)
    return (await db.execute(stmt)).first()


async def points_entry(db: AsyncSession, entry_id: Optional[int]) -> Optional[Row]:
    """A points ledger entry by id."""
    if entry_id is None:
        return None
    stmt = select(PointsEntry.id, PointsEntry.delta, PointsEntry.reason, PointsEntry.created_at,
                  PointsEntry.expires_at).where(PointsEntry.id == entry_id)
    return (await db.execute(stmt)).first()


async def order_row(db: AsyncSession, order_no: Optional[str]) -> Optional[Row]:
    """An order's number, status and time by its number (a resend's new order)."""
    if not order_no:
        return None
    stmt = select(Order.order_no, Order.status, Order.total_fen,
                  Order.created_at).where(Order.order_no == order_no)
    return (await db.execute(stmt)).first()


async def follow_ups(db: AsyncSession, complaint_id: int) -> List[Row]:
    """The complaint's follow-ups, first scheduled first."""
    stmt = (select(FollowUp.id, FollowUp.status, FollowUp.due_at, FollowUp.fired_at,
                   FollowUp.attempts).where(FollowUp.complaint_id == complaint_id)
            .order_by(FollowUp.id))
    return (await db.execute(stmt)).all()


async def answers(db: AsyncSession, complaint_id: int) -> List[Row]:
    """The satisfaction answers given for the complaint, oldest first."""
    stmt = (select(SatisfactionAnswer.score, SatisfactionAnswer.resolved,
                   SatisfactionAnswer.comment, SatisfactionAnswer.created_at)
            .where(SatisfactionAnswer.complaint_id == complaint_id)
            .order_by(SatisfactionAnswer.id))
    return (await db.execute(stmt)).all()


async def handoffs(db: AsyncSession, complaint_id: int,
                   conversation_id: Optional[str]) -> List[Row]:
    """The handoffs of the complaint's conversation or opened for it, oldest first, with the
    name of the person who took each."""
    mine = Handoff.complaint_id == complaint_id
    where = or_(mine, Handoff.conversation_id == conversation_id) if conversation_id else mine
    stmt = (select(Handoff.id, Handoff.reason, Handoff.status, Handoff.complaint_id,
                   Handoff.created_at, Handoff.assigned_at, Handoff.first_response_at,
                   Handoff.closed_at, Handoff.handed_back_at, Handoff.resolution_note,
                   Handoff.csat_score, StaffUser.display_name.label("assigned_name"))
            .outerjoin(StaffUser, StaffUser.id == Handoff.assigned_staff_id)
            .where(where).order_by(Handoff.created_at, Handoff.id))
    return (await db.execute(stmt)).all()


async def transcript(db: AsyncSession, conversation_id: Optional[str]) -> List[Row]:
    """The conversation's messages, oldest first (at most TRANSCRIPT_LIMIT + 1: one more says
    there are more), with the name of the person who wrote each person's message."""
    if not conversation_id:
        return []
    stmt = (select(ConversationMessage.id, ConversationMessage.author, ConversationMessage.text,
                   ConversationMessage.channel, ConversationMessage.created_at,
                   StaffUser.display_name.label("staff_name"))
            .outerjoin(StaffUser, StaffUser.id == ConversationMessage.staff_id)
            .where(ConversationMessage.conversation_id == conversation_id)
            .order_by(ConversationMessage.id).limit(TRANSCRIPT_LIMIT + 1))
    return (await db.execute(stmt)).all()


async def customer(db: AsyncSession, customer_id: int) -> Optional[Row]:
    """The complaint's customer: name, tier now and whether marked as acting in bad faith."""
    stmt = select(Customer.id, Customer.name, Customer.tier,
                  Customer.is_bad_faith).where(Customer.id == customer_id)
    return (await db.execute(stmt)).first()
