"""The WeChat channel's shared state in the CRM, on SQLite and PostgreSQL: a delivered message
claimed once, the access token fetched once for every caller (and refreshed once when refused),
deliveries recorded, OpenIDs linked for good by a proven order, follows recorded."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import datetime, timedelta, timezone
from typing import AsyncIterator, Tuple

import pytest
from aiohttp.test_utils import TestClient, TestServer

from crm_backend.app import create_app
from crm_backend.core.clock import FixedClock
from crm_backend.core.config import CRMConfig
from crm_backend.wechat.rules import reply_quota
from scripts.fake_wechat import FakeWeChatState
from scripts.fake_wechat import create_app as fake_wechat_app


@pytest.fixture
async def wechat(config: CRMConfig, clock: FixedClock,
                 auth: dict) -> AsyncIterator[Tuple[TestClient, FakeWeChatState]]:
    """The CRM configured for an account of its own, WeChat's API played on loopback."""
    state = FakeWeChatState()
    api = TestServer(fake_wechat_app(state), host="127.0.0.1")
    await api.start_server()
    configured = dataclasses.replace(
        config, wechat_app_id=f"wx{uuid.uuid4().hex[:16]}", wechat_app_secret="s" * 32,
        wechat_api_base=str(api.make_url("")).rstrip("/"))
    client = TestClient(TestServer(create_app(configured, clock), host="127.0.0.1"),
                        headers=auth)
    await client.start_server()
    try:
        yield client, state
    finally:
        await client.close()
        await api.close()


def _key() -> str:
    return f"msg:{uuid.uuid4().int % 10**18}"


async def test_a_message_is_claimed_once_even_at_once(wechat) -> None:
    client, _ = wechat
    key = _key()
    claims = await asyncio.gather(*(client.post("/api/wechat/inbound", json={
        "key": key, "open_id": "o-1", "msg_type": "text"}) for _ in range(8)))
    assert sorted(c.status for c in claims) == [200] * 7 + [201]
    answered = await client.post("/api/wechat/inbound/answer", json={
        "key": key, "reply": "您好", "delivery": "passive"})
    assert (await answered.json())["inbound"]["status"] == "answered"
    retry = await (await client.post("/api/wechat/inbound", json={
        "key": key, "open_id": "o-1", "msg_type": "text"})).json()
    assert retry["claimed"] is False
    assert (retry["inbound"]["reply"], retry["inbound"]["delivery"]) == ("您好", "passive")


@pytest.mark.parametrize("body, status", [
    ({"key": "x" * 161, "open_id": "o", "msg_type": "text"}, 400),
    ({"open_id": "o", "msg_type": "text"}, 400),
])
async def test_bad_claims_are_refused(wechat, body, status) -> None:
    client, _ = wechat
    assert (await client.post("/api/wechat/inbound", json=body)).status == status


async def test_answering_an_unknown_message_is_404(wechat) -> None:
    client, _ = wechat
    response = await client.post("/api/wechat/inbound/answer", json={
        "key": _key(), "delivery": "api"})
    assert response.status == 404


async def test_the_token_is_fetched_once_for_every_caller(wechat, clock) -> None:
    client, state = wechat
    answers = await asyncio.gather(*(client.post("/api/wechat/access-token", json={})
                                     for _ in range(10)))
    tokens = {(await a.json())["access_token"] for a in answers}
    assert tokens == {"token-1"} and state.tokens_issued == 1
    clock.advance(timedelta(seconds=7200 - 299))
    assert (await (await client.post("/api/wechat/access-token", json={})).json())[
        "access_token"] == "token-2"


async def test_a_refused_token_is_replaced_once(wechat) -> None:
    client, state = wechat
    first = (await (await client.post("/api/wechat/access-token", json={})).json())["access_token"]
    refreshed = await asyncio.gather(*(client.post("/api/wechat/access-token",
                                                   json={"stale_token": first})
                                       for _ in range(5)))
    assert {(await r.json())["access_token"] for r in refreshed} == {"token-2"}
    assert state.tokens_issued == 2


async def test_without_wechat_settings_there_is_no_token(client, auth) -> None:
    response = await client.post("/api/wechat/access-token", json={}, headers=auth)
    assert response.status == 503


async def test_deliveries_are_recorded_sent_or_not(wechat) -> None:
    client, _ = wechat
    who = f"o-{uuid.uuid4().hex}"
    for status, code in (("sent", None), ("not_sent", 45047)):
        body = {"open_id": who, "inbound_key": "msg:1", "content": "您的积分 100", "status": status}
        if code:
            body["errcode"] = code
        assert (await client.post("/api/wechat/deliveries", json=body)).status == 201
    listed = (await (await client.get(f"/api/wechat/deliveries?open_id={who}")).json())
    assert [(d["status"], d["errcode"]) for d in listed["deliveries"]] == [
        ("not_sent", 45047), ("sent", None)]


async def test_a_proven_order_links_the_openid_for_good(wechat) -> None:
    client, _ = wechat
    who = f"o-{uuid.uuid4().hex}"
    assert (await client.get(f"/api/wechat/identities/{who}")).status == 404
    customer = await (await client.get("/api/customers/3")).json()
    order = (await (await client.get("/api/customers/3/orders?limit=1")).json())["orders"][0]
    bound = await client.post("/api/identity/bind", json={
        "order_no": order["order_no"], "phone_tail": customer["phone_masked"][-4:],
        "conversation_id": who, "channel": "wechat"})
    assert bound.status == 200
    linked = await (await client.get(f"/api/wechat/identities/{who}")).json()
    assert linked["customer"]["id"] == 3 and linked["unsubscribed_at"] is None
    await client.post("/api/wechat/subscription", json={"open_id": who, "subscribed": False})
    gone = await (await client.get(f"/api/wechat/identities/{who}")).json()
    assert gone["unsubscribed_at"] is not None
    await client.post("/api/wechat/subscription", json={"open_id": who, "subscribed": True})
    back = await (await client.get(f"/api/wechat/identities/{who}")).json()
    assert back["unsubscribed_at"] is None


async def test_a_web_conversation_is_not_linked(wechat) -> None:
    client, _ = wechat
    who = f"web-{uuid.uuid4().hex}"
    customer = await (await client.get("/api/customers/3")).json()
    order = (await (await client.get("/api/customers/3/orders?limit=1")).json())["orders"][0]
    await client.post("/api/identity/bind", json={
        "order_no": order["order_no"], "phone_tail": customer["phone_masked"][-4:],
        "conversation_id": who})
    assert (await client.get(f"/api/wechat/identities/{who}")).status == 404


def test_the_reply_quota_counts_down_and_closes_with_the_window() -> None:
    wrote = datetime(2026, 11, 23, 8, tzinfo=timezone.utc)
    assert reply_quota(wrote, 2, wrote + timedelta(hours=1))["remaining"] == 3
    assert reply_quota(wrote, 7, wrote + timedelta(hours=1))["remaining"] == 0
    assert reply_quota(wrote, 0, wrote + timedelta(hours=48))["remaining"] == 0
    assert reply_quota(None, 0, wrote) == {"remaining": 0, "window_ends_at": None}
