"""When a waiting handoff returns to the bot: the rules with a moved clock, the policy file, and
the expiry pass on SQLite and PostgreSQL (the call-back recorded, a claimed one left alone)."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from crm_backend.core.db import create_engine, create_sessionmaker
from crm_backend.core.models import Handoff, Notification
from crm_backend.core.policy_files import PolicyError
from crm_backend.core.time import BEIJING
from crm_backend.handoffs.policy import HandoffPolicy, parse_handoff_policy
from crm_backend.handoffs.rules import expiry_reason, in_service_hours
from crm_backend.handoffs.runner import expire_due

POLICY = HandoffPolicy(expire_after=timedelta(minutes=15), poll_seconds=30, opens=time(9),
                       closes=time(21), max_points={"agent": 500, "manager": 5000},
                       max_coupon_yuan={"agent": 50, "manager": 300}, coupon_valid_days=30,
                       max_refund_yuan={"agent": 300, "manager": 5000})


def beijing(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=BEIJING).astimezone(timezone.utc)


@pytest.mark.parametrize("at, open_", [((8, 59), False), ((9, 0), True), ((20, 59), True),
                                       ((21, 0), False), ((3, 0), False)])
def test_service_hours_by_beijing_clock(at, open_) -> None:
    assert in_service_hours(beijing(*at), time(9), time(21)) is open_


def test_why_a_handoff_returns_to_the_bot() -> None:
    created = beijing(10)
    args = (POLICY.expire_after, POLICY.opens, POLICY.closes)
    assert expiry_reason("waiting", created, beijing(10, 14), *args) is None
    assert expiry_reason("waiting", created, beijing(10, 15), *args) == "timeout"
    assert expiry_reason("waiting", beijing(20, 58), beijing(21, 1), *args) == "after_hours"
    assert expiry_reason("assigned", created, beijing(23), *args) is None


def test_the_policy_file_is_checked() -> None:
    actions = {"agent_max_points": 100, "manager_max_points": 1000, "agent_max_coupon_yuan": 20,
               "manager_max_coupon_yuan": 200, "coupon_valid_days": 7,
               "agent_max_refund_yuan": 100, "manager_max_refund_yuan": 900}
    parsed = parse_handoff_policy({"queue": {"expire_after_minutes": 5, "poll_seconds": 10},
                                   "service_hours": {"opens": "00:00", "closes": "24:00"},
                                   "agent_actions": actions})
    assert parsed.closes == time.max and parsed.expire_after == timedelta(minutes=5)
    assert (parsed.points_limit("agent"), parsed.points_limit("manager")) == (100, 1000)
    for hours in ({"opens": "9:00", "closes": "21:00"}, {"opens": "21:00", "closes": "09:00"},
                  {"opens": "09:00"}):
        with pytest.raises(PolicyError):
            parse_handoff_policy({"queue": {"expire_after_minutes": 5, "poll_seconds": 10},
                                  "service_hours": hours, "agent_actions": actions})


async def test_the_pass_expires_only_what_is_due_and_books_a_call_back(database) -> None:
    engine = create_engine(database.url)
    sessions = create_sessionmaker(engine)
    created = beijing(10)
    names = [f"expiry-{uuid.uuid4().hex}" for _ in range(3)]
    async with sessions() as db:
        rows = [Handoff(conversation_id=names[0], reason="客户要求人工", created_at=created),
                Handoff(conversation_id=names[1], reason="客户要求人工",
                        created_at=created + timedelta(minutes=10)),
                Handoff(conversation_id=names[2], reason="客户要求人工", created_at=created,
                        status="assigned", assigned_at=created)]
        db.add_all(rows)
        await db.commit()
        ids = [r.id for r in rows]

    class Clock:
        def now(self) -> datetime:
            return beijing(10, 16)

    try:
        expired = await expire_due(sessions, None, Clock(), POLICY)
        assert ids[0] in expired and ids[1] not in expired and ids[2] not in expired
        async with sessions() as db:
            statuses = {h.id: h.status for h in (await db.execute(
                select(Handoff).where(Handoff.id.in_(ids)))).scalars()}
            notes = (await db.execute(select(Notification).where(
                Notification.conversation_id == names[0]))).scalars().all()
        assert statuses == {ids[0]: "expired", ids[1]: "waiting", ids[2]: "assigned"}
        assert [n.kind for n in notes] == ["callback"] and "回电" in notes[0].message
        assert ids[0] not in await expire_due(sessions, None, Clock(), POLICY)
    finally:
        async with sessions() as db:
            for row in (await db.execute(select(Handoff).where(Handoff.id.in_(ids)))).scalars():
                row.status = "closed" if row.status != "expired" else row.status
            await db.commit()
        await engine.dispose()
