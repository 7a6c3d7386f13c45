"""record_risk_signal against both databases: flags raised, updated and idempotent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crm_backend.core.models import Complaint, RiskFlag, RiskSignal, SatisfactionAnswer
from crm_backend.risk.policy import RiskPolicy
from crm_backend.risk.store import UnknownSignal, record_risk_signal

from .databases import TestDatabase
from .loyalty_support import NOW, key, new_customer, sessions

P = RiskPolicy()


@pytest.fixture
async def db(database: TestDatabase):
    async for session in sessions(database.url):
        yield session


def _complaint(customer_id: int, days_ago: int, tier: str = "ordinary") -> Complaint:
    stamp = NOW - timedelta(days=days_ago)
    return Complaint(
        number=key("TS")[:20], customer_id=customer_id, customer_tier=tier,
        category="product_quality",
        severity="moderate", status="open", current_step=2, channel="web",
        created_at=stamp, updated_at=stamp,
    )


async def test_churn_words_raise_a_medium_flag_once(db) -> None:
    customer = await new_customer(db)
    idem = key("churn")
    for _ in range(2):
        flag = await record_risk_signal(db, customer_id=customer.id, signal="churn_language",
                                        detail="再也不买了", conversation_id="c1",
                                        idempotency_key=idem, now=NOW, policy=P)
        await db.commit()
    assert (flag.level, flag.score) == ("medium", 50)
    assert flag.reasons == ["表达流失意向1次（“再也不买了”）"]
    signals = await db.scalar(select(func.count(RiskSignal.id)).where(
        RiskSignal.customer_id == customer.id))
    flags = await db.scalar(
        select(func.count(RiskFlag.id)).where(RiskFlag.customer_id == customer.id))
    assert (signals, flags) == (1, 1)


async def test_three_complaints_in_window_and_a_low_score(db) -> None:
    customer = await new_customer(db)
    db.add_all([_complaint(customer.id, d) for d in (2, 10, 40)])
    db.add(SatisfactionAnswer(customer_id=customer.id, conversation_id="c2", score=2,
                              created_at=NOW - timedelta(days=1)))
    await db.commit()
    flag = await record_risk_signal(db, customer_id=customer.id, signal="complaint", detail="",
                                    conversation_id=None, idempotency_key=key(), now=NOW, policy=P)
    await db.commit()
    assert flag.reasons == ["满意度2分", "30天内投诉2次"]
    db.add(_complaint(customer.id, 1))
    await db.commit()
    flag = await record_risk_signal(db, customer_id=customer.id, signal="repeated_complaints",
                                    detail="", conversation_id=None, idempotency_key=key(),
                                    now=NOW, policy=P)
    await db.commit()
    assert flag.reasons == ["30天内投诉3次", "满意度2分"]
    assert (flag.score, flag.level) == (95, "high")


async def test_a_single_weak_signal_still_opens_a_low_flag(db) -> None:
    customer = await new_customer(db)
    flag = await record_risk_signal(db, customer_id=customer.id, signal="negative_emotion",
                                    detail="", conversation_id="c3", idempotency_key=key(),
                                    now=NOW, policy=P)
    await db.commit()
    assert (flag.level, flag.score, flag.reasons) == ("low", 15, ["强烈负面情绪1次"])


async def test_unknown_signal_and_customer(db) -> None:
    customer = await new_customer(db)
    with pytest.raises(UnknownSignal):
        await record_risk_signal(db, customer_id=customer.id, signal="grumpy", detail="",
                                 conversation_id=None, idempotency_key=key(), now=NOW,
                                 policy=P)
    with pytest.raises(LookupError):
        await record_risk_signal(db, customer_id=99_999_999, signal="complaint", detail="",
                                 conversation_id=None, idempotency_key=key(), now=NOW,
                                 policy=P)
