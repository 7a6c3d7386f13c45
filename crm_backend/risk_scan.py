"""The periodic risk scan and the at-risk list query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .idempotent import insert_once
from .models import Customer, RiskFlag, RiskSignal
from .risk import assess
from .risk_policy import RiskPolicy
from .risk_signals import gather_facts, open_flag, store_assessment
from .timeutil import BEIJING


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
