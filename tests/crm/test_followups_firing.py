"""A due follow-up fires against a real stand-in for Rasa's trigger_intent API on loopback."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import AsyncIterator, Awaitable, Callable, List, Optional

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import update

from crm_backend.app import create_app
from crm_backend.core.config import CRMConfig
from crm_backend.core.db import create_engine, create_sessionmaker
from crm_backend.core.models import FollowUp

from .complaint_support import (NOW, complaint_body, database, key,  # noqa: F401 (own database)
                                make_customer)

RASA_TOKEN = "rasa-test-token"


class FakeRasa:
    """Records trigger_intent calls; answers like Rasa, or fails the first `failures` calls.
    With `call_back`, it asks the CRM first, as the bot's follow-up action does."""

    def __init__(self, failures: int = 0) -> None:
        self.calls: List[dict] = []
        self.failures = failures
        self.call_back: Optional[Callable[[], Awaitable[int]]] = None
        self.call_back_statuses: List[int] = []

    async def trigger(self, request: web.Request) -> web.Response:
        self.calls.append({"conversation_id": request.match_info["conversation_id"],
                           "query": dict(request.query), "json": await request.json()})
        if self.call_back is not None:
            self.call_back_statuses.append(await self.call_back())
        if self.failures > 0:
            self.failures -= 1
            return web.json_response({"error": "boom"}, status=500)
        return web.json_response({"tracker": {}, "messages": [
            {"recipient_id": request.match_info["conversation_id"], "text": "您好，我是小福，来回访您的投诉"}]})


async def _rasa(fake: FakeRasa) -> TestServer:
    app = web.Application()
    app.router.add_post("/conversations/{conversation_id}/trigger_intent", fake.trigger)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


@pytest.fixture
async def rasa_and_client(config: CRMConfig, clock) -> AsyncIterator[tuple]:
    fake = FakeRasa()
    rasa = await _rasa(fake)
    crm_config = replace(config, rasa_url=str(rasa.make_url("")).rstrip("/"),
                         rasa_token=RASA_TOKEN, followup_poll_seconds=3600)
    client = TestClient(TestServer(create_app(crm_config, clock), host="127.0.0.1"))
    await client.start_server()
    try:
        yield fake, client
    finally:
        await client.close()
        await rasa.close()


async def _accepted_follow_up(client: TestClient, auth: dict, url: str) -> tuple:
    customer_id, order_no = await make_customer(url)
    body = complaint_body(customer_id, order_no, category="delivery", severity="low")
    complaint = (await (await client.post("/api/complaints", json=body, headers=auth)).json())
    number = complaint["complaint"]["number"]
    await client.post(f"/api/complaints/{number}/remedy/propose", json={}, headers=auth)
    accepted = await (await client.post(f"/api/complaints/{number}/remedy/accept",
                                        json={"idempotency_key": key()}, headers=auth)).json()
    return number, body["conversation_id"], accepted["follow_up"]["id"]


async def test_due_follow_up_triggers_rasa_once(rasa_and_client, auth, database) -> None:
    fake, client = rasa_and_client
    number, conversation, follow_up_id = await _accepted_follow_up(client, auth, database.url)
    resp = await client.post(f"/api/followups/{follow_up_id}/due", headers=auth,
                             json={"due_at": (NOW - timedelta(seconds=1)).isoformat()})
    assert resp.status == 200
    fired = (await (await client.post("/api/followups/run-due", headers=auth)).json())["fired"]
    mine = [f for f in fired if f["id"] == follow_up_id]
    assert mine and mine[0]["status"] == "fired" and mine[0]["messages"]
    call = next(c for c in fake.calls if c["conversation_id"] == conversation)
    assert call["query"] == {"token": RASA_TOKEN, "output_channel": "latest"}
    assert call["json"] == {"name": "EXTERNAL_follow_up", "entities": {"complaint_no": number}}
    again = (await (await client.post("/api/followups/run-due", headers=auth)).json())["fired"]
    assert follow_up_id not in [f["id"] for f in again]
    detail = (await (await client.get(f"/api/complaints/{number}", headers=auth)).json())
    assert detail["complaint"]["follow_up"]["status"] == "fired"
    assert detail["complaint"]["timeline"][-1]["step"] == "follow_up"
    stored = (await (await client.get(f"/api/followups/{follow_up_id}", headers=auth)).json())
    assert stored["follow_up"]["rasa_response"]["messages"]


async def test_bot_asking_the_crm_while_triggered_is_answered(rasa_and_client, auth,
                                                              database) -> None:
    fake, client = rasa_and_client
    number, _conversation, follow_up_id = await _accepted_follow_up(client, auth, database.url)

    async def read_the_complaint() -> int:
        return (await client.get(f"/api/complaints/{number}", headers=auth)).status

    fake.call_back = read_the_complaint
    await client.post(f"/api/followups/{follow_up_id}/due", headers=auth,
                      json={"due_at": (NOW - timedelta(seconds=1)).isoformat()})
    fired = (await (await client.post("/api/followups/run-due", headers=auth)).json())["fired"]
    assert next(f for f in fired if f["id"] == follow_up_id)["status"] == "fired"
    assert fake.call_back_statuses and set(fake.call_back_statuses) == {200}


async def test_failed_trigger_is_retried_later(rasa_and_client, auth, database) -> None:
    fake, client = rasa_and_client
    fake.failures = 1
    _number, _conversation, follow_up_id = await _accepted_follow_up(client, auth, database.url)
    await client.post(f"/api/followups/{follow_up_id}/due", headers=auth,
                      json={"due_at": (NOW - timedelta(seconds=1)).isoformat()})
    fired = (await (await client.post("/api/followups/run-due", headers=auth)).json())["fired"]
    mine = next(f for f in fired if f["id"] == follow_up_id)
    assert mine["status"] == "scheduled" and mine["retry_at"] and mine["attempts"] == 1
    stored = (await (await client.get(f"/api/followups/{follow_up_id}", headers=auth)).json())
    assert "500" in stored["follow_up"]["last_error"]


async def _cut_off_while_firing(url: str, follow_up_id: int, lease_until) -> None:
    """Leave the follow-up as a process killed in the middle of the Rasa call leaves it."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as db:
            await db.execute(update(FollowUp).where(FollowUp.id == follow_up_id).values(
                status="firing", attempts=1, lease_until=lease_until, due_at=NOW - timedelta(hours=1)))
            await db.commit()
    finally:
        await engine.dispose()


async def test_follow_up_cut_off_by_a_restart_is_fired_again(rasa_and_client, auth,
                                                             database) -> None:
    fake, client = rasa_and_client
    number, conversation, follow_up_id = await _accepted_follow_up(client, auth, database.url)
    await _cut_off_while_firing(database.url, follow_up_id, NOW - timedelta(seconds=1))
    fired = (await (await client.post("/api/followups/run-due", headers=auth)).json())["fired"]
    mine = next(f for f in fired if f["id"] == follow_up_id)
    assert mine["status"] == "fired" and mine["attempts"] == 2
    assert [c["json"]["entities"] for c in fake.calls if c["conversation_id"] == conversation] \
        == [{"complaint_no": number}]
    stored = (await (await client.get(f"/api/followups/{follow_up_id}", headers=auth)).json())
    assert stored["follow_up"]["status"] == "fired"


async def test_follow_up_still_firing_elsewhere_is_left_alone(rasa_and_client, auth,
                                                              database) -> None:
    fake, client = rasa_and_client
    _number, conversation, follow_up_id = await _accepted_follow_up(client, auth, database.url)
    await _cut_off_while_firing(database.url, follow_up_id, NOW + timedelta(minutes=5))
    fired = (await (await client.post("/api/followups/run-due", headers=auth)).json())["fired"]
    assert follow_up_id not in [f["id"] for f in fired]
    assert not [c for c in fake.calls if c["conversation_id"] == conversation]


async def test_run_due_without_rasa_is_409(client, auth) -> None:
    resp = await client.post("/api/followups/run-due", headers=auth)
    assert resp.status == 409 and (await resp.json())["error"] == "rasa_not_configured"
