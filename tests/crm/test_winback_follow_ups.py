"""Win-back follow-ups over HTTP on both databases: scheduled by tier, fired through a stand-in
for Rasa on loopback, and the outcome recorded."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from crm_backend.core.db import create_engine, create_sessionmaker
from crm_backend.core.models import FollowUp

from .complaint_support import NOW, database, key, make_customer  # noqa: F401 (own database)
from .test_followups_firing import RASA_TOKEN, rasa_and_client  # noqa: F401 (fixture)


async def _follow_ups(url: str, attempt_id: int) -> list:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as db:
            stmt = select(FollowUp).where(FollowUp.winback_attempt_id == attempt_id)
            return list((await db.execute(stmt)).scalars())
    finally:
        await engine.dispose()


async def _winback(client: TestClient, auth: dict, customer_id: int, idem: str,
                   conversation_id: Optional[str] = "conv-wb") -> tuple:
    body = {"conversation_id": conversation_id, "trigger": "churn_language",
            "idempotency_key": idem, "detail": "再也不买了"}
    resp = await client.post(f"/api/customers/{customer_id}/winback", json=body, headers=auth)
    return resp.status, await resp.json()


async def test_ordinary_churn_schedules_a_follow_up_in_seven_days(client, auth, database,
                                                                  clock) -> None:
    customer_id, _order = await make_customer(database.url, tier="ordinary")
    status, attempt = await _winback(client, auth, customer_id, key("wb"), "conv-ordinary")
    assert status == 201 and attempt["action"] == "retention_offer"
    rows = await _follow_ups(database.url, attempt["attempt_id"])
    assert len(rows) == 1
    row = rows[0]
    assert row.due_at == clock.now() + timedelta(days=7)
    assert (row.status, row.conversation_id, row.complaint_id) == (
        "scheduled", "conv-ordinary", None)
    assert attempt["follow_up"]["id"] == row.id and attempt["follow_up"]["status"] == "scheduled"
    shown = await (await client.get(f"/api/winback/{attempt['attempt_id']}", headers=auth)).json()
    assert shown["follow_up"] == attempt["follow_up"]
    assert (shown["customer_id"], shown["tier_used"], shown["offer"]["title"]) == (
        customer_id, "ordinary", "挽回优惠券")
    assert shown["outcome"] is None and shown["outcome_at"] is None


@pytest.mark.parametrize("tier, bad_faith", [("key", False), ("small", False),
                                             ("ordinary", True)])
async def test_other_tiers_get_no_follow_up(client, auth, database, tier, bad_faith) -> None:
    customer_id, _order = await make_customer(database.url, tier=tier, bad_faith=bad_faith)
    status, attempt = await _winback(client, auth, customer_id, key("wb"))
    assert status == 201 and attempt["follow_up"] is None
    assert await _follow_ups(database.url, attempt["attempt_id"]) == []


async def test_no_conversation_means_no_follow_up(client, auth, database) -> None:
    customer_id, _order = await make_customer(database.url, tier="ordinary")
    status, attempt = await _winback(client, auth, customer_id, key("wb"), None)
    assert status == 201 and attempt["offer"] and attempt["follow_up"] is None
    assert await _follow_ups(database.url, attempt["attempt_id"]) == []


async def test_retried_winback_keeps_one_follow_up(client, auth, database) -> None:
    customer_id, _order = await make_customer(database.url, tier="ordinary")
    idem = key("wb")
    first = await _winback(client, auth, customer_id, idem)
    again = await _winback(client, auth, customer_id, idem)
    assert (first[0], again[0]) == (201, 200)
    assert again[1]["follow_up"] == first[1]["follow_up"]
    assert len(await _follow_ups(database.url, first[1]["attempt_id"])) == 1


async def _due_now(client: TestClient, auth: dict, follow_up_id: int) -> None:
    resp = await client.post(f"/api/followups/{follow_up_id}/due", headers=auth,
                             json={"due_at": (NOW - timedelta(seconds=1)).isoformat()})
    assert resp.status == 200


async def _ordinary_winback(client: TestClient, auth: dict, url: str) -> tuple:
    """A fresh ordinary customer's win-back attempt in a conversation of its own."""
    customer_id, _order = await make_customer(url, tier="ordinary")
    conversation = f"conv-{key()[:12]}"
    _status, attempt = await _winback(client, auth, customer_id, key("wb"), conversation)
    return attempt, conversation


async def test_due_follow_up_triggers_the_winback_intent(rasa_and_client, auth, database) -> None:
    fake, client = rasa_and_client
    attempt, conversation = await _ordinary_winback(client, auth, database.url)
    follow_up_id = attempt["follow_up"]["id"]
    await _due_now(client, auth, follow_up_id)
    fired = (await (await client.post("/api/followups/run-due", headers=auth)).json())["fired"]
    mine = next(f for f in fired if f["id"] == follow_up_id)
    assert mine["status"] == "fired" and mine["kind"] == "winback"
    assert mine["entities"] == {"winback_attempt": str(attempt["attempt_id"])}
    call = next(c for c in fake.calls if c["conversation_id"] == conversation)
    assert call["query"] == {"token": RASA_TOKEN, "output_channel": "latest"}
    assert call["json"] == {"name": "EXTERNAL_winback_follow_up",
                            "entities": {"winback_attempt": str(attempt["attempt_id"])}}
    again = (await (await client.post("/api/followups/run-due", headers=auth)).json())["fired"]
    assert follow_up_id not in [f["id"] for f in again]
    shown = await (await client.get(f"/api/winback/{attempt['attempt_id']}", headers=auth)).json()
    assert shown["follow_up"]["status"] == "fired"


async def test_failed_winback_trigger_is_retried(rasa_and_client, auth, database) -> None:
    fake, client = rasa_and_client
    fake.failures = 1
    attempt, _conversation = await _ordinary_winback(client, auth, database.url)
    follow_up_id = attempt["follow_up"]["id"]
    await _due_now(client, auth, follow_up_id)
    fired = (await (await client.post("/api/followups/run-due", headers=auth)).json())["fired"]
    mine = next(f for f in fired if f["id"] == follow_up_id)
    assert mine["status"] == "scheduled" and mine["retry_at"] and mine["attempts"] == 1


async def test_outcome_is_recorded_once_and_shown(client, auth, database, clock) -> None:
    customer_id, _order = await make_customer(database.url, tier="ordinary")
    _status, attempt = await _winback(client, auth, customer_id, key("wb"))
    url = f"/api/winback/{attempt['attempt_id']}"
    first = await (await client.patch(url, json={"outcome": "stayed"}, headers=auth)).json()
    assert first["outcome"] == "stayed" and first["outcome_at"]
    recorded_at = clock.now()
    clock.advance(timedelta(hours=1))
    again = await (await client.patch(url, json={"outcome": "stayed"}, headers=auth)).json()
    assert again["outcome_at"] == first["outcome_at"]
    shown = await (await client.get(url, headers=auth)).json()
    assert shown["outcome"] == "stayed" and shown["follow_up"] == first["follow_up"]
    assert datetime.fromisoformat(shown["outcome_at"]) == recorded_at
    assert (await client.get("/api/winback/99999999", headers=auth)).status == 404


async def test_outcome_known_early_cancels_the_follow_up(rasa_and_client, auth, database) -> None:
    fake, client = rasa_and_client
    attempt, conversation = await _ordinary_winback(client, auth, database.url)
    follow_up_id = attempt["follow_up"]["id"]
    url = f"/api/winback/{attempt['attempt_id']}"
    recorded = await (await client.patch(url, json={"outcome": "stayed"}, headers=auth)).json()
    assert recorded["follow_up"]["status"] == "cancelled"
    resp = await client.post(f"/api/followups/{follow_up_id}/due", headers=auth,
                             json={"due_at": (NOW - timedelta(seconds=1)).isoformat()})
    assert resp.status == 409
    fired = (await (await client.post("/api/followups/run-due", headers=auth)).json())["fired"]
    assert follow_up_id not in [f["id"] for f in fired]
    assert not [c for c in fake.calls if c["conversation_id"] == conversation]
