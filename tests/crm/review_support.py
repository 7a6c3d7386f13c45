"""A database of its own for the overview's tests (the shared seeded one gets writes from other
tests): freshly migrated on SQLite or PostgreSQL, empty or holding a small service history
built row by row, whose figures the tests work out by hand.

"Now" is Wednesday 2026-12-10 15:00 Beijing. The default period (7 days) is 12-04 00:00 to
12-10 15:00 Beijing; the period before is 11-27 00:00 to 12-03 15:00 Beijing.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator


from crm_backend.core.db import create_engine, create_sessionmaker
from crm_backend.core.migrate import upgrade
from crm_backend.core.models import (Complaint, ConversationMessage, Coupon, Customer, FollowUp,
                                     Handoff, Order, PointsEntry, Refund, RiskFlag,
                                     SatisfactionAnswer, StaffUser, WinBackAttempt)
from crm_backend.core.time import BEIJING

from .databases import database_on


def bj(month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A Beijing wall-clock moment of 2026."""
    return datetime(2026, month, day, hour, minute, second, tzinfo=BEIJING)


NOW = bj(12, 10, 15)


def _message(conversation: str, author: str, at: datetime, handoff: Any = None,
             staff: Any = None) -> ConversationMessage:
    return ConversationMessage(conversation_id=conversation, channel="wechat", author=author,
                               text=f"{author} 的消息", created_at=at, staff_id=staff,
                               handoff_id=handoff)


def _complaint(number: str, customer: Customer, category: str, severity: str, status: str,
               accepted: Any, at: datetime) -> Complaint:
    return Complaint(number=number, customer_id=customer.id, customer_tier=customer.tier,
                     category=category, severity=severity, customer_words="东西有问题",
                     status=status, current_step=3, channel="wechat",
                     conversation_id=f"conv-{number}", remedy_accepted=accepted,
                     created_at=at, updated_at=at)


async def _history(db: Any) -> None:
    """The constructed history (see the module's docstring and the tests' expectations)."""
    agent = StaffUser(username="review-agent", display_name="客服甲", role="agent",
                      password_hash="x", created_at=bj(1, 1, 9))
    key = Customer(name="关键客户甲", phone="13800000001", tier="key", created_at=bj(1, 1, 9))
    ordinary = Customer(name="普通客户乙", phone="13800000002", tier="ordinary",
                        created_at=bj(1, 1, 9))
    small = Customer(name="小客户丙", phone="13800000003", tier="small", created_at=bj(1, 1, 9))
    db.add_all([agent, key, ordinary, small])
    await db.flush()
    order = Order(order_no="KF202612010001", customer_id=key.id, status="delivered",
                  items_total_fen=19900, total_fen=19900, receiver_name="甲",
                  receiver_phone="13800000001", address="上海", created_at=bj(12, 1, 9))
    db.add(order)
    await db.flush()

    def handoff(conversation: str, status: str, created: datetime, assigned: Any = None,
                first: Any = None, closed: Any = None, back: Any = None, score: Any = None,
                score_at: Any = None) -> Handoff:
        row = Handoff(conversation_id=conversation, customer_id=key.id, reason="customer_request",
                      priority=0, status=status, assigned_staff_id=agent.id if assigned else None,
                      created_at=created, assigned_at=assigned, first_response_at=first,
                      closed_at=closed, handed_back_at=back, csat_score=score, csat_at=score_at)
        db.add(row)
        return row

    # w1, 12-05: handed off, handed back with a 5, then handed off again (reopened) and closed.
    h1 = handoff("w1", "closed", bj(12, 5, 10, 1, 10), bj(12, 5, 10, 2, 10), bj(12, 5, 10, 3, 10),
                 bj(12, 5, 10, 11, 10), bj(12, 5, 10, 11, 10), 5, bj(12, 5, 10, 12))
    h2 = handoff("w1", "closed", bj(12, 5, 10, 20, 30), bj(12, 5, 10, 21, 30),
                 bj(12, 5, 10, 21, 30), bj(12, 5, 10, 40, 30))
    # w2, 12-05 late evening: nobody took it, it expired after midnight.
    handoff("w2", "expired", bj(12, 5, 23, 55), closed=bj(12, 6, 0, 10))
    # w4, 12-07: handed back, the customer never answered the score question.
    h4 = handoff("w4", "closed", bj(12, 7, 14, 0, 30), bj(12, 7, 14, 5, 30), bj(12, 7, 14, 15, 30),
                 bj(12, 7, 14, 30, 30), bj(12, 7, 14, 30, 30))
    # w5, 12-08: still waiting.
    handoff("w5", "waiting", bj(12, 8, 11, 0, 20))
    # w6, 12-09: claimed and answered, still open; the agent writes again on 12-10.
    h6 = handoff("w6", "assigned", bj(12, 9, 16, 0, 10), bj(12, 9, 16, 0, 40), bj(12, 9, 16, 1, 10))
    # Before: p1 on 11-28 handed off and back with a 4.
    handoff("p1", "closed", bj(11, 28, 10), bj(11, 28, 10, 1), bj(11, 28, 10, 2),
            bj(11, 28, 10, 10), bj(11, 28, 10, 10), 4, bj(11, 28, 10, 11))
    await db.flush()
    db.add_all([
        _message("w1", "customer", bj(12, 5, 10)), _message("w1", "bot", bj(12, 5, 10, 0, 5)),
        _message("w1", "customer", bj(12, 5, 10, 1)),
        _message("w1", "agent", bj(12, 5, 10, 3, 10), h1.id, agent.id),
        _message("w1", "customer", bj(12, 5, 10, 20)),
        _message("w1", "agent", bj(12, 5, 10, 21, 30), h2.id, agent.id),
        _message("w1", "customer", bj(12, 6, 9)), _message("w1", "bot", bj(12, 6, 9, 0, 3)),
        _message("w2", "customer", bj(12, 5, 23, 50)),
        # 07:30 Beijing is still 12-05 in UTC: the conversation belongs to Beijing's 12-06.
        _message("w3", "customer", bj(12, 6, 7, 30)), _message("w3", "bot", bj(12, 6, 7, 30, 2)),
        _message("w4", "customer", bj(12, 7, 14)),
        _message("w4", "agent", bj(12, 7, 14, 15, 30), h4.id, agent.id),
        _message("w5", "customer", bj(12, 8, 11)),
        _message("w6", "customer", bj(12, 9, 16)),
        _message("w6", "agent", bj(12, 9, 16, 1, 10), h6.id, agent.id),
        _message("w6", "customer", bj(12, 10, 9)),
        _message("w6", "agent", bj(12, 10, 9, 1), h6.id, agent.id),
        _message("w7", "customer", bj(12, 9, 20)), _message("w7", "bot", bj(12, 9, 20, 0, 2)),
        _message("p1", "customer", bj(11, 28, 9, 58)),
        _message("p2", "customer", bj(11, 29, 12)), _message("p2", "bot", bj(11, 29, 12, 0, 3)),
        # After the previous period's cut (15:00) and before this period: in neither.
        _message("x1", "customer", bj(12, 3, 18)),
    ])
    k1 = _complaint("TS202612040001", key, "product_quality", "high", "reopened", True,
                    bj(12, 4, 0, 30))
    k2 = _complaint("TS202612050001", ordinary, "delivery", "medium", "closed", True,
                    bj(12, 5, 9))
    k3 = _complaint("TS202612060001", small, "delivery", "low", "closed", True, bj(12, 6, 9))
    k4 = _complaint("TS202612070001", ordinary, "price", "low", "awaiting_follow_up", True,
                    bj(12, 7, 9))
    k5 = _complaint("TS202612080001", small, "service_attitude", "medium", "handed_off", False,
                    bj(12, 8, 9))
    k6 = _complaint("TS202612090001", small, "other", "low", "remedy_proposed", None, bj(12, 9, 9))
    k7 = _complaint("TS202612100001", key, "wrong_or_missing", "high", "open", None,
                    bj(12, 10, 9))
    p1 = _complaint("TS202612030001", small, "price", "low", "open", None, bj(12, 3, 14))
    x1 = _complaint("TS202612030002", small, "price", "low", "open", None, bj(12, 3, 23, 30))
    db.add_all([k1, k2, k3, k4, k5, k6, k7, p1, x1])
    await db.flush()
    winback = WinBackAttempt(customer_id=ordinary.id, trigger="churn_language",
                             tier_used="ordinary", action="retention_offer", outcome="accepted",
                             idempotency_key="winback:t2", created_at=bj(12, 6, 10))
    db.add(winback)
    await db.flush()

    def follow_up(complaint: Any, fired: datetime, winback_id: Any = None) -> FollowUp:
        return FollowUp(complaint_id=complaint.id if complaint else None,
                        winback_attempt_id=winback_id, conversation_id="fu", due_at=fired,
                        status="fired", fired_at=fired, attempts=1, created_at=fired)

    def answer(complaint: Complaint, score: int, resolved: bool, at: datetime
               ) -> SatisfactionAnswer:
        return SatisfactionAnswer(customer_id=complaint.customer_id, complaint_id=complaint.id,
                                  conversation_id="fu", score=score, resolved=resolved,
                                  created_at=at)

    db.add_all([
        follow_up(k1, bj(12, 8, 9)), follow_up(k2, bj(12, 9, 9)), follow_up(k3, bj(12, 9, 9, 30)),
        follow_up(k4, bj(12, 10, 9)), follow_up(None, bj(12, 8, 9), winback.id),
        answer(k1, 2, False, bj(12, 8, 12)), answer(k2, 4, True, bj(12, 9, 10)),
        answer(k3, 3, True, bj(12, 9, 11)), answer(k1, 1, False, bj(12, 10, 8)),
        Refund(order_id=order.id, amount_fen=5000, status="approved", reason="投诉退款",
               idempotency_key=f"complaint:{k1.number}:refund", created_at=bj(12, 4, 10, 5),
               updated_at=bj(12, 4, 10, 5)),
        Refund(order_id=order.id, amount_fen=3000, status="rejected", reason="投诉退款",
               idempotency_key=f"complaint:{k2.number}:refund", created_at=bj(12, 5, 10),
               updated_at=bj(12, 5, 10)),
        Refund(order_id=order.id, amount_fen=9900, status="approved", reason="取消订单",
               idempotency_key="cancel:r1", created_at=bj(12, 5, 11), updated_at=bj(12, 5, 11)),
        Coupon(customer_id=small.id, code="CPREVIEW1", value_fen=2000, min_spend_fen=0,
               status="active", reason="投诉补偿", idempotency_key=f"complaint:{k3.number}:coupon",
               expires_at=bj(12, 30, 0), created_at=bj(12, 6, 10)),
        Coupon(customer_id=ordinary.id, code="CPREVIEW2", value_fen=1000, min_spend_fen=0,
               status="active", reason="挽回", idempotency_key="winback:t2",
               expires_at=bj(12, 30, 0), created_at=bj(12, 6, 10)),
        PointsEntry(customer_id=ordinary.id, delta=300, reason="投诉补偿", source="complaint",
                    idempotency_key=f"complaint:{k4.number}:points", created_at=bj(12, 7, 10)),
        PointsEntry(customer_id=ordinary.id, delta=100, reason="人工发放", source="agent",
                    idempotency_key="agent-grant:a1", created_at=bj(12, 7, 11)),
    ])
    for number, customer, tier, outcome, at in (
            (1, key, "key", "stayed", bj(12, 5, 12)), (3, ordinary, "ordinary", "left", bj(12, 7, 12)),
            (4, small, "small", None, bj(12, 8, 12)), (5, small, "small", "declined", bj(12, 9, 12)),
            (6, small, "small", "stayed", bj(11, 30, 12))):
        db.add(WinBackAttempt(customer_id=customer.id, trigger="churn_language", tier_used=tier,
                              action="retention_offer", outcome=outcome,
                              idempotency_key=f"winback:t{number}", created_at=at))
    for customer, level, status, at in ((key, "high", "open", bj(10, 1, 9)),
                                        (ordinary, "high", "open", bj(12, 6, 9)),
                                        (small, "medium", "open", bj(11, 28, 9)),
                                        (small, "medium", "resolved", bj(12, 7, 9))):
        db.add(RiskFlag(customer_id=customer.id, score=60, level=level, reasons=["测试"],
                        status=status, created_at=at, updated_at=at))


async def _prepare(url: str, populate: bool) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        if populate:
            async with create_sessionmaker(engine)() as db:
                await _history(db)
                await db.commit()
    finally:
        await engine.dispose()


def review_database(backend: str, directory: Callable[[], Path], populate: bool
                    ) -> Iterator[str]:
    """The URL of a fresh migrated database on `backend` (with the constructed history when
    `populate`), for a module fixture to yield; PostgreSQL is skipped when unreachable."""
    yield from database_on(backend, directory, lambda url: asyncio.run(_prepare(url, populate)))


