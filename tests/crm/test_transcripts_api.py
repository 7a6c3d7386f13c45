"""The transcript of record, on SQLite and PostgreSQL: customer messages kept once per client id
(also when resent at once), bot replies, reading on, and the handoff state a channel needs."""

from __future__ import annotations

import asyncio
import uuid

import pytest


def _conversation() -> str:
    return f"conv-{uuid.uuid4().hex}"


async def test_a_customer_message_is_kept_once_per_client_id(client, auth) -> None:
    conversation = _conversation()
    url = f"/api/conversations/{conversation}/inbound"
    body = {"channel": "web", "text": "<b>你好</b>", "message_id": "m-1"}
    answers = await asyncio.gather(*(client.post(url, json=body, headers=auth) for _ in range(5)))
    assert sorted(a.status for a in answers) == [200, 200, 200, 200, 201]
    first = await answers[0].json()
    assert first["handoff"] is None
    await client.post(url, json={"channel": "web", "text": "在吗"}, headers=auth)
    reply = await client.post(f"/api/conversations/{conversation}/messages", headers=auth, json={
        "channel": "web", "author": "bot", "text": "您好，请问有什么可以帮您？",
        "buttons": [{"title": "查订单", "payload": "/order_status"}]})
    assert reply.status == 201
    kept = (await (await client.get(f"/api/conversations/{conversation}/messages",
                                    headers=auth)).json())["messages"]
    assert [(m["author"], m["text"]) for m in kept] == [
        ("customer", "<b>你好</b>"), ("customer", "在吗"), ("bot", "您好，请问有什么可以帮您？")]
    assert kept[2]["buttons"] == [{"title": "查订单", "payload": "/order_status"}]
    later = (await (await client.get(
        f"/api/conversations/{conversation}/messages?after_id={kept[0]['id']}",
        headers=auth)).json())["messages"]
    assert [m["id"] for m in later] == [kept[1]["id"], kept[2]["id"]]


async def test_a_turns_replies_are_kept_in_one_request_in_the_order_said(client, auth) -> None:
    conversation = _conversation()
    reply = await client.post(f"/api/conversations/{conversation}/messages", headers=auth, json={
        "channel": "wechat", "author": "bot", "messages": [
            {"text": "已为您登记投诉", "buttons": []},
            {"text": "您看这样处理可以吗？",
             "buttons": [{"title": "全额退款", "payload": "/choose_remedy"}]},
            {"text": "还有别的问题也可以直接问我"}]})
    assert reply.status == 201
    answered = (await reply.json())["messages"]
    kept = (await (await client.get(f"/api/conversations/{conversation}/messages",
                                    headers=auth)).json())["messages"]
    assert [m["id"] for m in kept] == [m["id"] for m in answered]
    assert [(m["author"], m["channel"], m["text"]) for m in kept] == [
        ("bot", "wechat", "已为您登记投诉"), ("bot", "wechat", "您看这样处理可以吗？"),
        ("bot", "wechat", "还有别的问题也可以直接问我")]
    assert kept[1]["buttons"] == [{"title": "全额退款", "payload": "/choose_remedy"}]
    assert kept[0]["buttons"] == [] and kept[2]["buttons"] == []


@pytest.mark.parametrize("messages, field", [
    ([], "messages"),
    ("已为您登记", "messages"),
    ([{"text": "第一条"}, "第二条"], "messages"),
    ([{"text": f"第{n}条"} for n in range(21)], "messages"),
    ([{"text": "第一条"}, {"text": "   "}], "text"),
    ([{"text": "第一条"}, {"text": "第二条", "buttons": "not a list"}], "buttons"),
])
async def test_a_bad_batch_keeps_none_of_its_messages(client, auth, messages, field) -> None:
    conversation = _conversation()
    response = await client.post(f"/api/conversations/{conversation}/messages", headers=auth,
                                 json={"channel": "web", "author": "bot", "messages": messages})
    assert response.status == 400
    assert (await response.json())["field"] == field
    kept = await (await client.get(f"/api/conversations/{conversation}/messages",
                                   headers=auth)).json()
    assert kept["messages"] == []


async def test_a_held_conversation_says_so_with_the_place_in_the_queue(client, auth) -> None:
    conversation = _conversation()
    created = await client.post("/api/handoffs", headers=auth, json={
        "conversation_id": conversation, "reason": "客户要求人工",
        "idempotency_key": uuid.uuid4().hex})
    handoff = (await created.json())["handoff"]
    answer = await (await client.post(f"/api/conversations/{conversation}/inbound", headers=auth,
                                      json={"channel": "wechat", "text": "人呢"})).json()
    assert answer["handoff"]["id"] == handoff["id"] and answer["handoff"]["status"] == "waiting"
    assert answer["handoff"]["position"] >= 1 and answer["message"]["handoff_id"] == handoff["id"]
    await client.post(f"/api/handoffs/{handoff['id']}/close", headers=auth, json={})
    after = await (await client.post(f"/api/conversations/{conversation}/inbound", headers=auth,
                                     json={"channel": "wechat", "text": "好了吗"})).json()
    assert after["handoff"] is None


@pytest.mark.parametrize("path, body, status", [
    ("inbound", {"channel": "fax", "text": "你好"}, 400),
    ("inbound", {"channel": "web", "text": ""}, 400),
    ("inbound", {"channel": "web", "text": "长" * 20001}, 413),  # over the body limit
    ("messages", {"channel": "web", "author": "agent", "text": "冒充客服"}, 400),
    ("messages", {"channel": "web", "author": "bot", "text": "x", "buttons": "not a list"}, 400),
])
async def test_bad_messages_are_refused(client, auth, path, body, status) -> None:
    conversation = _conversation()
    response = await client.post(f"/api/conversations/{conversation}/{path}", json=body,
                                 headers=auth)
    assert response.status == status
    kept = await (await client.get(f"/api/conversations/{conversation}/messages",
                                   headers=auth)).json()
    assert kept["messages"] == []


async def test_the_transcript_needs_the_service_token(client) -> None:
    response = await client.get(f"/api/conversations/{_conversation()}/messages")
    assert response.status == 401
