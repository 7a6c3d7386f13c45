"""Binding a conversation by order number + phone tail over real HTTP, on SQLite and PostgreSQL:
the limits per conversation, order number and source, the lock, the binding's lifetime, and a
parallel burst of guesses (issue 10).

The seeded database is shared by the whole session and every attempt stays recorded, so each
test uses its own conversations, sources, unknown order numbers and seeded customers' orders.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Dict, Optional, Tuple

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from crm_backend.core.clock import FixedClock
from crm_backend.core.db import create_engine
from crm_backend.core.models import ConversationBinding, IdentityAttempt
from crm_backend.core.time import beijing_iso

from .databases import SEED_NOW, TestDatabase

LOCKED_BODY = {"error": "verification_locked",
               "message": "验证失败次数过多，请在 30 分钟后再试，或转人工客服核实身份",
               "retry_after_seconds": 1800}


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


def _unknown_order() -> str:
    """An order number of the right shape that no seeded order has."""
    return f"KF2099{uuid.uuid4().int % 10**8:08d}"


def _wrong(tail: str) -> str:
    return f"{(int(tail) + 1) % 10000:04d}"


async def _order_of(client: TestClient, auth: dict, customer_id: int) -> Tuple[str, str]:
    """(order number, right phone tail) of a seeded customer's newest order."""
    resp = await client.get(f"/api/customers/{customer_id}", headers=auth)
    tail = (await resp.json())["phone_masked"][-4:]
    resp = await client.get(f"/api/customers/{customer_id}/orders", params={"limit": "1"},
                            headers=auth)
    return (await resp.json())["orders"][0]["order_no"], tail


async def _bind(client: TestClient, auth: dict, order_no: str, tail: str, conversation_id: str,
                source: Optional[str] = None):
    payload = {"order_no": order_no, "phone_tail": tail, "conversation_id": conversation_id}
    if source is not None:
        payload["source"] = source
    return await client.post("/api/identity/bind", json=payload, headers=auth)


async def _outcomes(database: TestDatabase, column, value: str) -> Dict[str, int]:
    """How many recorded attempts with `column == value` came to each outcome."""
    engine = create_engine(database.url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(IdentityAttempt.outcome, func.count())
                .where(column == value).group_by(IdentityAttempt.outcome))
            return {outcome: count for outcome, count in rows}
    finally:
        await engine.dispose()


async def _assert_locked(resp, retry_after: int = 1800) -> None:
    assert resp.status == 429
    assert resp.headers["Retry-After"] == str(retry_after)
    body = await resp.json()
    if retry_after == 1800:
        assert body == LOCKED_BODY
    assert body["retry_after_seconds"] == retry_after


async def test_a_match_binds_the_conversation(client: TestClient, auth: dict) -> None:
    order_no, tail = await _order_of(client, auth, 13)
    conversation = _id("conv")
    resp = await _bind(client, auth, order_no, tail, conversation, source="203.0.113.7")
    assert resp.status == 200
    body = await resp.json()
    assert set(body) == {"customer", "binding"}
    assert body["customer"]["id"] == 13 and body["customer"]["phone_masked"].endswith(tail)
    binding = {"conversation_id": conversation, "customer_id": 13,
               "expires_at": beijing_iso(SEED_NOW + timedelta(minutes=30))}
    assert body["binding"] == binding
    resp = await client.get(f"/api/identity/bindings/{conversation}", headers=auth)
    assert resp.status == 200
    assert await resp.json() == {"binding": binding, "customer": body["customer"]}


async def test_the_binding_expires_by_the_app_clock_and_is_not_extended(
        client: TestClient, auth: dict, clock: FixedClock) -> None:
    order_no, tail = await _order_of(client, auth, 14)
    conversation = _id("conv")
    assert (await _bind(client, auth, order_no, tail, conversation)).status == 200
    path = f"/api/identity/bindings/{conversation}"
    clock.advance(timedelta(minutes=30) - timedelta(seconds=1))
    resp = await client.get(path, headers=auth)
    assert resp.status == 200
    assert (await resp.json())["binding"]["expires_at"] == beijing_iso(
        SEED_NOW + timedelta(minutes=30))
    clock.advance(timedelta(seconds=1))
    resp = await client.get(path, headers=auth)
    assert resp.status == 404
    assert (await resp.json())["error"] == "no_binding"


async def test_binding_again_replaces_the_binding(client: TestClient, auth: dict,
                                                  clock: FixedClock,
                                                  database: TestDatabase) -> None:
    conversation = _id("conv")
    first, first_tail = await _order_of(client, auth, 15)
    second, second_tail = await _order_of(client, auth, 16)
    assert (await _bind(client, auth, first, first_tail, conversation)).status == 200
    clock.advance(timedelta(minutes=20))
    resp = await _bind(client, auth, second, second_tail, conversation)
    assert resp.status == 200
    clock.advance(timedelta(minutes=15))
    body = await (await client.get(f"/api/identity/bindings/{conversation}", headers=auth)).json()
    assert body["customer"]["id"] == 16
    assert body["binding"]["expires_at"] == beijing_iso(SEED_NOW + timedelta(minutes=50))
    engine = create_engine(database.url)
    try:
        async with engine.connect() as conn:
            count = await conn.scalar(select(func.count()).select_from(ConversationBinding).where(
                ConversationBinding.conversation_id == conversation))
    finally:
        await engine.dispose()
    assert count == 1


async def test_ending_a_binding_is_idempotent(client: TestClient, auth: dict) -> None:
    order_no, tail = await _order_of(client, auth, 17)
    conversation = _id("conv")
    assert (await _bind(client, auth, order_no, tail, conversation)).status == 200
    path = f"/api/identity/bindings/{conversation}"
    for _ in range(2):
        resp = await client.delete(path, headers=auth)
        assert resp.status == 204 and await resp.read() == b""
        assert (await client.get(path, headers=auth)).status == 404


async def test_an_unknown_conversation_has_no_binding(client: TestClient, auth: dict) -> None:
    resp = await client.get(f"/api/identity/bindings/{_id('never-seen')}", headers=auth)
    assert resp.status == 404
    body = await resp.json()
    assert body["error"] == "no_binding" and body["message"]
    assert (await client.get(f"/api/identity/bindings/{_id('x')}")).status == 401


@pytest.mark.parametrize("method", ["GET", "DELETE"])
@pytest.mark.parametrize("conversation", ["c" * 129, "%20%20"])
async def test_a_bad_conversation_in_the_path_is_400(client: TestClient, auth: dict, method: str,
                                                     conversation: str) -> None:
    resp = await client.request(method, f"/api/identity/bindings/{conversation}", headers=auth)
    assert resp.status == 400
    assert (await resp.json())["field"] == "conversation_id"


GOOD = {"order_no": "KF202611180001", "phone_tail": "1234"}


@pytest.mark.parametrize("extra, field", [
    ({}, "conversation_id"),
    ({"conversation_id": ""}, "conversation_id"),
    ({"conversation_id": "   "}, "conversation_id"),
    ({"conversation_id": 42}, "conversation_id"),
    ({"conversation_id": "c" * 129}, "conversation_id"),
    ({"conversation_id": "ok", "source": "s" * 65}, "source"),
    ({"conversation_id": "ok", "source": 42}, "source"),
])
async def test_bind_needs_a_conversation_and_a_short_source(client: TestClient, auth: dict,
                                                            extra: dict, field: str) -> None:
    resp = await client.post("/api/identity/bind", json={**GOOD, **extra}, headers=auth)
    assert resp.status == 400
    assert (await resp.json())["field"] == field


async def test_the_longest_conversation_and_source_are_accepted(client: TestClient,
                                                                auth: dict) -> None:
    order_no, tail = await _order_of(client, auth, 18)
    conversation = _id("c").ljust(128, "c")
    resp = await _bind(client, auth, order_no, tail, conversation, source="s" * 64)
    assert resp.status == 200
    assert (await resp.json())["binding"]["conversation_id"] == conversation


async def test_a_conversation_is_locked_after_five_failures(client: TestClient, auth: dict,
                                                            database: TestDatabase) -> None:
    """Different order numbers and sources each time: only the conversation limit applies."""
    conversation = _id("conv")
    for _ in range(5):
        resp = await _bind(client, auth, _unknown_order(), "0000", conversation, _id("src"))
        assert resp.status == 404 and (await resp.json())["error"] == "no_match"
    order_no, tail = await _order_of(client, auth, 19)
    await _assert_locked(await _bind(client, auth, order_no, tail, conversation, _id("src")))
    assert (await client.get(f"/api/identity/bindings/{conversation}", headers=auth)).status == 404
    resp = await _bind(client, auth, order_no, tail, _id("other-conv"), _id("src"))
    assert resp.status == 200
    assert await _outcomes(database, IdentityAttempt.conversation_id, conversation) == {
        "no_match": 5, "locked": 1}


async def test_an_order_number_is_locked_after_five_failures(client: TestClient, auth: dict,
                                                             database: TestDatabase) -> None:
    """Different conversations and sources each time: only the order limit applies."""
    order_no, tail = await _order_of(client, auth, 20)
    for _ in range(5):
        resp = await _bind(client, auth, order_no, _wrong(tail), _id("conv"), _id("src"))
        assert resp.status == 404
    await _assert_locked(await _bind(client, auth, order_no, tail, _id("conv"), _id("src")))
    other, other_tail = await _order_of(client, auth, 21)
    assert (await _bind(client, auth, other, other_tail, _id("conv"), _id("src"))).status == 200
    assert await _outcomes(database, IdentityAttempt.order_no, order_no) == {
        "no_match": 5, "locked": 1}


async def test_an_unknown_order_number_is_locked_like_a_real_one(client: TestClient,
                                                                 auth: dict) -> None:
    """Locking only existing orders would tell a guesser which order numbers exist."""
    order_no = _unknown_order()
    for _ in range(5):
        assert (await _bind(client, auth, order_no, "0000", _id("conv"))).status == 404
    await _assert_locked(await _bind(client, auth, order_no, "0000", _id("conv")))


async def test_a_source_is_locked_after_twenty_failures(client: TestClient, auth: dict,
                                                        database: TestDatabase) -> None:
    """Different conversations and order numbers each time: only the source limit applies."""
    source = _id("198.51.100")
    for _ in range(20):
        resp = await _bind(client, auth, _unknown_order(), "0000", _id("conv"), source)
        assert resp.status == 404
    order_no, tail = await _order_of(client, auth, 22)
    await _assert_locked(await _bind(client, auth, order_no, tail, _id("conv"), source))
    assert (await _bind(client, auth, order_no, tail, _id("conv"), _id("src"))).status == 200
    assert (await _bind(client, auth, order_no, tail, _id("conv"))).status == 200
    assert await _outcomes(database, IdentityAttempt.source, source) == {
        "no_match": 20, "locked": 1}


async def test_the_lock_ends_after_the_configured_time(client: TestClient, auth: dict,
                                                       clock: FixedClock) -> None:
    conversation = _id("conv")
    for _ in range(5):
        await _bind(client, auth, _unknown_order(), "0000", conversation)
    order_no, tail = await _order_of(client, auth, 23)
    clock.advance(timedelta(minutes=29))
    resp = await _bind(client, auth, order_no, tail, conversation)
    await _assert_locked(resp, retry_after=60)
    assert "请在 1 分钟后再试" in (await resp.json())["message"]
    clock.advance(timedelta(seconds=59))
    await _assert_locked(await _bind(client, auth, order_no, tail, conversation), retry_after=1)
    clock.advance(timedelta(seconds=1))
    resp = await _bind(client, auth, order_no, tail, conversation)
    assert resp.status == 200
    assert (await resp.json())["binding"]["expires_at"] == beijing_iso(
        SEED_NOW + timedelta(minutes=60))


async def test_while_locked_the_answer_does_not_depend_on_the_tail(client: TestClient,
                                                                   auth: dict) -> None:
    conversation = _id("conv")
    for _ in range(5):
        await _bind(client, auth, _unknown_order(), "0000", conversation)
    order_no, tail = await _order_of(client, auth, 24)
    right = await _bind(client, auth, order_no, tail, conversation)
    wrong = await _bind(client, auth, order_no, _wrong(tail), conversation)
    unknown = await _bind(client, auth, _unknown_order(), tail, conversation)
    assert right.status == wrong.status == unknown.status == 429
    assert await right.read() == await wrong.read() == await unknown.read()


async def test_a_success_resets_no_failure_count(client: TestClient, auth: dict) -> None:
    """Four misses, a hit on an order of one's own, one more miss: the conversation is locked.
    Were a success to reset the count, anyone with one real order could guess without end."""
    conversation = _id("conv")
    own, own_tail = await _order_of(client, auth, 25)
    for _ in range(4):
        assert (await _bind(client, auth, _unknown_order(), "0000", conversation)).status == 404
    assert (await _bind(client, auth, own, own_tail, conversation)).status == 200
    assert (await _bind(client, auth, _unknown_order(), "0000", conversation)).status == 404
    await _assert_locked(await _bind(client, auth, own, own_tail, conversation))


@pytest.mark.parametrize("shared", ["conversation", "order"])
async def test_a_parallel_burst_is_checked_no_more_than_the_limit(client: TestClient, auth: dict,
                                                                  database: TestDatabase,
                                                                  shared: str) -> None:
    """40 wrong guesses sent at once sharing one conversation (or one order number): all 40 are
    recorded and exactly the limit of 5 are checked; the rest are refused unchecked."""
    conversation, order_no = _id("burst"), _unknown_order()

    def guess() -> object:
        return _bind(client, auth,
                     order_no if shared == "order" else _unknown_order(), "0000",
                     conversation if shared == "conversation" else _id("burst"))

    responses = await asyncio.gather(*(guess() for _ in range(40)))
    statuses = sorted(r.status for r in responses)
    assert statuses == [404] * 5 + [429] * 35
    column = IdentityAttempt.conversation_id if shared == "conversation" else IdentityAttempt.order_no
    value = conversation if shared == "conversation" else order_no
    assert await _outcomes(database, column, value) == {"no_match": 5, "locked": 35}
