"""Complaint record, timeline, list and corrections against a live server on both databases."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient

from crm_backend.core.models import Complaint, RiskSignal

from .complaint_support import (complaint_body, count, database,  # noqa: F401 (own database)
                                make_customer)
from .databases import TestDatabase


async def _create(client: TestClient, auth: dict, body: dict) -> tuple:
    resp = await client.post("/api/complaints", json=body, headers=auth)
    return resp.status, await resp.json()


async def test_create_records_vent_and_record_steps(client, auth, database: TestDatabase) -> None:
    customer_id, order_no = await make_customer(database.url)
    status, body = await _create(client, auth, complaint_body(customer_id, order_no))
    assert status == 201, body
    complaint = body["complaint"]
    assert re.fullmatch(r"TS\d{12}", complaint["number"])
    assert complaint["status"] == "open" and complaint["order_no"] == order_no
    assert complaint["customer_tier"] == "ordinary"
    assert complaint["category_label"] == "商品质量"
    assert [e["step"] for e in complaint["timeline"]] == ["vent", "record"]
    assert [e["step_label"] for e in complaint["timeline"]] == ["倾听", "记录"]
    assert complaint["customer_words"] == ["衣服洗了一次就破了！", "太失望了"]
    assert complaint["timeline"][0]["occurred_at"] < complaint["timeline"][1]["occurred_at"]
    assert await count(database.url, RiskSignal,
                       RiskSignal.idempotency_key == f"complaint:{complaint['number']}") == 1


async def test_create_is_idempotent(client, auth, database: TestDatabase) -> None:
    customer_id, order_no = await make_customer(database.url)
    body = complaint_body(customer_id, order_no)
    first_status, first = await _create(client, auth, body)
    again_status, again = await _create(client, auth, body)
    assert (first_status, again_status) == (201, 200)
    assert first["complaint"]["number"] == again["complaint"]["number"]
    assert await count(database.url, Complaint, Complaint.customer_id == customer_id) == 1


async def test_someone_elses_order_is_404(client, auth, database: TestDatabase) -> None:
    customer_id, _ = await make_customer(database.url, order_status=None)
    _, other_order = await make_customer(database.url)
    status, body = await _create(client, auth, complaint_body(customer_id, other_order))
    assert status == 404 and body["error"] == "order_not_found"


async def test_bad_fields_are_400_naming_the_field(client, auth, database: TestDatabase) -> None:
    customer_id, order_no = await make_customer(database.url)
    for field, value in (("category", "nope"), ("severity", "huge"), ("customer_words", []),
                         ("channel", "fax"), ("vented_at", "yesterday"), ("order_no", "123")):
        body = {**complaint_body(customer_id, order_no), field: value}
        status, body = await _create(client, auth, body)
        assert status == 400 and body["field"] == field, (field, body)


async def test_list_filters_search_and_ownership(client, auth, database: TestDatabase) -> None:
    customer_id, order_no = await make_customer(database.url)
    _, one = await _create(client, auth, complaint_body(customer_id, order_no, category="delivery",
                                                        customer_words=["快递一周还没到"]))
    await _create(client, auth, complaint_body(customer_id, order_no, severity="low"))
    resp = await client.get("/api/complaints", params={"customer_id": str(customer_id)},
                            headers=auth)
    listed = await resp.json()
    assert listed["total"] == 2 and len(listed["complaints"]) == 2
    resp = await client.get("/api/complaints", headers=auth, params={
        "customer_id": str(customer_id), "category": "delivery", "q": "一周"})
    found = await resp.json()
    assert [c["number"] for c in found["complaints"]] == [one["complaint"]["number"]]
    number = one["complaint"]["number"]
    other, _ = await make_customer(database.url, order_status=None)
    resp = await client.get(f"/api/complaints/{number}", params={"customer_id": str(other)},
                            headers=auth)
    assert resp.status == 404
    resp = await client.get(f"/api/complaints/{number}", headers=auth)
    assert (await resp.json())["complaint"]["number"] == number
    resp = await client.get("/api/complaints", params={"tier": "gold"}, headers=auth)
    assert resp.status == 400 and (await resp.json())["field"] == "tier"


async def test_patch_corrects_and_notes(client, auth, database: TestDatabase) -> None:
    customer_id, order_no = await make_customer(database.url)
    _, created = await _create(client, auth, complaint_body(customer_id, None))
    number = created["complaint"]["number"]
    resp = await client.patch(f"/api/complaints/{number}", headers=auth, json={
        "category": "wrong_or_missing", "order_no": order_no, "append_words": ["少发了一件"]})
    body = (await resp.json())["complaint"]
    assert resp.status == 200
    assert body["category"] == "wrong_or_missing" and body["order_no"] == order_no
    assert body["customer_words"][-1] == "少发了一件"
    assert body["timeline"][-1]["note"].startswith("更正：")
    resp = await client.patch(f"/api/complaints/{number}", headers=auth, json={})
    assert resp.status == 400


async def test_angry_words_add_a_negative_emotion_signal_once(client, auth,
                                                              database: TestDatabase) -> None:
    customer_id, order_no = await make_customer(database.url)
    body = complaint_body(customer_id, order_no, customer_words=["气死了！！！", "什么垃圾东西"])
    for _ in range(2):
        status, created = await _create(client, auth, body)
        assert status in (200, 201), created
    number = created["complaint"]["number"]
    assert await count(database.url, RiskSignal,
                       RiskSignal.idempotency_key == f"emotion:{number}") == 1
    resp = await client.get("/api/risk-flags", headers=auth)
    mine = [f for f in (await resp.json())["flags"] if f["customer"]["id"] == customer_id]
    assert mine and "强烈负面情绪1次" in mine[0]["reasons"]


async def test_churn_words_in_a_complaint_raise_the_churn_signal_for_any_tier(
        client, auth, database: TestDatabase) -> None:
    for tier in ("small", "ordinary"):
        customer_id, order_no = await make_customer(database.url, tier=tier)
        body = complaint_body(customer_id, order_no,
                              customer_words=["收到就是坏的", "以后再也不买了，换别家"])
        for _ in range(2):
            status, created = await _create(client, auth, body)
            assert status in (200, 201), created
        number = created["complaint"]["number"]
        assert await count(database.url, RiskSignal,
                           RiskSignal.idempotency_key == f"churn:{number}",
                           RiskSignal.signal == "churn_language") == 1
        resp = await client.get("/api/risk-flags", headers=auth)
        mine = [f for f in (await resp.json())["flags"] if f["customer"]["id"] == customer_id]
        assert mine and any("流失" in reason for reason in mine[0]["reasons"]), mine


async def test_calm_words_add_no_emotion_signal(client, auth, database: TestDatabase) -> None:
    customer_id, order_no = await make_customer(database.url)
    status, created = await _create(client, auth, complaint_body(customer_id, order_no))
    assert status == 201
    number = created["complaint"]["number"]
    assert await count(database.url, RiskSignal,
                       RiskSignal.idempotency_key == f"emotion:{number}") == 0
    assert await count(database.url, RiskSignal,
                       RiskSignal.idempotency_key == f"churn:{number}") == 0
