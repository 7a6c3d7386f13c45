"""Risk signals, scan, the at-risk list and win-back attempts over HTTP on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from crm_backend.core.clock import FixedClock
from crm_backend.core.models import Complaint, Coupon, Notification, PointsEntry, SatisfactionAnswer

from .databases import TestDatabase
from .loyalty_support import key, new_customer, read_value, sessions


@pytest.fixture
async def db(database: TestDatabase):
    async for session in sessions(database.url):
        yield session


def _complaint(customer_id: int, days_ago: int, clock: FixedClock) -> Complaint:
    stamp = clock.now() - timedelta(days=days_ago)
    return Complaint(number=key("TS")[:20], customer_id=customer_id, customer_tier="ordinary",
                     category="delivery", severity="moderate", status="open", current_step=2,
                     channel="wechat", created_at=stamp, updated_at=stamp)


async def _flags(client: TestClient, auth: dict, **params) -> list:
    resp = await client.get("/api/risk-flags", params=params, headers=auth)
    assert resp.status == 200
    return (await resp.json())["flags"]


async def test_three_complaints_in_30_days_raise_a_flag_on_scan(client, auth, db, clock) -> None:
    customer = await new_customer(db, tier="small", name="三次投诉")
    db.add_all([_complaint(customer.id, d, clock) for d in (1, 5, 20)])
    await db.commit()
    assert customer.id not in [f["customer"]["id"] for f in await _flags(client, auth)]
    for _ in range(2):
        resp = await client.post("/api/risk/scan", headers=auth)
        assert resp.status == 200 and customer.id in (await resp.json())["customer_ids"]
    mine = [f for f in await _flags(client, auth) if f["customer"]["id"] == customer.id]
    assert len(mine) == 1
    assert mine[0]["reasons"] == ["30天内投诉3次"] and mine[0]["level"] == "medium"
    assert mine[0]["customer"]["tier_label"] == "小客户"
    filtered = await _flags(client, auth, level="medium", tier="small", reason="投诉3次")
    assert customer.id in [f["customer"]["id"] for f in filtered]
    high = await _flags(client, auth, level="high")
    assert customer.id not in [f["customer"]["id"] for f in high]
    assert customer.id not in [f["customer"]["id"] for f in await _flags(client, auth, tier="key")]


async def test_low_satisfaction_flag_and_sorting(client, auth, db, clock) -> None:
    customer = await new_customer(db)
    db.add(SatisfactionAnswer(customer_id=customer.id, conversation_id="c-low", score=1,
                              created_at=clock.now() - timedelta(hours=2)))
    await db.commit()
    await client.post("/api/risk/scan", headers=auth)
    flags = await _flags(client, auth)
    scores = [f["score"] for f in flags]
    assert scores == sorted(scores, reverse=True)
    mine = [f for f in flags if f["customer"]["id"] == customer.id]
    assert mine and mine[0]["reasons"] == ["满意度1分"]


async def test_record_signal_endpoint(client, auth, db) -> None:
    customer = await new_customer(db)
    body = {"signal": "churn_language", "detail": "换别家了", "conversation_id": "c9",
            "idempotency_key": key()}
    resp = await client.post(f"/api/customers/{customer.id}/risk-signals", json=body, headers=auth)
    assert resp.status == 201
    flag = (await resp.json())["flag"]
    assert flag["level"] == "medium" and flag["reasons"] == ["表达流失意向1次（“换别家了”）"]
    bad = await client.post(f"/api/customers/{customer.id}/risk-signals",
                            json={**body, "signal": "meh"}, headers=auth)
    assert bad.status == 400 and (await bad.json())["field"] == "signal"
    assert (await client.post("/api/customers/99999999/risk-signals", json=body,
                              headers=auth)).status == 404


async def test_flag_filters_are_validated(client, auth) -> None:
    for field, value in [("level", "extreme"), ("tier", "vip")]:
        resp = await client.get("/api/risk-flags", params={field: value}, headers=auth)
        assert resp.status == 400 and (await resp.json())["field"] == field


async def _winback(client, auth, cid: int, idem: str, trigger: str = "churn_language"):
    body = {"conversation_id": "conv-1", "trigger": trigger, "idempotency_key": idem,
            "detail": "再也不买了"}
    return await client.post(f"/api/customers/{cid}/winback", json=body, headers=auth)


async def test_ordinary_gets_one_coupon_under_retries(client, auth, db) -> None:
    customer = await new_customer(db, tier="ordinary")
    idem = key("wb")
    first = await _winback(client, auth, customer.id, idem)
    assert first.status == 201
    body = await first.json()
    assert (body["tier_used"], body["action"], body["notification"]) == (
        "ordinary", "retention_offer", None)
    assert body["offer"]["kind"] == "coupon" and body["offer"]["value_yuan"] == "20.00"
    again = await _winback(client, auth, customer.id, idem)
    assert again.status == 200 and (await again.json())["offer"] == body["offer"]
    coupons = await read_value(
        db, select(func.count(Coupon.id)).where(Coupon.customer_id == customer.id))
    assert coupons == 1
    flags = [f for f in await _flags(client, auth) if f["customer"]["id"] == customer.id]
    assert flags and flags[0]["reasons"][0].startswith("表达流失意向1次")


async def test_key_customer_alerts_owner_and_hands_off(client, auth, db) -> None:
    customer = await new_customer(db, tier="key", owner_staff_id=3, name="关键测试")
    resp = await _winback(client, auth, customer.id, key("wb"))
    body = await resp.json()
    assert body["action"] == "handoff_and_alert" and body["hand_off"] is True
    note = body["notification"]
    assert note["recipient"] == "chenjl" and "关键客户关键测试" in note["message"]
    assert "表达流失意向" in note["message"]
    assert await read_value(db, select(func.count(Notification.id)).where(
        Notification.customer_id == customer.id)) == 1


async def test_small_gets_points_and_bad_faith_gets_nothing(client, auth, db) -> None:
    small = await new_customer(db, tier="small")
    body = await (await _winback(client, auth, small.id, key("wb"), "risk_flag")).json()
    assert body["action"] == "light_offer" and body["offer"] == {
        "kind": "points", "title": "回馈积分", "points": 100}
    bad = await new_customer(db, tier="key", bad_faith=True)
    body = await (await _winback(client, auth, bad.id, key("wb"), "risk_flag")).json()
    assert (body["action"], body["offer"], body["notification"]) == ("none", None, None)
    assert body["tier_used"] == "key" and body["bad_faith_used"] is True
    written = await read_value(db, select(func.count(PointsEntry.id)).where(
        PointsEntry.customer_id == bad.id))
    assert written == 0


async def test_outcome_is_recorded(client, auth, db) -> None:
    customer = await new_customer(db, tier="small")
    attempt = (await (await _winback(client, auth, customer.id, key("wb"))).json())["attempt_id"]
    resp = await client.patch(f"/api/winback/{attempt}", json={"outcome": "stayed"}, headers=auth)
    assert resp.status == 200 and (await resp.json())["outcome"] == "stayed"
    resp = await client.patch(f"/api/winback/{attempt}", json={"outcome": "maybe"}, headers=auth)
    assert resp.status == 400 and (await resp.json())["field"] == "outcome"
    resp = await client.patch("/api/winback/99999999", json={"outcome": "left"}, headers=auth)
    assert resp.status == 404


async def test_winback_bad_fields_and_unknown_customer(client, auth, db) -> None:
    customer = await new_customer(db)
    resp = await client.post(f"/api/customers/{customer.id}/winback",
                             json={"trigger": "", "idempotency_key": key()}, headers=auth)
    assert resp.status == 400 and (await resp.json())["field"] == "trigger"
    assert (await _winback(client, auth, 99999999, key())).status == 404
