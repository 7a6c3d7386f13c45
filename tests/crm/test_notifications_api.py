"""Staff alerts from a key customer's churn language: listed for the recipient, marked read once."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from .databases import TestDatabase
from .loyalty_support import key, new_customer, sessions


@pytest.fixture
async def db(database: TestDatabase):
    async for session in sessions(database.url):
        yield session


async def _alert(client: TestClient, auth: dict, customer_id: int) -> dict:
    body = {"conversation_id": f"conv-{key()[:10]}", "trigger": "churn_language",
            "idempotency_key": key("wb"), "detail": "我要销户"}
    resp = await client.post(f"/api/customers/{customer_id}/winback", json=body, headers=auth)
    assert resp.status == 201
    return (await resp.json())["notification"]


async def _list(client: TestClient, auth: dict, **params) -> list:
    resp = await client.get("/api/notifications", params=params, headers=auth)
    assert resp.status == 200
    return (await resp.json())["notifications"]


async def test_owner_sees_the_alert_and_marks_it_read(client, auth, db) -> None:
    customer = await new_customer(db, tier="key", owner_staff_id=3, name="通知测试")
    alert = await _alert(client, auth, customer.id)
    unread = await _list(client, auth, recipient="chenjl", status="unread")
    mine = next(n for n in unread if n["id"] == alert["id"])
    assert (mine["customer_id"], mine["kind"], mine["status"]) == (
        customer.id, "key_customer_at_risk", "unread")
    assert "通知测试" in mine["message"] and mine["conversation_id"].startswith("conv-")
    resp = await client.post(f"/api/notifications/{alert['id']}/read", headers=auth)
    assert resp.status == 200 and (await resp.json())["notification"]["status"] == "read"
    again = await client.post(f"/api/notifications/{alert['id']}/read", headers=auth)
    assert (await again.json())["notification"] == (await resp.json())["notification"]
    assert alert["id"] not in [n["id"] for n in await _list(client, auth, recipient="chenjl",
                                                             status="unread")]
    assert alert["id"] in [n["id"] for n in await _list(client, auth, status="read")]


async def test_bad_queries_are_refused(client, auth) -> None:
    resp = await client.get("/api/notifications", params={"status": "new"}, headers=auth)
    assert resp.status == 400 and (await resp.json())["field"] == "status"
    resp = await client.get("/api/notifications", params={"recipient": "nobody"}, headers=auth)
    assert resp.status == 404 and (await resp.json())["error"] == "staff_not_found"
    assert (await client.post("/api/notifications/99999999/read", headers=auth)).status == 404
    assert (await client.post("/api/notifications/abc/read", headers=auth)).status == 400
    assert (await client.get("/api/notifications")).status == 401
