"""The WeChat channel against the real stack, with WeChat's API played by a fake server on
loopback (the only stand-in): verification, passive and late answers, retries, forged and hostile
bodies, the shared access token, the quota, menus, media and OpenIDs linking themselves."""

import random
import threading
import time
import urllib.parse
import urllib.request
import uuid
from typing import Any, Callable, Dict, List, Tuple

import pytest

from bot.channels.wechat import crypto
from scripts.wechat_sim import Account, event_xml, media_xml, post, text_xml
from tests.e2e.conftest import RunningStack
from tests.e2e.widget_socket import person_says

pytestmark = pytest.mark.e2e


def account(stack: RunningStack) -> Account:
    w = stack.config.wechat
    return Account(w["WECHAT_TOKEN"], w["WECHAT_ENCODING_AES_KEY"], w["WECHAT_APP_ID"])


def webhook(stack: RunningStack) -> str:
    return f"{stack.config.rasa_url}/webhooks/wechat/webhook"


def open_id() -> str:
    return f"o-test-{uuid.uuid4().hex[:16]}"


def msg_id() -> int:
    return random.randint(10**17, 10**18)


def say(stack: RunningStack, who: str, text: str, safe: bool = False) -> Tuple[int, str]:
    return post(webhook(stack), account(stack), text_xml(who, text, msg_id()), safe=safe)


def user_texts(stack: RunningStack, who: str) -> List[str]:
    return [e["text"] for e in stack.tracker(who)["events"] if e["event"] == "user"]


def shipped_order(stack: RunningStack, customer_id: int) -> Dict[str, Any]:
    orders = stack.crm(f"/api/customers/{customer_id}/orders?limit=10")["orders"]
    number = next(o["order_no"] for o in orders if o["status"] == "shipped")
    return stack.crm(f"/api/orders/{number}")


def linked(stack: RunningStack, customer_id: int) -> str:
    """A new OpenID linked to the customer the way the bot links one (the CRM's bind)."""
    who = open_id()
    order = stack.crm(f"/api/customers/{customer_id}/orders?limit=1")["orders"][0]
    tail = stack.crm(f"/api/customers/{customer_id}")["phone_masked"][-4:]
    stack.crm("/api/identity/bind", "POST", {"order_no": order["order_no"], "phone_tail": tail,
                                            "conversation_id": who, "channel": "wechat"})
    return who


def eventually(check: Callable[[], Any], seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    return check()


def deliveries(stack: RunningStack, who: str) -> List[Dict[str, Any]]:
    return stack.crm(f"/api/wechat/deliveries?open_id={who}")["deliveries"]


def test_url_verification(stack: RunningStack) -> None:
    token = account(stack).token
    query = {"timestamp": "1409735669", "nonce": "1320562132", "echostr": "echo-123"}
    good = dict(query, signature=crypto.signature(token, "1409735669", "1320562132"))
    with urllib.request.urlopen(f"{webhook(stack)}?{urllib.parse.urlencode(good)}") as response:
        assert response.read() == b"echo-123"
    bad = dict(query, signature="0" * 40)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{webhook(stack)}?{urllib.parse.urlencode(bad)}")
    assert refused.value.code == 403


@pytest.mark.parametrize("safe", [False, True])
def test_a_text_message_is_answered_passively(stack: RunningStack, safe: bool) -> None:
    who = open_id()
    status, reply = say(stack, who, "你好", safe=safe)
    assert status == 200 and "小福" in reply
    assert user_texts(stack, who) == ["你好"]


def test_an_unlinked_openid_links_itself_by_order_number_and_phone_tail(
        stack: RunningStack) -> None:
    order = shipped_order(stack, 1)
    tail = stack.crm("/api/customers/1")["phone_masked"][-4:]
    who = open_id()
    assert "订单号" in say(stack, who, "我的快递到哪了")[1]
    assert "后四位" in say(stack, who, order["order_no"])[1]
    answer = say(stack, who, tail)[1]
    assert order["order_no"] in answer and order["shipment"]["carrier"] in answer
    link = stack.crm(f"/api/wechat/identities/{who}")
    assert link["customer"]["id"] == 1
    stack.crm(f"/api/identity/bindings/{who}", "DELETE")  # the 30-minute binding is gone …
    points = stack.crm("/api/customers/1/points")["balance"]
    assert f"{points}" in say(stack, who, "我的积分有多少")[1]  # … the link stays


def test_choices_are_numbered_lines_and_a_number_picks_one(stack: RunningStack) -> None:
    who = linked(stack, 2)
    reply = say(stack, who, "我的快递到哪了")[1]
    assert "1. " in reply and "2. " in reply and "回复 1、2" in reply
    second = next(line for line in reply.splitlines() if line.startswith("2. "))
    number = second.split()[1]
    assert number.startswith("KF") and number in say(stack, who, "2")[1]


def test_a_slow_answer_is_acknowledged_then_sent_through_the_api(stack: RunningStack) -> None:
    who = linked(stack, 1)
    stack.crm_proxy.delay = 6
    try:
        started = time.monotonic()
        status, reply = say(stack, who, "我的积分有多少")
        assert status == 200 and reply == "success" and time.monotonic() - started < 5
    finally:
        stack.crm_proxy.delay = 0
    sent = eventually(lambda: stack.wechat_api.state.texts_to(who))
    assert len(sent) == 1 and "积分" in sent[0]
    # The delivery is recorded in the CRM after WeChat accepted it: wait for the record too.
    recorded = eventually(lambda: [d["status"] for d in deliveries(stack, who)])
    assert recorded == ["sent"]


def test_three_retries_of_one_message_get_one_answer(stack: RunningStack) -> None:
    who = linked(stack, 1)
    xml = text_xml(who, "我的积分有多少", msg_id())
    results: List[Tuple[int, str]] = []

    def deliver() -> None:
        results.append(post(webhook(stack), account(stack), xml))

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    for thread in threads:
        thread.join(30)
    answers = {reply for status, reply in results if reply != "success"}
    assert all(status == 200 for status, _ in results) and len(answers) == 1
    assert user_texts(stack, who) == ["我的积分有多少"]
    late = post(webhook(stack), account(stack), xml)
    assert late == (200, answers.pop())
    assert user_texts(stack, who) == ["我的积分有多少"]
    assert stack.wechat_api.state.texts_to(who) == []


@pytest.mark.parametrize("body, status", [
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
     b"<xml><ToUserName>a</ToUserName><FromUserName>{who}</FromUserName><CreateTime>1"
     b"</CreateTime><MsgType>text</MsgType><Content>&e;</Content><MsgId>1</MsgId></xml>", 400),
    (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;'
     b'&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><xml><FromUserName>{who}'
     b"</FromUserName><Content>&c;</Content></xml>", 400),
    (b"not xml at all {who}", 400),
    (b"<xml><FromUserName>{who}</FromUserName><Content>" + b"x" * 20000 + b"</Content></xml>",
     413),
])
def test_hostile_bodies_are_refused_and_change_nothing(stack: RunningStack, body: bytes,
                                                       status: int) -> None:
    who = open_id()
    raw = urllib.request.Request(f"{webhook(stack)}?" + urllib.parse.urlencode(
        _signed(stack)), data=body.replace(b"{who}", who.encode()))
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(raw, timeout=30)
    assert refused.value.code == status
    assert stack.tracker(who)["events"] == [] or user_texts(stack, who) == []


def _signed(stack: RunningStack) -> Dict[str, str]:
    timestamp, nonce = str(int(time.time())), "424242"
    return {"timestamp": timestamp, "nonce": nonce,
            "signature": crypto.signature(account(stack).token, timestamp, nonce)}


@pytest.mark.parametrize("safe", [False, True])
def test_a_forged_signature_is_refused_and_writes_nothing(stack: RunningStack, safe) -> None:
    who = open_id()
    status, _ = post(webhook(stack), account(stack), text_xml(who, "你好", msg_id()), safe=safe,
                     signature="f" * 40)
    assert status == 403
    forged = Account(account(stack).token + "x", account(stack).encoding_aes_key,
                     account(stack).app_id)
    assert post(webhook(stack), forged, text_xml(who, "你好", msg_id()), safe=safe)[0] == 403
    assert user_texts(stack, who) == [] and deliveries(stack, who) == []


def test_an_expired_token_is_refreshed_once_and_the_message_sent(stack: RunningStack) -> None:
    who = linked(stack, 1)
    api = stack.wechat_api.state
    stack.crm_proxy.delay = 6
    try:
        say(stack, who, "我的积分有多少")  # acknowledged; the token in use now expires
        api.expire_token()
        issued = api.tokens_issued
    finally:
        stack.crm_proxy.delay = 0
    assert eventually(lambda: api.texts_to(who))
    assert api.tokens_issued == issued + 1
    assert [r["errcode"] for r in api.refused if r["touser"] == who] == [40001]


def test_an_exhausted_quota_is_recorded_not_retried(stack: RunningStack) -> None:
    who = linked(stack, 1)
    api = stack.wechat_api.state
    stack.crm_proxy.delay = 6
    try:
        say(stack, who, "我的积分有多少")
        api.next_errcodes.append(45047)
    finally:
        stack.crm_proxy.delay = 0
    recorded = eventually(lambda: deliveries(stack, who))
    assert [(d["status"], d["errcode"]) for d in recorded] == [("not_sent", 45047)]
    assert "积分" in recorded[0]["content"]
    time.sleep(2)
    assert api.texts_to(who) == [] and len([r for r in api.refused if r["touser"] == who]) == 1


def test_follow_menu_media_and_unfollow(stack: RunningStack) -> None:
    who = linked(stack, 1)
    status, welcome = post(webhook(stack), account(stack), event_xml(who, "subscribe"))
    assert status == 200 and "小福" in welcome and "订单" in welcome
    points = stack.crm("/api/customers/1/points")["balance"]
    menu = post(webhook(stack), account(stack), event_xml(who, "CLICK", "KEFU_POINTS"))[1]
    assert f"{points}" in menu
    for kind in ("image", "voice", "video"):
        assert "文字" in post(webhook(stack), account(stack), media_xml(who, kind, msg_id()))[1]
    assert post(webhook(stack), account(stack), event_xml(who, "unsubscribe")) == (200, "success")
    assert stack.crm(f"/api/wechat/identities/{who}")["unsubscribed_at"] is not None


def test_cdata_end_in_a_message_reaches_the_bot_intact(stack: RunningStack) -> None:
    who = open_id()
    status, reply = say(stack, who, "这个]]><b>多少钱</b>")
    assert status == 200 and reply
    assert user_texts(stack, who) == ["这个]]><b>多少钱</b>"]


def test_a_persons_message_reaches_wechat_through_the_api(stack: RunningStack) -> None:
    who = linked(stack, 1)
    say(stack, who, "你好")
    person_says(stack.config.rasa_url, stack.config.rasa_api_token, who, "小美",
                "您好，我是客服小美", channel="wechat")
    assert eventually(lambda: stack.wechat_api.state.texts_to(who)) == [
        "【人工客服 小美】您好，我是客服小美"]
    assert [d["status"] for d in deliveries(stack, who)] == ["sent"]
