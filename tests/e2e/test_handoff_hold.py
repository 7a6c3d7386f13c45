"""While a person holds a conversation the bot stays silent in every channel: the customer's
messages are kept in the CRM's transcript, a waiting customer hears their place in the queue, and
once the handoff ends the bot answers again (the dead end of a handoff with nobody behind it)."""

import asyncio
import json
import urllib.request
from typing import Any, Dict, List

import pytest

from scripts.wechat_sim import post, text_xml
from tests.e2e.conftest import RunningStack, new_sender, reply_text
from tests.e2e.staff_client import StaffClient, handoffs_of
from tests.e2e.test_wechat_channel import account, msg_id, open_id, webhook
from tests.e2e.widget_socket import WidgetSocket

pytestmark = pytest.mark.e2e


def transcript(stack: RunningStack, conversation: str) -> List[Dict[str, Any]]:
    return stack.crm(f"/api/conversations/{conversation}/messages")["messages"]


def open_handoff(stack: RunningStack, conversation: str) -> Dict[str, Any]:
    return next(h for h in stack.crm("/api/handoffs?status=waiting")["handoffs"]
                if h["conversation_id"] == conversation)


def user_texts(stack: RunningStack, sender: str) -> List[str]:
    return [e["text"] for e in stack.tracker(sender)["events"] if e["event"] == "user"]


def test_rest_a_waiting_customer_hears_the_queue_and_the_bot_returns_after(
        stack: RunningStack) -> None:
    sender = new_sender()
    assert "转接人工" in reply_text(stack.say(sender, "转人工"))
    for text in ("喂？有人吗", "我的订单到哪了", "/restart", '/affirm'):
        reply = reply_text(stack.say(sender, text))
        assert "排队" in reply and "前面还有" in reply
    assert user_texts(stack, sender) == ["转人工"]
    assert not any(e["event"] == "restart" for e in stack.tracker(sender)["events"])
    kept = transcript(stack, sender)
    customer = [m["text"] for m in kept if m["author"] == "customer"]
    assert customer == ["转人工", "喂？有人吗", "我的订单到哪了", "/restart", "/affirm"]
    assert all(m["handoff_id"] for m in kept if m["text"] in ("喂？有人吗", "我的订单到哪了"))
    assert any(m["author"] == "bot" and "转接人工" in m["text"] for m in kept)

    stack.crm(f"/api/handoffs/{open_handoff(stack, sender)['id']}/close", "POST", {})
    answer = reply_text(stack.say(sender, "你好"))
    assert answer and "排队" not in answer
    assert user_texts(stack, sender)[-1] == "你好"


async def test_widget_messages_are_held_while_waiting(stack: RunningStack) -> None:
    socket = await WidgetSocket(stack.config.rasa_url, stack.config.crm_url).open()
    await socket.send("我要找人工客服")
    socket.replies.clear()
    ack = await socket.send("还要等多久")
    assert ack == {"status": "ok"} and "前面还有" in socket.reply_text()
    events = await asyncio.to_thread(stack.tracker, socket.session_id)
    assert [e["text"] for e in events["events"] if e["event"] == "user"] == ["我要找人工客服"]
    kept = await asyncio.to_thread(transcript, stack, socket.session_id)
    assert [m["channel"] for m in kept if m["author"] == "customer"] == ["web", "web"]
    await socket.close()


def test_wechat_messages_are_held_while_waiting(stack: RunningStack) -> None:
    who = open_id()
    assert "转接人工" in post(webhook(stack), account(stack), text_xml(who, "转人工", msg_id()))[1]
    status, reply = post(webhook(stack), account(stack), text_xml(who, "人呢", msg_id()))
    assert status == 200 and "前面还有" in reply
    assert [m["text"] for m in transcript(stack, who) if m["author"] == "customer"] == [
        "转人工", "人呢"]
    assert user_texts(stack, who) == ["转人工"]


async def test_a_declined_handoff_returns_to_the_bot_which_says_so(stack: RunningStack) -> None:
    socket = await WidgetSocket(stack.config.rasa_url, stack.config.crm_url).open()
    await socket.send("我要人工服务")
    handoff = (await asyncio.to_thread(handoffs_of, stack, socket.session_id))[0]
    agent = await asyncio.to_thread(lambda: StaffClient(stack).log_in("xiaowang"))
    socket.replies.clear()
    status, body = await asyncio.to_thread(
        agent.call, "POST", f"/api/staff/handoffs/{handoff['id']}/decline", {})
    assert status == 200 and body["handoff"]["status"] == "expired"
    assert "回电" in body["handoff"]["resolution_note"]
    for _ in range(50):
        if socket.replies:
            break
        await asyncio.sleep(0.2)
    assert "暂时没能接入" in socket.reply_text() and "回电" in socket.reply_text()
    socket.replies.clear()
    await socket.send("我的积分有多少")
    assert socket.replies and "排队" not in socket.reply_text()
    again = await asyncio.to_thread(agent.call, "POST",
                                    f"/api/staff/handoffs/{handoff['id']}/decline", {})
    assert again[0] == 409
    await socket.close()


def test_the_relay_through_wechat(stack: RunningStack) -> None:
    """A WeChat customer's handoff: the person's replies and the bot's score question after the
    hand back go out through the customer-service API; the customer's score lands on it."""
    who = open_id()
    post(webhook(stack), account(stack), text_xml(who, "转人工", msg_id()))
    handoff = handoffs_of(stack, who)[0]
    agent = StaffClient(stack).log_in("xiaowang")
    path = f"/api/staff/handoffs/{handoff['id']}"
    assert agent.call("POST", f"{path}/claim", {})[0] == 200
    assert agent.call("POST", f"{path}/messages", {"text": "您好，我来帮您看看"})[0] == 201
    sent = stack.wechat_api.state.texts_to
    assert sent(who)[-1].endswith("您好，我来帮您看看") and "人工客服" in sent(who)[-1]
    quota = agent.call("GET", path)[1]["wechat_quota"]
    assert quota["remaining"] == 4 and quota["window_ends_at"]
    status, reply = post(webhook(stack), account(stack), text_xml(who, "好的谢谢", msg_id()))
    assert (status, reply) == (200, "success")
    assert agent.call("POST", f"{path}/handback", {})[0] == 200
    assert "打个分" in sent(who)[-1] and "直接回复分数" in sent(who)[-1]
    answer = post(webhook(stack), account(stack), text_xml(who, "5分", msg_id()))[1]
    assert "评价" in answer
    assert handoffs_of(stack, who)[0]["csat_score"] == 5


def test_a_rest_client_pulls_a_persons_messages(stack: RunningStack) -> None:
    sender = new_sender()
    stack.say(sender, "转人工")
    handoff = handoffs_of(stack, sender)[0]
    agent = StaffClient(stack).log_in("xiaomei")
    path = f"/api/staff/handoffs/{handoff['id']}"
    agent.call("POST", f"{path}/claim", {})
    assert agent.call("POST", f"{path}/messages", {"text": "您好，请问订单号是多少？"})[0] == 201
    assert reply_text(stack.say(sender, "KF202611280009")).startswith("人工客服正在为您处理")
    url = f"{stack.config.rasa_url}/webhooks/rest/messages?sender={sender}&after=0"
    with urllib.request.urlopen(url, timeout=30) as response:
        pulled = json.loads(response.read())
    assert [(m["text"], m["person"]["name"]) for m in pulled] == [
        ("您好，请问订单号是多少？", "客服小美")]
    with urllib.request.urlopen(f"{url[:-1]}{pulled[-1]['id']}", timeout=30) as response:
        assert json.loads(response.read()) == []


def test_the_agent_sees_who_the_customer_is(stack: RunningStack) -> None:
    sender = new_sender()
    stack.say(sender, "我要投诉，快递太慢了，转人工", {"customer_token": stack.token(1)})
    handoff = handoffs_of(stack, sender)[0]
    agent = StaffClient(stack).log_in("xiaomei")
    status, detail = agent.call("GET", f"/api/staff/handoffs/{handoff['id']}")
    assert status == 200
    profile = detail["customer"]
    assert profile["name"] == "王建国" and profile["tier_label"] and profile["orders"]
    assert "points" in profile and isinstance(profile["complaints"], list)
    assert any(h["id"] == handoff["id"] for h in profile["handoffs"])
    assert [m["author"] for m in detail["messages"]][:1] == ["customer"]
    with agent.opener.open(f"{stack.config.crm_url}/staff/handoffs/{handoff['id']}") as page:
        html = page.read().decode()
    assert "王建国" in html and "最近订单" in html and profile["orders"][0]["order_no"] in html
    assert "发放优惠券" in html and "发放积分" in html


def test_notes_stay_private_and_managers_keep_the_canned_replies(stack: RunningStack) -> None:
    sender = new_sender()
    stack.say(sender, "转人工")
    handoff = handoffs_of(stack, sender)[0]
    agent = StaffClient(stack).log_in("xiaomei")
    manager = StaffClient(stack).log_in("chenjl")
    path = f"/api/staff/handoffs/{handoff['id']}"
    status, note = agent.call("POST", f"{path}/notes", {"text": "<b>客户情绪激动</b>，先安抚"})
    assert status == 201
    assert agent.call("GET", path)[1]["notes"][-1]["text"] == "<b>客户情绪激动</b>，先安抚"
    assert all("情绪激动" not in m["text"] for m in stack.crm(
        f"/api/conversations/{sender}/messages")["messages"])
    body = {"title": "问候", "text": "您好，我是人工客服，请问有什么可以帮您？"}
    assert agent.call("POST", "/api/staff/canned-replies", body)[0] == 403
    status, made = manager.call("POST", "/api/staff/canned-replies", body)
    assert status == 201
    reply_id = made["canned_reply"]["id"]
    listed = agent.call("GET", "/api/staff/canned-replies")[1]["canned_replies"]
    assert {"title": "问候", "text": body["text"]}.items() <= next(
        r for r in listed if r["id"] == reply_id).items()
    assert manager.call("PUT", f"/api/staff/canned-replies/{reply_id}",
                        {"title": "问候", "text": "您好！"})[0] == 200
    assert manager.call("DELETE", f"/api/staff/canned-replies/{reply_id}")[0] == 204
    assert all(r["id"] != reply_id for r in
               agent.call("GET", "/api/staff/canned-replies")[1]["canned_replies"])
    with agent.opener.open(f"{stack.config.crm_url}/staff/handoffs/{handoff['id']}") as page:
        html = page.read().decode()
    assert "&lt;b&gt;客户情绪激动&lt;/b&gt;" in html and "<b>客户情绪激动" not in html


def test_agent_actions_stay_within_their_authority(stack: RunningStack) -> None:
    sender = new_sender()
    stack.say(sender, "转人工", {"customer_token": stack.token(3)})
    handoff = handoffs_of(stack, sender)[0]
    agent = StaffClient(stack).log_in("xiaomei")
    manager = StaffClient(stack).log_in("chenjl")
    path = f"/api/staff/handoffs/{handoff['id']}"
    grant = {"points": 200, "reason": "快递延误补偿", "idempotency_key": f"g-{sender}"}
    assert agent.call("POST", f"{path}/points", grant)[0] == 409  # not claimed yet
    agent.call("POST", f"{path}/claim", {})
    before = stack.crm("/api/customers/3/points")["balance"]
    status, granted = agent.call("POST", f"{path}/points", grant)
    assert status == 201 and granted["balance"] == before + 200
    assert agent.call("POST", f"{path}/points", grant)[1]["balance"] == before + 200  # once
    status, refused = agent.call("POST", f"{path}/points", {**grant, "points": 501,
                                                            "idempotency_key": f"h-{sender}"})
    assert status == 403 and "500" in refused["message"]
    assert stack.crm("/api/customers/3/points")["balance"] == before + 200
    assert agent.call("POST", f"{path}/bad-faith", {"reason": "恶意索赔"})[0] == 403
    notes = agent.call("GET", path)[1]["notes"]
    assert any("发放 200 积分" in n["text"] and n["staff_name"] == "客服小美" for n in notes)
    status, marked = manager.call("POST", f"{path}/bad-faith", {"reason": "多次恶意索赔"})
    assert status == 200 and marked["customer"]["is_bad_faith"] is True
    stack.crm("/api/customers/3/bad-faith", "POST", {"is_bad_faith": False, "staff": "测试"})


def test_coupons_complaints_and_winbacks_from_the_console(stack: RunningStack) -> None:
    sender = new_sender()
    stack.say(sender, "转人工", {"customer_token": stack.token(4)})
    handoff = handoffs_of(stack, sender)[0]
    agent = StaffClient(stack).log_in("xiaowang")
    path = f"/api/staff/handoffs/{handoff['id']}"
    agent.call("POST", f"{path}/claim", {})
    coupon = {"value_yuan": 20, "min_spend_yuan": 100, "reason": "安抚补偿",
              "idempotency_key": f"c-{sender}"}
    status, made = agent.call("POST", f"{path}/coupon", coupon)
    assert status == 201 and made["coupon"]["code"].startswith("KFQ")
    assert agent.call("POST", f"{path}/coupon", coupon)[1]["coupon"]["code"] == made["coupon"]["code"]
    status, refused = agent.call("POST", f"{path}/coupon", {**coupon, "value_yuan": 51,
                                                            "idempotency_key": f"d-{sender}"})
    assert status == 403 and "50" in refused["message"]
    complaint = stack.crm("/api/complaints", "POST", {
        "idempotency_key": f"k-{sender}", "customer_id": 4, "order_no": None,
        "category": "service_attitude", "severity": "low", "customer_words": ["客服态度不好"],
        "expectation": "道歉", "channel": "rest", "conversation_id": sender})["complaint"]
    status, closed = agent.call("POST", f"{path}/close-complaint", {
        "complaint_number": complaint["number"], "note": "已致歉，客户接受"})
    assert status == 200 and closed["complaint"]["status"] == "closed"
    timeline = stack.crm(f"/api/complaints/{complaint['number']}")["complaint"]["timeline"]
    assert "已致歉，客户接受" in timeline[-1]["note"] and "小王" in timeline[-1]["note"]
    assert agent.call("POST", f"{path}/close-complaint", {
        "complaint_number": "TS000000000000", "note": "x"})[0] == 404
    attempt = stack.crm("/api/customers/4/winback", "POST", {
        "trigger": "churn_signal", "conversation_id": sender,
        "idempotency_key": f"w-{sender}"})
    attempt_id = attempt["attempt_id"]
    status, recorded = agent.call("POST", f"{path}/winback-outcome",
                                  {"attempt_id": attempt_id, "outcome": "stayed"})
    assert status == 200 and recorded["outcome"] == "stayed"
    assert stack.crm(f"/api/winback/{attempt_id}")["outcome"] == "stayed"
    profile = agent.call("GET", path)[1]["customer"]
    assert any(w["id"] == attempt_id for w in profile["winbacks"])


async def test_a_waiting_widget_customer_hears_when_the_queue_moves(stack: RunningStack) -> None:
    first = await WidgetSocket(stack.config.rasa_url, stack.config.crm_url).open()
    second = await WidgetSocket(stack.config.rasa_url, stack.config.crm_url).open()
    await first.send("转人工")
    await second.send("我要人工客服")
    handoff = (await asyncio.to_thread(handoffs_of, stack, first.session_id))[0]
    agent = await asyncio.to_thread(lambda: StaffClient(stack).log_in("xiaomei"))
    second.replies.clear()
    status, _ = await asyncio.to_thread(agent.call, "POST",
                                        f"/api/staff/handoffs/{handoff['id']}/claim", {})
    assert status == 200
    for _ in range(50):
        if any("排队更新" in (r.get("text") or "") for r in second.replies):
            break
        await asyncio.sleep(0.2)
    assert any("排队更新" in (r.get("text") or "") for r in second.replies)
    assert not any("排队更新" in (r.get("text") or "") for r in first.replies)
    await first.close()
    await second.close()


def test_a_person_carries_out_a_remedy_the_bot_could_not_within_their_limit(
        stack: RunningStack) -> None:
    sender = new_sender()
    stack.say(sender, "转人工", {"customer_token": stack.token(1)})
    handoff = handoffs_of(stack, sender)[0]
    agent = StaffClient(stack).log_in("xiaomei")
    manager = StaffClient(stack).log_in("chenjl")
    path = f"/api/staff/handoffs/{handoff['id']}"
    agent.call("POST", f"{path}/claim", {})
    order = next(o for o in stack.crm("/api/customers/1/orders?limit=20")["orders"]
                 if o["status"] == "delivered" and float(o["total_yuan"]) > 3000)
    complaint = stack.crm("/api/complaints", "POST", {
        "idempotency_key": f"r-{sender}", "customer_id": 1, "order_no": order["order_no"],
        "category": "product_quality", "severity": "high", "customer_words": ["屏幕坏了"],
        "expectation": "部分退款", "channel": "rest", "conversation_id": sender})["complaint"]
    ask = {"complaint_number": complaint["number"], "option": "refund_partial_10",
           "idempotency_key": f"p-{sender}"}
    status, refused = agent.call("POST", f"{path}/remedy", ask)
    assert status == 403 and "300" in refused["message"]
    after = stack.crm(f"/api/complaints/{complaint['number']}")["complaint"]
    assert after["status"] == complaint["status"] and after["remedy_executed"] is None
    assert agent.call("POST", f"{path}/remedy", {**ask, "option": "no_such_remedy"})[0] == 400
    status, done = manager.call("POST", f"{path}/remedy", ask)
    assert status == 201 and done["execution"]["kind"] == "refund"
    assert done["execution"]["refund"]["order_no"] == order["order_no"]
    again = manager.call("POST", f"{path}/remedy", ask)
    assert again[1]["created"] is False
    executed = stack.crm(f"/api/complaints/{complaint['number']}")["complaint"]
    assert executed["status"] == "awaiting_follow_up" and executed["remedy_executed"]


STAFF_ROUTES = [
    ("GET", "/staff/"), ("GET", "/staff/handoffs/1"), ("GET", "/staff/canned"),
    ("GET", "/staff/static/console.js"), ("POST", "/staff/canned"),
    ("POST", "/staff/canned/1/delete"), ("GET", "/api/staff/handoffs"),
    ("GET", "/api/staff/handoffs/1"), ("GET", "/api/staff/canned-replies"),
    *[("POST", f"/api/staff/handoffs/1/{action}") for action in (
        "claim", "messages", "handback", "close", "decline", "notes", "points", "coupon",
        "remedy", "close-complaint", "winback-outcome", "bad-faith")],
    ("POST", "/api/staff/canned-replies"), ("PUT", "/api/staff/canned-replies/1"),
    ("DELETE", "/api/staff/canned-replies/1"),
]


@pytest.mark.parametrize("method, path", STAFF_ROUTES)
def test_every_staff_route_refuses_strangers_and_changes_without_csrf(
        stack: RunningStack, method: str, path: str) -> None:
    status, _ = StaffClient(stack).call(method, path, {} if method != "GET" else None)
    assert status in ((401,) if path.startswith("/api/") else (302, 303))  # pages: to the login
    if method != "GET":
        agent = StaffClient(stack).log_in("xiaowang")
        assert agent.call(method, path, {}, csrf=False)[0] == 403


@pytest.mark.parametrize("method, path", [("GET", "/staff/canned"), ("POST", "/staff/canned"),
                                          ("POST", "/api/staff/canned-replies"),
                                          ("POST", "/api/staff/handoffs/1/bad-faith")])
def test_agents_cannot_use_manager_routes(stack: RunningStack, method: str, path: str) -> None:
    agent = StaffClient(stack).log_in("xiaowang")
    assert agent.call(method, path, {} if method != "GET" else None)[0] == 403


def test_the_score_after_a_hand_back_also_lands_on_the_complaint(stack: RunningStack) -> None:
    sender = new_sender()
    stack.say(sender, "你好", {"customer_token": stack.token(2)})
    complaint = stack.crm("/api/complaints", "POST", {
        "idempotency_key": f"s-{sender}", "customer_id": 2, "order_no": None,
        "category": "service_attitude", "severity": "medium", "customer_words": ["太慢了"],
        "expectation": "道歉", "channel": "rest", "conversation_id": sender})["complaint"]
    handoff = stack.crm("/api/handoffs", "POST", {
        "conversation_id": sender, "customer_id": 2, "reason": "投诉需专人处理",
        "complaint_number": complaint["number"], "idempotency_key": f"h-{sender}"})["handoff"]
    agent = StaffClient(stack).log_in("xiaomei")
    path = f"/api/staff/handoffs/{handoff['id']}"
    agent.call("POST", f"{path}/claim", {})
    assert agent.call("POST", f"{path}/handback", {})[0] == 200
    assert "评价" in reply_text(stack.say(sender, "4分", {"customer_token": stack.token(2)}))
    assert handoffs_of(stack, sender)[0]["csat_score"] == 4
    assert stack.crm(f"/api/complaints/{complaint['number']}")["complaint"]["score"] == 4
