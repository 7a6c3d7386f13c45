"""grant_points, points_balance and issue_coupon against both databases."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crm_backend.core.config import POLICY_DIR
from crm_backend.core.db import create_engine, create_sessionmaker
from crm_backend.core.models import Coupon, PointsEntry
from crm_backend.loyalty.policy import load_rewards_policy
from crm_backend.loyalty.rules import expiry_for
from crm_backend.loyalty.store import expiring_points, grant_points, issue_coupon, points_balance

from .databases import TestDatabase
from .loyalty_support import NOW, key, new_customer, sessions

REWARDS = load_rewards_policy(POLICY_DIR / "rewards.toml")


@pytest.fixture
async def db(database: TestDatabase):
    async for session in sessions(database.url):
        yield session


async def _count(db, model, idem: str) -> int:
    return await db.scalar(select(func.count(model.id)).where(model.idempotency_key == idem))


async def test_grant_is_exactly_once_per_key(db) -> None:
    customer = await new_customer(db)
    idem = key("grant")
    first, written = await grant_points(db, customer_id=customer.id, points=300, reason="测试",
                                        source="test", idempotency_key=idem, now=NOW,
                                        policy=REWARDS)
    await db.commit()
    again, rewritten = await grant_points(db, customer_id=customer.id, points=300, reason="测试",
                                          source="test", idempotency_key=idem, now=NOW,
                                          policy=REWARDS)
    await db.commit()
    assert again.id == first.id and (written, rewritten) == (True, False)
    assert await _count(db, PointsEntry, idem) == 1
    assert await points_balance(db, customer.id, now=NOW) == 300


async def test_default_expiry_follows_policy(db) -> None:
    customer = await new_customer(db)
    entry, _created = await grant_points(db, customer_id=customer.id, points=50, reason="测试",
                                         source="test", idempotency_key=key(), now=NOW,
                                         policy=REWARDS)
    await db.commit()
    assert entry.expires_at == expiry_for(NOW, REWARDS.expiry_months)
    assert await points_balance(db, customer.id, now=entry.expires_at) == 0
    soon = await expiring_points(db, customer.id, 30, now=entry.expires_at - timedelta(days=3))
    assert soon is not None and soon.points == 50


async def test_concurrent_duplicate_grants_write_one_entry(database: TestDatabase, db) -> None:
    customer = await new_customer(db)
    idem = key("race")
    engine = create_engine(database.url)
    factory = create_sessionmaker(engine)

    async def attempt() -> int:
        async with factory() as session:
            entry, _created = await grant_points(session, customer_id=customer.id, points=10,
                                                 reason="并发", source="test",
                                                 idempotency_key=idem, now=NOW, policy=REWARDS)
            await session.commit()
            return entry.id

    try:
        ids = await asyncio.gather(*(attempt() for _ in range(4)), return_exceptions=True)
    finally:
        await engine.dispose()
    good = [i for i in ids if isinstance(i, int)]
    assert len(good) == 4 and len(set(good)) == 1, ids
    assert await _count(db, PointsEntry, idem) == 1


async def test_coupon_is_exactly_once(db) -> None:
    customer = await new_customer(db)
    idem = key("coupon")
    first = await issue_coupon(db, customer_id=customer.id, value_fen=2000, min_spend_fen=9900,
                               reason="测试", idempotency_key=idem, valid_days=30, now=NOW)
    await db.commit()
    again = await issue_coupon(db, customer_id=customer.id, value_fen=2000, min_spend_fen=9900,
                               reason="测试", idempotency_key=idem, valid_days=30, now=NOW)
    await db.commit()
    assert (again.id, again.code) == (first.id, first.code)
    assert first.expires_at == NOW + timedelta(days=30)
    assert await _count(db, Coupon, idem) == 1
