"""Points, redemption, membership, tier and bad-faith endpoints on both databases."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from crm_backend.core.models import Coupon, PointsEntry, TierChange

from .databases import TestDatabase
from .loyalty_support import NOW, add_order, key, new_customer, read_value, sessions


@pytest.fixture
async def db(database: TestDatabase):
    async for session in sessions(database.url):
        yield session


async def _grant(client: TestClient, auth: dict, cid: int, points: int, idem: str):
    body = {"points": points, "reason": "测试发放", "source": "test", "idempotency_key": idem}
    return await client.post(f"/api/customers/{cid}/points/grant", json=body, headers=auth)


async def _ledger_count(db, cid: int) -> int:
    return await read_value(db, select(func.count(PointsEntry.id))
                            .where(PointsEntry.customer_id == cid))


async def test_points_of_a_seeded_customer(client: TestClient, auth: dict) -> None:
    resp = await client.get("/api/customers/1/points", headers=auth)
    assert resp.status == 200
    body = await resp.json()
    assert set(body) == {"balance", "expiring", "entries"}
    assert body["balance"] > 0 and 0 < len(body["entries"]) <= 10
    assert set(body["entries"][0]) == {"delta", "reason", "source", "created_at"}


async def test_grant_is_exactly_once_under_retries(client, auth, db) -> None:
    customer = await new_customer(db)
    idem = key("grant")
    first = await _grant(client, auth, customer.id, 700, idem)
    assert first.status == 201
    retries = await asyncio.gather(
        *(_grant(client, auth, customer.id, 700, idem) for _ in range(3)))
    assert [r.status for r in retries] == [200, 200, 200]
    assert (await retries[0].json())["balance"] == 700
    assert await _ledger_count(db, customer.id) == 1


async def test_grant_bad_fields_and_unknown_customer(client, auth, db) -> None:
    customer = await new_customer(db)
    url = f"/api/customers/{customer.id}/points/grant"
    good = {"points": 10, "reason": "r", "source": "s", "idempotency_key": key()}
    for field, value in [("points", 0), ("points", "10"), ("points", True), ("reason", ""),
                         ("source", None), ("idempotency_key", "")]:
        resp = await client.post(url, json={**good, field: value}, headers=auth)
        assert resp.status == 400, field
        assert (await resp.json())["field"] == field
    resp = await client.post("/api/customers/99999999/points/grant", json=good, headers=auth)
    assert resp.status == 404


async def test_catalogue(client, auth) -> None:
    resp = await client.get("/api/rewards/catalogue", headers=auth)
    rewards = (await resp.json())["rewards"]
    assert rewards[1] == {"id": "coupon-10", "title": "10元无门槛券", "points_cost": 1000,
                          "value_yuan": "10.00", "min_spend_yuan": "0.00"}


async def test_redeem_exactly_once_then_insufficient(client, auth, db) -> None:
    customer = await new_customer(db)
    assert (await _grant(client, auth, customer.id, 1200, key())).status == 201
    url = f"/api/customers/{customer.id}/points/redeem"
    idem = key("redeem")
    first = await client.post(url, json={"reward_id": "coupon-10", "idempotency_key": idem},
                              headers=auth)
    assert first.status == 201
    body = await first.json()
    assert body["balance"] == 200
    assert body["coupon"]["value_yuan"] == "10.00" and body["coupon"]["title"] == "10元无门槛券"
    again = await client.post(url, json={"reward_id": "coupon-10", "idempotency_key": idem},
                              headers=auth)
    assert again.status == 200 and (await again.json()) == body
    before = await _ledger_count(db, customer.id)
    short = await client.post(url, json={"reward_id": "coupon-5", "idempotency_key": key()},
                              headers=auth)
    assert short.status == 409
    refusal = await short.json()
    assert refusal["error"] == "insufficient_points" and refusal["message"].startswith("积分不足")
    assert (refusal["balance"], refusal["needed"]) == (200, 500)
    assert await _ledger_count(db, customer.id) == before
    coupons = await read_value(
        db, select(func.count(Coupon.id)).where(Coupon.customer_id == customer.id))
    assert coupons == 1


async def test_redeem_bad_reward_and_unknown_customer(client, auth, db) -> None:
    customer = await new_customer(db)
    resp = await client.post(f"/api/customers/{customer.id}/points/redeem",
                             json={"reward_id": "gold-bar", "idempotency_key": key()}, headers=auth)
    assert resp.status == 400 and (await resp.json())["field"] == "reward_id"
    resp = await client.post("/api/customers/99999999/points/redeem",
                             json={"reward_id": "coupon-5", "idempotency_key": key()}, headers=auth)
    assert resp.status == 404


async def test_membership(client, auth) -> None:
    resp = await client.get("/api/customers/1/membership", headers=auth)
    body = await resp.json()
    assert body["tier"] == "key" and body["tier_label"] == "关键客户" and body["next_tier"] is None
    assert body["benefits"] and isinstance(body["points_balance"], int)
    assert (await client.get("/api/customers/99999999/membership", headers=auth)).status == 404


async def test_recompute_upgrades_records_history_and_bonus(client, auth, db) -> None:
    customer = await new_customer(db, tier="small")
    orders = [await add_order(db, customer.id, 20_000, NOW - timedelta(days=d)) for d in (3, 10)]
    try:
        resp = await client.post(f"/api/customers/{customer.id}/tier/recompute", headers=auth)
        body = await resp.json()
        assert resp.status == 200 and body["tier"] == "ordinary" and body["changed"] is True
        assert body["old_tier"] == "small" and body["tier_reason"].startswith("近一年消费¥400")
        again = await (await client.post(f"/api/customers/{customer.id}/tier/recompute",
                                         headers=auth)).json()
        assert again["changed"] is False
        history = await read_value(db, select(func.count(TierChange.id)).where(
            TierChange.customer_id == customer.id))
        bonus = await read_value(db, select(func.sum(PointsEntry.delta)).where(
            PointsEntry.customer_id == customer.id, PointsEntry.source == "tier_upgrade"))
        assert (history, bonus) == (1, 200)
        missing = await client.post("/api/customers/99999999/tier/recompute", headers=auth)
        assert missing.status == 404
    finally:
        for order in orders:
            await db.delete(order)
        await db.commit()


async def test_bad_faith_marking(client, auth, db) -> None:
    customer = await new_customer(db)
    url = f"/api/customers/{customer.id}/bad-faith"
    resp = await client.post(url, json={"is_bad_faith": True, "staff": "chenjl"}, headers=auth)
    assert resp.status == 400 and (await resp.json())["field"] == "reason"
    resp = await client.post(url, json={"is_bad_faith": "yes", "reason": "x", "staff": "chenjl"},
                             headers=auth)
    assert (await resp.json())["field"] == "is_bad_faith"
    resp = await client.post(url, json={"is_bad_faith": True, "reason": "多次恶意索赔",
                                        "staff": "chenjl"}, headers=auth)
    body = await resp.json()
    assert resp.status == 200 and body["is_bad_faith"] is True
    assert (body["bad_faith_reason"], body["bad_faith_marked_by"]) == ("多次恶意索赔", "chenjl")
    resp = await client.post(url, json={"is_bad_faith": False, "staff": "chenjl"}, headers=auth)
    assert (await resp.json())["is_bad_faith"] is False
