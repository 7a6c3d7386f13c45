"""The daily loyalty jobs: due days as rules, one pass per day on both databases, catch-up after
downtime, and the loop the CRM process starts on its own."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import delete, func, select

from crm_backend.app import create_app
from crm_backend.core.config import POLICY_DIR, CRMConfig
from crm_backend.core.db import create_engine, create_sessionmaker
from crm_backend.core.models import Customer, DailyJobRun, PointsEntry
from crm_backend.core.time import BEIJING
from crm_backend.jobs.rules import days_to_run, latest_due_day, next_run_at
from crm_backend.jobs.runner import run_daily_jobs
from crm_backend.loyalty.policy import load_rewards_policy
from crm_backend.risk.policy import load_risk_policy

from .complaint_support import database  # noqa: F401 (own database: the scan writes flags)

REWARDS = load_rewards_policy(POLICY_DIR / "rewards.toml")
RISK = load_risk_policy(POLICY_DIR / "risk.toml")


def bj(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)


D = date(2031, 3, 10)


@pytest.mark.parametrize("now, expected", [(bj(D, 3), D), (bj(D, 2), D - timedelta(days=1)),
                                           (bj(D, 23), D)])
def test_latest_due_day(now, expected) -> None:
    assert latest_due_day(now, 3) == expected


@pytest.mark.parametrize("last, now, expected", [
    (None, bj(D, 4), [D]),
    (D, bj(D, 23), []),
    (D - timedelta(days=1), bj(D, 2), []),
    (D - timedelta(days=3), bj(D, 4), [D - timedelta(days=2), D - timedelta(days=1), D]),
    (D - timedelta(days=30), bj(D, 4), [D - timedelta(days=n) for n in range(6, -1, -1)]),
])
def test_days_to_run(last, now, expected) -> None:
    assert days_to_run(last, now, 3) == expected


def test_next_run_is_strictly_after_now() -> None:
    assert next_run_at(bj(D, 2), 3) == bj(D, 3)
    assert next_run_at(bj(D, 3), 3) == bj(D + timedelta(days=1), 3)


@pytest.fixture
async def sessions(database) -> AsyncIterator:
    engine = create_engine(database.url)
    factory = create_sessionmaker(engine)
    async with factory() as db:
        await db.execute(delete(DailyJobRun))
        await db.commit()
    try:
        yield factory
    finally:
        await engine.dispose()


async def _birthday_customer(sessions, birthday: date) -> int:
    async with sessions() as db:
        customer = Customer(name="生日测试", phone="13800002222", tier="ordinary",
                            tier_reason="测试", birthday=birthday,
                            created_at=datetime(2020, 1, 15, tzinfo=BEIJING))
        db.add(customer)
        await db.commit()
        return customer.id


async def _points(sessions, customer_id: int) -> list:
    async with sessions() as db:
        stmt = select(PointsEntry.delta, PointsEntry.source).where(
            PointsEntry.customer_id == customer_id)
        return sorted((await db.execute(stmt)).all())


async def _run_days(sessions) -> list:
    async with sessions() as db:
        return list((await db.execute(select(DailyJobRun.day).order_by(DailyJobRun.day))).scalars())


async def test_one_pass_per_day(sessions) -> None:
    customer_id = await _birthday_customer(sessions, date(1990, D.month, D.day))
    first = await run_daily_jobs(sessions, bj(D, 4), 3, REWARDS, RISK)
    assert first.days == [D] and first.grants >= 1
    assert await _points(sessions, customer_id) == [(REWARDS.birthday_points["ordinary"],
                                                     "birthday")]
    again = await run_daily_jobs(sessions, bj(D, 22), 3, REWARDS, RISK)
    assert again.days == [] and again.grants == 0
    assert len(await _points(sessions, customer_id)) == 1
    assert await _run_days(sessions) == [D]


async def test_days_missed_while_down_are_caught_up(sessions) -> None:
    missed = D - timedelta(days=2)
    customer_id = await _birthday_customer(sessions, date(1988, missed.month, missed.day))
    await run_daily_jobs(sessions, bj(D - timedelta(days=4), 5), 3, REWARDS, RISK)
    before = await _points(sessions, customer_id)
    caught_up = await run_daily_jobs(sessions, bj(D, 4), 3, REWARDS, RISK)
    assert caught_up.days == [D - timedelta(days=n) for n in (3, 2, 1, 0)]
    assert before == [] and await _points(sessions, customer_id) == [
        (REWARDS.birthday_points["ordinary"], "birthday")]


async def test_the_crm_process_runs_the_jobs_itself(config: CRMConfig, sessions, clock) -> None:
    client = TestClient(TestServer(create_app(replace(config, daily_jobs_hour=0), clock),
                                   host="127.0.0.1"))
    await client.start_server()
    try:
        today = clock.now().astimezone(BEIJING).date()
        for _ in range(300):
            if await _run_days(sessions) == [today]:
                break
            await asyncio.sleep(0.1)
        assert await _run_days(sessions) == [today]
        assert (await client.get("/health")).status == 200
    finally:
        await client.close()


async def test_disabled_jobs_do_not_run(config: CRMConfig, sessions) -> None:
    client = TestClient(TestServer(create_app(replace(config, daily_jobs_hour=None)),
                                   host="127.0.0.1"))
    await client.start_server()
    try:
        assert (await client.get("/health")).status == 200
        await asyncio.sleep(0.5)
        async with sessions() as db:
            assert await db.scalar(select(func.count(DailyJobRun.id))) == 0
    finally:
        await client.close()


async def test_two_crm_processes_do_a_day_once(sessions) -> None:
    customer_id = await _birthday_customer(sessions, date(1995, D.month, D.day))
    runs = await asyncio.gather(run_daily_jobs(sessions, bj(D, 4), 3, REWARDS, RISK),
                                run_daily_jobs(sessions, bj(D, 4), 3, REWARDS, RISK))
    assert sorted(len(r.days) for r in runs) == [0, 1]
    assert await _run_days(sessions) == [D]
    assert len(await _points(sessions, customer_id)) == 1
