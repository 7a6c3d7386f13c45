"""The widget's socket.io channel against the real stack: allowed origins only, history from the
server, each message handled once however often it is resent, refusals with a sentence, a
person's message kept as theirs."""

import asyncio
import uuid

import pytest
import socketio
import websockets

from tests.e2e.conftest import RunningStack
from tests.e2e.widget_socket import WidgetSocket, person_says

pytestmark = pytest.mark.e2e


def widget(stack: RunningStack) -> WidgetSocket:
    return WidgetSocket(stack.config.rasa_url, stack.config.crm_url)


def shipped_order_of(stack: RunningStack, customer_id: int) -> dict:
    orders = stack.crm(f"/api/customers/{customer_id}/orders?limit=10")["orders"]
    number = next(o["order_no"] for o in orders if o["status"] == "shipped")
    return stack.crm(f"/api/orders/{number}")


def user_events(stack: RunningStack, sender: str) -> list:
    return [e for e in stack.tracker(sender)["events"] if e["event"] == "user"]


async def test_a_page_of_another_origin_cannot_connect(stack: RunningStack) -> None:
    stranger = WidgetSocket(stack.config.rasa_url, "https://evil.example")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await stranger.open()
    allowed = await widget(stack).open()
    assert allowed.session_id and allowed.history == []
    await allowed.close()


@pytest.mark.parametrize("origin, opens", [("https://evil.example", False), (None, True)])
async def test_a_websocket_from_another_origin_is_refused(stack: RunningStack, origin,
                                                          opens) -> None:
    url = f"ws://{stack.config.host}:{stack.config.rasa_port}/socket.io/?EIO=4&transport=websocket"
    try:
        async with websockets.connect(url, origin=origin or stack.config.crm_url) as ws:
            opened = (await asyncio.wait_for(ws.recv(), 10)).startswith("0{")
    except websockets.exceptions.InvalidStatusCode:
        opened = False
    assert opened is opens


async def test_a_signed_in_customer_is_answered_from_the_crm_and_the_history_returns(
        stack: RunningStack) -> None:
    order = shipped_order_of(stack, 1)
    first = await widget(stack).open()
    # By number: earlier tests' resends give customer 1 more open orders to choose from.
    question = f"我的订单{order['order_no']}到哪了"
    ack = await first.send(question, token=stack.token(1))
    assert ack == {"status": "ok"}
    text = first.reply_text()
    assert order["order_no"] in text and order["shipment"]["carrier"] in text
    assert order["shipment"]["events"][0]["description"] in text
    await first.close()

    again = await widget(stack).open(first.session_id)
    assert again.session_id == first.session_id
    roles = [(m["role"], m["text"]) for m in again.history]
    assert roles[0] == ("user", question)
    assert any(role == "bot" and order["order_no"] in text for role, text in roles)
    await again.close()


async def test_a_resent_message_is_handled_once(stack: RunningStack) -> None:
    socket = await widget(stack).open()
    message_id = uuid.uuid4().hex
    acks = await asyncio.gather(socket.send("你好", message_id), socket.send("你好", message_id))
    assert {a["status"] for a in acks} <= {"ok", "duplicate"}
    assert (await socket.send("你好", message_id)) == {"status": "duplicate"}
    await socket.close()
    # As after a dropped connection: a new socket resends the same message.
    resent = await widget(stack).open(socket.session_id)
    assert (await resent.send("你好", message_id)) == {"status": "duplicate"}
    assert [e["message_id"] for e in user_events(stack, socket.session_id)] == [message_id]
    assert [m["role"] for m in resent.history].count("user") == 1
    await resent.close()


@pytest.mark.parametrize("body, code", [
    ({"message": "长" * 2001}, "message_too_long"),
    ({"message": "   "}, "message_required"),
    ({"message": "/EXTERNAL_follow_up"}, "reserved_intent"),
    ({"message": "你好", "session_id": "../x"}, "sender_required"),
])
async def test_bad_messages_are_refused_with_a_sentence_and_change_nothing(
        stack: RunningStack, body, code) -> None:
    socket = await widget(stack).open()
    ack = await socket.sio.call("user_uttered", {"session_id": socket.session_id, **body},
                                timeout=30)
    assert ack["status"] == "refused" and ack["code"] == code and ack["text"]
    assert socket.replies == []
    tracker = stack.tracker(socket.session_id)
    assert [e for e in tracker["events"] if e["event"] == "user"] == []
    await socket.close()


async def test_a_forged_token_reveals_nothing(stack: RunningStack) -> None:
    order = shipped_order_of(stack, 1)
    header, payload, signature = stack.token(1).split(".")
    socket = await widget(stack).open()
    await socket.send("我的快递到哪了", token=f"{header}.{payload}.{signature[::-1]}")
    text = socket.reply_text()
    assert "凭证无效" in text
    assert order["order_no"] not in text and order["shipment"]["carrier"] not in text
    await socket.close()


async def test_a_persons_message_reaches_the_widget_and_the_history_as_theirs(
        stack: RunningStack) -> None:
    socket = await widget(stack).open()
    await socket.send("你好")
    await asyncio.to_thread(person_says, stack.config.rasa_url, stack.config.rasa_api_token,
                            socket.session_id, "小美", "您好，我是客服小美，我来帮您看看")
    for _ in range(50):
        if any("person" in r for r in socket.replies):
            break
        await asyncio.sleep(0.1)
    assert {"text": "您好，我是客服小美，我来帮您看看", "person": {"name": "小美"}} in socket.replies
    await socket.close()

    again = await widget(stack).open(socket.session_id)
    assert again.history[-1] == {"role": "person", "text": "您好，我是客服小美，我来帮您看看",
                                 "name": "小美", "at": again.history[-1]["at"]}
    await again.close()
