"""Identity in the database: order-number guesses checked one at a time per conversation, order
number and source, every attempt recorded, and each conversation's binding to a customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from crm_backend.core.db import insert_for
from crm_backend.core.models import ConversationBinding, Customer, IdentityAttempt, IdentitySubject
from crm_backend.customers.store import customer_by_id
from crm_backend.identity import rules
from crm_backend.identity.policy import IdentityPolicy
from crm_backend.orders.store import order_with_customer

# The attempt column each scope's limit counts by.
SCOPE_COLUMNS = {"conversation": IdentityAttempt.conversation_id,
                 "order": IdentityAttempt.order_no,
                 "source": IdentityAttempt.source}


@dataclass(frozen=True)
class Verification:
    """What one guess came to: a binding (with its customer), a miss, or a lock until when."""

    binding: Optional[ConversationBinding] = None
    customer: Optional[Customer] = None
    locked_until: Optional[datetime] = None


async def _hold(db: AsyncSession, subjects: List[Tuple[str, str]], now: datetime) -> None:
    """Lock the subjects' rows, created when missing, always in the same order (no deadlock), so
    attempts sharing a conversation, order number or source are checked one after another.

    PostgreSQL: row locks (FOR UPDATE) held to commit. SQLite ignores FOR UPDATE, but this
    INSERT, run as the transaction's first statement, takes the database's write lock until
    commit, which serialises the whole check the same way.
    """
    table = IdentitySubject.__table__
    await db.execute(insert_for(db)(table).values(
        [{"scope": scope, "subject": subject, "created_at": now} for scope, subject in subjects]
    ).on_conflict_do_nothing(index_elements=["scope", "subject"]))
    await db.execute(
        select(IdentitySubject.id)
        .where(or_(*(and_(IdentitySubject.scope == scope, IdentitySubject.subject == subject)
                     for scope, subject in subjects)))
        .order_by(IdentitySubject.scope, IdentitySubject.subject)
        .with_for_update())


async def _failures(db: AsyncSession, subjects: List[Tuple[str, str]], since: datetime
                    ) -> Dict[str, List[datetime]]:
    """The wrong guesses since `since` for each subject's scope."""
    wanted = dict(subjects)
    stmt = (select(IdentityAttempt.conversation_id, IdentityAttempt.order_no,
                   IdentityAttempt.source, IdentityAttempt.attempted_at)
            .where(IdentityAttempt.outcome == "no_match", IdentityAttempt.attempted_at >= since,
                   or_(*(SCOPE_COLUMNS[scope] == value for scope, value in subjects))))
    failures: Dict[str, List[datetime]] = {scope: [] for scope in wanted}
    for row in await db.execute(stmt):
        for scope, value in wanted.items():
            if getattr(row, SCOPE_COLUMNS[scope].key) == value:
                failures[scope].append(row.attempted_at)
    return failures


async def _bind(db: AsyncSession, *, conversation_id: str, customer_id: int, order_no: str,
                now: datetime, policy: IdentityPolicy) -> ConversationBinding:
    """Bind the conversation for the policy's fixed lifetime, replacing any earlier binding."""
    values = {"customer_id": customer_id, "order_no": order_no, "bound_at": now,
              "expires_at": now + policy.binding_lifetime}
    table = ConversationBinding.__table__
    await db.execute(insert_for(db)(table).values(conversation_id=conversation_id, **values)
                     .on_conflict_do_update(index_elements=["conversation_id"], set_=values))
    stmt = (select(ConversationBinding)
            .where(ConversationBinding.conversation_id == conversation_id)
            .execution_options(populate_existing=True))
    return (await db.execute(stmt)).scalar_one()


async def verify_and_bind(db: AsyncSession, *, order_no: str, phone_tail: str,
                          conversation_id: str, source: Optional[str], policy: IdentityPolicy,
                          now: datetime) -> Verification:
    """Check one guess unless a limit locks it, record the attempt, and bind the conversation on
    a match. Run it first in a fresh transaction; the caller commits whatever the outcome."""
    subjects = sorted([("conversation", conversation_id), ("order", order_no)]
                      + ([("source", source)] if source is not None else []))
    await _hold(db, subjects, now)
    failures = await _failures(db, subjects, now - policy.history)
    locked_until = rules.locked_until(failures, policy, now)
    order = None if locked_until is not None else await order_with_customer(db, order_no)
    if order is not None and not rules.tail_matches(order.customer.phone, phone_tail):
        order = None
    outcome = "locked" if locked_until is not None else "matched" if order else "no_match"
    db.add(IdentityAttempt(conversation_id=conversation_id, order_no=order_no, source=source,
                           outcome=outcome, customer_id=order.customer_id if order else None,
                           attempted_at=now))
    if order is None:
        return Verification(locked_until=locked_until)
    binding = await _bind(db, conversation_id=conversation_id, customer_id=order.customer_id,
                          order_no=order_no, now=now, policy=policy)
    return Verification(binding=binding, customer=order.customer)


async def live_binding(db: AsyncSession, conversation_id: str, now: datetime
                       ) -> Optional[ConversationBinding]:
    """The conversation's binding with its customer, unless there is none or it has expired."""
    stmt = (select(ConversationBinding)
            .where(ConversationBinding.conversation_id == conversation_id,
                   ConversationBinding.expires_at > now)
            .options(selectinload(ConversationBinding.customer)))
    return (await db.execute(stmt)).scalar_one_or_none()


async def end_binding(db: AsyncSession, conversation_id: str) -> None:
    """Forget the conversation's binding (nothing to do when there is none)."""
    await db.execute(delete(ConversationBinding)
                     .where(ConversationBinding.conversation_id == conversation_id))


async def customer_for_token(db: AsyncSession, token: str, *, config: Any,
                             now: datetime) -> Optional[Customer]:
    """The customer a shop-signed token names under the CRM's secret and token lifetime
    (`config`), or None when it is forged, expired or names no customer."""
    try:
        customer_id = rules.verify_customer_token(config.token_secret, token, now,
                                                  config.customer_token_max_lifetime)
    except rules.InvalidCustomerToken:
        return None
    return await customer_by_id(db, customer_id)
