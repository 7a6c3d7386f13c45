"""The at-risk page in the database: one page of open flags by filter in one query, and for its
customers (a list of ids or a subquery) the last contact, open complaints and win-back history
in one query each; assigning an owner and starting a win-back task once per form token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from sqlalchemy import exists, func, literal_column, not_, select, union, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from crm_backend.at_risk import rules
from crm_backend.at_risk.rules import AtRiskFilter, FlagFacts
from crm_backend.core.idempotency import by_key, insert_once
from crm_backend.core.models import (ChannelIdentity, Complaint, ConversationBinding,
                                     ConversationMessage, Customer, Handoff, Notification, Order,
                                     RiskFlag, StaffUser, WinBackAttempt)
from crm_backend.risk.policy import RiskPolicy

# Customers to look at: a list of ids (a page) or a SELECT of ids (an export's filter).
CustomerIds = Union[Sequence[int], Select]


@dataclass(frozen=True)
class FlagRow:
    """An open flag with its customer and owner, as the list shows it."""

    flag_id: int
    score: int
    level: str
    reasons: List[str]
    created_at: datetime
    updated_at: datetime
    owner_staff_id: Optional[int]
    owner_assigned_at: Optional[datetime]
    customer_id: int
    name: str
    tier: str
    is_bad_faith: bool
    owner_name: Optional[str]


@dataclass(frozen=True)
class OpenComplaints:
    """A customer's complaints not closed: how many, and the newest numbers."""

    count: int
    numbers: List[str]


def _reason_clause(dialect: str, kind: str, policy: RiskPolicy) -> Any:
    """True for a flag with a reason of `kind` (its JSON list read element by element)."""
    words, excluded = rules.reason_words(kind, policy)
    elements = (func.json_each(RiskFlag.reasons) if dialect == "sqlite"
                else func.json_array_elements_text(RiskFlag.reasons)).table_valued("value")
    conditions = [elements.c.value.like(f"%{words}%"),
                  *(not_(elements.c.value.like(f"%{x}%")) for x in excluded)]
    return exists(select(literal_column("1")).select_from(elements).where(*conditions))


def filtered(dialect: str, flt: AtRiskFilter, policy: RiskPolicy) -> Select:
    """Open flags joined to their customers, narrowed by the filter (no order, no columns yet)."""
    stmt = (select(RiskFlag.id).join(Customer, Customer.id == RiskFlag.customer_id)
            .where(RiskFlag.status == "open"))
    if flt.level:
        stmt = stmt.where(RiskFlag.level == flt.level)
    if flt.tier:
        stmt = stmt.where(Customer.tier == flt.tier)
    if flt.reason:
        stmt = stmt.where(_reason_clause(dialect, flt.reason, policy))
    if flt.owner == rules.NO_OWNER:
        stmt = stmt.where(RiskFlag.owner_staff_id.is_(None))
    elif flt.owner_id is not None:
        stmt = stmt.where(RiskFlag.owner_staff_id == flt.owner_id)
    return stmt


def _dialect(db: AsyncSession) -> str:
    return db.bind.dialect.name


async def count_flags(db: AsyncSession, flt: AtRiskFilter, policy: RiskPolicy) -> int:
    """How many open flags the filter keeps."""
    inner = filtered(_dialect(db), flt, policy).subquery()
    return int(await db.scalar(select(func.count()).select_from(inner)) or 0)


def _ordered(stmt: Select) -> Select:
    """Highest score first, then the most recently updated."""
    return stmt.order_by(RiskFlag.score.desc(), RiskFlag.updated_at.desc(), RiskFlag.id.desc())


async def flag_rows(db: AsyncSession, flt: AtRiskFilter, policy: RiskPolicy, limit: int,
                    offset: int = 0) -> List[FlagRow]:
    """Open flags the filter keeps, highest risk first."""
    owner = aliased(StaffUser)
    stmt = (_ordered(filtered(_dialect(db), flt, policy))
            .with_only_columns(RiskFlag.id, RiskFlag.score, RiskFlag.level, RiskFlag.reasons,
                               RiskFlag.created_at, RiskFlag.updated_at, RiskFlag.owner_staff_id,
                               RiskFlag.owner_assigned_at, Customer.id, Customer.name,
                               Customer.tier, Customer.is_bad_faith, owner.display_name)
            .outerjoin(owner, owner.id == RiskFlag.owner_staff_id)
            .limit(limit).offset(offset))
    return [FlagRow(*row[:11], bool(row[11]), row[12]) for row in await db.execute(stmt)]


def customers_of(dialect: str, flt: AtRiskFilter, policy: RiskPolicy, limit: int) -> Select:
    """The customers of the first `limit` flags the filter keeps (an export's), worked out once
    per statement however often the statement names them."""
    found = (_ordered(filtered(dialect, flt, policy)).with_only_columns(RiskFlag.customer_id)
             .limit(limit).cte("flagged"))
    return select(found.c.customer_id)


def _conversations(ids: CustomerIds) -> Any:
    """(customer_id, conversation_id) of every conversation known to be the customer's: bound by
    identity, their WeChat OpenID, their handoffs and complaints."""
    return union(
        select(ConversationBinding.customer_id.label("customer_id"),
               ConversationBinding.conversation_id.label("conversation_id"))
        .where(ConversationBinding.customer_id.in_(ids)),
        select(ChannelIdentity.customer_id, ChannelIdentity.external_id)
        .where(ChannelIdentity.customer_id.in_(ids)),
        select(Handoff.customer_id, Handoff.conversation_id).where(Handoff.customer_id.in_(ids)),
        select(Complaint.customer_id, Complaint.conversation_id)
        .where(Complaint.customer_id.in_(ids), Complaint.conversation_id.isnot(None)),
    ).subquery("conversations")


async def latest_contacts(db: AsyncSession, ids: CustomerIds) -> Dict[int, Dict[str, datetime]]:
    """Per customer, the latest moment of each kind of contact (the customer's own message in
    one of their conversations, an order, a complaint, a handoff), in one query; a
    conversation's latest customer message is one index seek."""
    conversations = _conversations(ids)
    latest_message = (select(func.max(ConversationMessage.created_at))
                      .where(ConversationMessage.conversation_id
                             == conversations.c.conversation_id,
                             ConversationMessage.author == "customer")
                      .scalar_subquery())
    per_conversation = select(conversations.c.customer_id.label("customer_id"),
                              latest_message.label("at")).subquery("per_conversation")
    parts = [
        select(literal_column("'message'").label("source"), per_conversation.c.customer_id,
               func.max(per_conversation.c.at).label("at"))
        .group_by(per_conversation.c.customer_id),
        *(select(literal_column(f"'{source}'"), model.customer_id, func.max(model.created_at))
          .where(model.customer_id.in_(ids)).group_by(model.customer_id)
          for source, model in (("order", Order), ("complaint", Complaint),
                                ("handoff", Handoff))),
    ]
    found: Dict[int, Dict[str, datetime]] = {}
    for source, customer_id, at in await db.execute(union_all(*parts)):
        if at is not None:
            found.setdefault(customer_id, {})[source] = at
    return found


async def open_complaints(db: AsyncSession, ids: CustomerIds,
                          shown: Optional[int] = rules.SHOWN_PER_CUSTOMER
                          ) -> Dict[int, OpenComplaints]:
    """Per customer, the complaints not closed: how many, and the newest `shown` numbers (all
    when None)."""
    stmt = (select(Complaint.customer_id, Complaint.number)
            .where(Complaint.customer_id.in_(ids), Complaint.status != "closed")
            .order_by(Complaint.customer_id, Complaint.created_at.desc(), Complaint.id.desc()))
    counts: Dict[int, int] = {}
    numbers: Dict[int, List[str]] = {}
    for customer_id, number in await db.execute(stmt):
        counts[customer_id] = counts.get(customer_id, 0) + 1
        kept = numbers.setdefault(customer_id, [])
        if shown is None or len(kept) < shown:
            kept.append(number)
    return {cid: OpenComplaints(count, numbers[cid]) for cid, count in counts.items()}


async def winback_history(db: AsyncSession, ids: CustomerIds) -> Dict[int, List[Any]]:
    """Per customer, every win-back attempt (the columns the history shows), newest first."""
    stmt = (select(WinBackAttempt.id, WinBackAttempt.customer_id, WinBackAttempt.trigger,
                   WinBackAttempt.tier_used, WinBackAttempt.bad_faith_used, WinBackAttempt.action,
                   WinBackAttempt.offer, WinBackAttempt.outcome, WinBackAttempt.created_at)
            .where(WinBackAttempt.customer_id.in_(ids))
            .order_by(WinBackAttempt.customer_id, WinBackAttempt.created_at.desc(),
                      WinBackAttempt.id.desc()))
    found: Dict[int, List[Any]] = {}
    for attempt in await db.execute(stmt):
        found.setdefault(attempt.customer_id, []).append(attempt)
    return found


async def active_staff(db: AsyncSession) -> List[StaffUser]:
    """Staff members who may own a flag (accounts not disabled), by name."""
    stmt = (select(StaffUser).where(StaffUser.disabled_at.is_(None))
            .order_by(StaffUser.display_name, StaffUser.id))
    return list((await db.execute(stmt)).scalars())


async def active_member(db: AsyncSession, staff_id: int) -> Optional[StaffUser]:
    """The staff member with this id while their account is enabled."""
    member = await db.get(StaffUser, staff_id)
    return member if member is not None and member.disabled_at is None else None


async def locked_flag(db: AsyncSession, flag_id: int) -> Optional[Tuple[RiskFlag, Customer]]:
    """The flag and its customer, row-locked customer first (as the risk signals lock them, so
    the two never wait on each other) on PostgreSQL; None for an unknown flag."""
    customer_id = await db.scalar(select(RiskFlag.customer_id).where(RiskFlag.id == flag_id))
    if customer_id is None:
        return None
    customer = (await db.execute(select(Customer).where(Customer.id == customer_id)
                                 .with_for_update())).scalar_one()
    flag = (await db.execute(select(RiskFlag).where(RiskFlag.id == flag_id).with_for_update()
                             .execution_options(populate_existing=True))).scalar_one()
    return flag, customer


def facts(flag: RiskFlag, customer: Customer) -> FlagFacts:
    """What the notifications say about the flag's customer."""
    return FlagFacts(customer.id, customer.name, customer.tier, flag.level, flag.score,
                     tuple(flag.reasons or ()))


def _notify(db: AsyncSession, recipient: StaffUser, customer: Customer, kind: str, message: str,
            now: datetime) -> Notification:
    note = Notification(recipient_staff_id=recipient.id, customer_id=customer.id, kind=kind,
                        message=message, status="unread", created_at=now)
    db.add(note)
    return note


async def set_owner(db: AsyncSession, flag: RiskFlag, customer: Customer,
                    owner: Optional[StaffUser], manager_name: str, now: datetime) -> str:
    """Give the flag a new owner (notified) or none; what happened, as a NOTICES key. The caller
    holds the locks (`locked_flag`) and commits."""
    new_id = owner.id if owner is not None else None
    if flag.owner_staff_id == new_id:
        return "owner_same"
    flag.owner_staff_id, flag.owner_assigned_at = new_id, now if owner is not None else None
    if owner is None:
        return "owner_cleared"
    _notify(db, owner, customer, "at_risk_owner",
            rules.owner_message(facts(flag, customer), manager_name), now)
    return "owner"


async def start_task(db: AsyncSession, flag: RiskFlag, customer: Customer, key: str,
                     manager: StaffUser, now: datetime) -> Tuple[WinBackAttempt, bool]:
    """A win-back task for the flag's owner (the manager when the flag has none, who then owns
    it, or when the owner's account is disabled), its notification, once per key; (attempt, created?). The caller holds the locks
    (`locked_flag`) and commits."""
    earlier = await by_key(db, WinBackAttempt, key)
    if earlier is not None:
        return earlier, False
    current = (await active_member(db, flag.owner_staff_id)
               if flag.owner_staff_id is not None else None)
    owner = current or manager
    if flag.owner_staff_id is None:
        flag.owner_staff_id, flag.owner_assigned_at = manager.id, now
    note = _notify(db, owner, customer, "winback_task",
                   rules.task_message(facts(flag, customer), manager.display_name), now)
    await db.flush()
    attempt = WinBackAttempt(
        customer_id=customer.id, conversation_id=None, trigger=rules.TASK_TRIGGER,
        tier_used=customer.tier, bad_faith_used=bool(customer.is_bad_faith),
        action=rules.TASK_ACTION, notification_id=note.id, idempotency_key=key, created_at=now,
        offer={"kind": "task", "title": "专人挽回任务", "flag_id": flag.id,
               "owner_staff_id": owner.id, "owner_name": owner.display_name,
               "started_by_staff_id": manager.id, "started_by": manager.display_name})
    stored, created = await insert_once(db, attempt)
    if not created:
        await db.delete(note)
    return stored, created
