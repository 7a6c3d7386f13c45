"""Risk in the database: signals recorded once, each customer's open flag, the scan and the at-risk list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import List, Optional

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.core.idempotency import insert_once
from crm_backend.core.models import (Complaint, Customer, Order, RiskFlag, RiskSignal,
                                     SatisfactionAnswer)
from crm_backend.core.time import BEIJING
from crm_backend.loyalty.rules import VALUE_STATUSES
from crm_backend.risk.policy import RiskPolicy
from crm_backend.risk.rules import (SIGNALS, RiskAssessment, RiskFacts, assess,
                                    silence_after_regular_buying)


class UnknownSignal(ValueError):
    """The signal name is not one of `risk.SIGNALS`."""


async def _signals(session: AsyncSession, customer_id: int, since: datetime, now: datetime):
    """Signals of a customer inside the window, oldest first."""
    stmt = (
        select(RiskSignal.signal, RiskSignal.detail)
        .where(RiskSignal.customer_id == customer_id, RiskSignal.created_at >= since,
               RiskSignal.created_at <= now)
        .order_by(RiskSignal.created_at, RiskSignal.id)
    )
    return list(await session.execute(stmt))


async def gather_facts(
    session: AsyncSession, customer_id: int, now: datetime, policy: RiskPolicy
) -> RiskFacts:
    """Complaints, satisfaction answers, signals and order rhythm of one customer."""
    since = now - timedelta(days=policy.window_days)
    complaints = await session.scalar(
        select(func.count(Complaint.id)).where(
            Complaint.customer_id == customer_id, Complaint.created_at >= since,
            Complaint.created_at <= now)
    )
    lowest = await session.scalar(
        select(func.min(SatisfactionAnswer.score)).where(
            SatisfactionAnswer.customer_id == customer_id, SatisfactionAnswer.created_at >= since,
            SatisfactionAnswer.created_at <= now)
    )
    signals = await _signals(session, customer_id, since, now)
    names = [name for name, _ in signals]
    order_times = (await session.execute(
        select(Order.created_at).where(Order.customer_id == customer_id,
                                       Order.status.in_(VALUE_STATUSES))
    )).scalars()
    silence = silence_after_regular_buying(list(order_times), now, policy)
    fallback_silence = next((d for n, d in reversed(signals) if n == "inactivity" and d), None)
    return RiskFacts(
        complaints=max(int(complaints or 0), names.count("complaint")),
        churn_details=tuple(d for n, d in signals if n == "churn_language"),
        negative_emotions=names.count("negative_emotion"),
        lowest_satisfaction=lowest,
        low_satisfaction_signals=names.count("low_satisfaction"),
        inactivity=silence or fallback_silence,
    )


async def open_flag(session: AsyncSession, customer_id: int) -> Optional[RiskFlag]:
    """The customer's open risk flag, if any."""
    stmt = (
        select(RiskFlag)
        .where(RiskFlag.customer_id == customer_id, RiskFlag.status == "open")
        .order_by(RiskFlag.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def store_assessment(
    session: AsyncSession, customer_id: int, result: RiskAssessment, now: datetime
) -> RiskFlag:
    """Create or update the open flag with a new assessment (level at least `low`)."""
    flag = await open_flag(session, customer_id)
    level = result.level or "low"
    if flag is None:
        flag = RiskFlag(customer_id=customer_id, status="open", created_at=now)
        session.add(flag)
    flag.score, flag.level, flag.reasons, flag.updated_at = result.score, level, result.reasons, now
    await session.flush()
    return flag


async def _lock_customer(session: AsyncSession, customer_id: int) -> Customer:
    """Row-lock the customer (PostgreSQL) so concurrent flag updates queue up."""
    stmt = select(Customer).where(Customer.id == customer_id).with_for_update()
    customer = (await session.execute(stmt)).scalar_one_or_none()
    if customer is None:
        raise LookupError(f"customer {customer_id} does not exist")
    return customer


async def record_risk_signal(
    session: AsyncSession,
    *,
    customer_id: int,
    signal: str,
    detail: str,
    conversation_id: Optional[str],
    idempotency_key: str,
    now: datetime,
    policy: RiskPolicy,
) -> RiskFlag:
    """Record a signal once per key and raise or update the customer's open risk flag.

    The flag is recomputed from every fact in the window (complaints table, satisfaction
    answers, signals, order rhythm), so repeats change nothing. The caller commits.
    """
    if signal not in SIGNALS:
        raise UnknownSignal(f"unknown risk signal {signal!r}")
    await _lock_customer(session, customer_id)
    await insert_once(session, RiskSignal(
        customer_id=customer_id, signal=signal, detail=detail[:255],
        conversation_id=conversation_id, idempotency_key=idempotency_key, created_at=now,
    ))
    facts = await gather_facts(session, customer_id, now, policy)
    return await store_assessment(session, customer_id, assess(facts, policy), now)


@dataclass(frozen=True)
class ScanResult:
    """How many customers were looked at and which flags were raised or updated."""

    scanned: int
    flagged: List[int]


async def scan(session: AsyncSession, now: datetime, policy: RiskPolicy) -> ScanResult:
    """Assess every customer; raise flags at the policy threshold, refresh open ones.

    A silent regular buyer also gets one `inactivity` signal per Beijing day, so running
    the scan twice on the same day changes nothing. The caller commits.
    """
    day = now.astimezone(BEIJING).date().isoformat()
    ids = list((await session.execute(select(Customer.id).order_by(Customer.id))).scalars())
    flagged: List[int] = []
    for customer_id in ids:
        facts = await gather_facts(session, customer_id, now, policy)
        result = assess(facts, policy)
        existing = await open_flag(session, customer_id)
        if existing is None and result.score < policy.scan_raise_at:
            continue
        if facts.inactivity:
            await insert_once(session, RiskSignal(
                customer_id=customer_id, signal="inactivity", detail=facts.inactivity,
                idempotency_key=f"scan:inactivity:{customer_id}:{day}", created_at=now))
        await store_assessment(session, customer_id, result, now)
        flagged.append(customer_id)
    return ScanResult(scanned=len(ids), flagged=flagged)


async def open_flags(session: AsyncSession, level: Optional[str], tier: Optional[str]
                     ) -> List[RiskFlag]:
    """Open flags with their customers, highest score first, optionally filtered."""
    stmt = (
        select(RiskFlag, Customer)
        .join(Customer, Customer.id == RiskFlag.customer_id)
        .where(RiskFlag.status == "open")
        .order_by(RiskFlag.score.desc(), RiskFlag.updated_at.desc(), RiskFlag.id)
    )
    if level is not None:
        stmt = stmt.where(RiskFlag.level == level)
    if tier is not None:
        stmt = stmt.where(Customer.tier == tier)
    return list(await session.execute(stmt))
