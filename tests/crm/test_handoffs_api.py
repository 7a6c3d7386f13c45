"""The handoff queue against a live server on both databases."""

from __future__ import annotations

import uuid

from .complaint_support import database, key, make_customer  # noqa: F401 (own database)


def _conversation() -> str:
    return f"conv-{uuid.uuid4().hex[:10]}"


async def test_handoff_created_reused_and_closed(client, auth, database) -> None:
    customer_id, _ = await make_customer(database.url, order_status=None)
    conversation = _conversation()
    body = {"conversation_id": conversation, "customer_id": customer_id, "reason": "客户要求转人工",
            "idempotency_key": key()}
    resp = await client.post("/api/handoffs", json=body, headers=auth)
    assert resp.status == 201
    first = (await resp.json())["handoff"]
    assert first["status"] == "waiting" and first["priority"] == "normal"
    assert first["priority_label"] == "普通" and first["queue_position"] >= 1
    resp = await client.post("/api/handoffs", json={**body, "idempotency_key": key()},
                             headers=auth)
    assert resp.status == 200 and (await resp.json())["handoff"]["id"] == first["id"]
    resp = await client.post(f"/api/handoffs/{first['id']}/close", headers=auth)
    assert (await resp.json())["handoff"]["status"] == "closed"
    resp = await client.post("/api/handoffs", json={**body, "idempotency_key": key()},
                             headers=auth)
    assert resp.status == 201 and (await resp.json())["handoff"]["id"] != first["id"]


async def test_key_customer_jumps_the_queue(client, auth, database) -> None:
    small, _ = await make_customer(database.url, tier="small", order_status=None)
    key_customer, _ = await make_customer(database.url, tier="key", order_status=None)
    made = {}
    for name, customer_id in (("small", small), ("key", key_customer)):
        resp = await client.post("/api/handoffs", headers=auth, json={
            "conversation_id": _conversation(), "customer_id": customer_id, "reason": "转人工",
            "idempotency_key": key()})
        made[name] = (await resp.json())["handoff"]
    assert made["key"]["priority"] == "urgent" and made["key"]["priority_label"] == "紧急"
    assert made["key"]["queue_position"] < made["small"]["queue_position"]
    queue = (await (await client.get("/api/handoffs", params={"status": "waiting"},
                                     headers=auth)).json())["handoffs"]
    ids = [h["id"] for h in queue]
    assert ids.index(made["key"]["id"]) < ids.index(made["small"]["id"])
    assert [h["queue_position"] for h in queue] == list(range(1, len(queue) + 1))
    for handoff in made.values():
        await client.post(f"/api/handoffs/{handoff['id']}/close", headers=auth)


async def test_handoff_validation(client, auth, database) -> None:
    resp = await client.post("/api/handoffs", headers=auth, json={
        "conversation_id": "x", "reason": "r", "idempotency_key": key(), "customer_id": 99999999})
    assert resp.status == 404
    resp = await client.post("/api/handoffs", headers=auth, json={"reason": "r",
                                                                  "idempotency_key": key()})
    assert resp.status == 400 and (await resp.json())["field"] == "conversation_id"
    resp = await client.get("/api/handoffs", params={"status": "lost"}, headers=auth)
    assert resp.status == 400
    assert (await client.post("/api/handoffs/999999/close", headers=auth)).status == 404
