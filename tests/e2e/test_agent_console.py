"""A handoff that reaches a person, in two browsers against the real stack: a customer in the
widget asks for a person, an agent logged into the console sees it, claims it, and the two talk;
the customer's messages do not wake the bot; the hand back brings the bot back, which asks for
a score that lands on the handoff. Also: two agents claiming at once, and the console's guard."""

import threading
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Tuple

import pytest
from playwright.sync_api import Browser, Page, expect

from scripts.browser import DESKTOP
from tests.e2e.conftest import RunningStack
from scripts.wechat_sim import post, text_xml
from tests.e2e.staff_client import PASSWORD, StaffClient, handoffs_of
from tests.e2e.test_wechat_channel import account, msg_id, open_id, webhook
from tests.e2e.widget_page import WidgetPage

pytestmark = pytest.mark.e2e


def new_page(browser: Browser) -> Page:
    return browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()


def log_in(stack: RunningStack, page: Page, username: str) -> None:
    page.goto(f"{stack.config.crm_url}/staff/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator('[data-staff="who"]')).to_be_visible()


def user_texts(stack: RunningStack, sender: str) -> List[str]:
    return [e["text"] for e in stack.tracker(sender)["events"] if e["event"] == "user"]


def test_a_customer_and_an_agent_talk_then_the_bot_returns(stack: RunningStack,
                                                           browser: Browser) -> None:
    customer = WidgetPage(new_page(browser))
    customer.page.goto(f"{stack.config.crm_url}/demo/")
    customer.open()
    customer.wait_online()
    customer.say("帮我转人工客服")
    session_id = customer.session_id("kefu-demo")

    agent = new_page(browser)
    log_in(stack, agent, "xiaomei")
    row = agent.locator('[data-console="waiting"] tr[data-handoff-id]').filter(
        has_text="匿名访客").last
    expect(row).to_be_visible(timeout=10_000)
    handoff = handoffs_of(stack, session_id)[0]
    agent.goto(f"{stack.config.crm_url}/staff/handoffs/{handoff['id']}")
    expect(agent.locator('[data-console="transcript"]')).to_contain_text("帮我转人工客服")
    agent.click('[data-console="claim"]')
    expect(agent.locator('[data-console="status"]')).to_have_text("处理中")

    agent.fill('[data-console="reply"]', "您好，我是小美，请问遇到什么问题了？")
    agent.click('[data-console="send"]')
    person = customer.messages("person")
    expect(person).to_have_count(1, timeout=10_000)
    expect(person).to_contain_text("人工客服 · 客服小美")

    customer.send('我的快递一直没到 <img src=x onerror="window.__pwned=1">')
    expect(agent.locator('[data-console="transcript"] [data-author="customer"]').last
           ).to_contain_text('<img src=x onerror="window.__pwned=1">', timeout=10_000)
    assert agent.locator('[data-console="transcript"] img').count() == 0
    assert agent.evaluate("window.__pwned") is None
    assert user_texts(stack, session_id) == ["帮我转人工客服"]

    agent.click('[data-console="handback"]')
    expect(customer.el("quick-reply").first).to_be_visible(timeout=20_000)
    assert "打个分" in customer.texts("bot")[-1]
    bots = customer.messages("bot").count()
    customer.el("quick-reply").first.click()
    customer.wait_for_replies(bots)
    closed = handoffs_of(stack, session_id)[0]
    assert closed["status"] == "closed" and closed["csat_score"] == 5
    assert closed["first_response_at"] and closed["handed_back_at"]
    customer.say("你好")
    assert "小福" in customer.texts("bot")[-1]


def test_two_agents_claim_at_once_and_one_wins(stack: RunningStack) -> None:
    conversation = f"claim-{threading.get_ident()}-{id(stack)}"
    handoff = stack.crm("/api/handoffs", "POST", {
        "conversation_id": conversation, "reason": "客户要求人工",
        "idempotency_key": conversation})["handoff"]
    agents = [StaffClient(stack).log_in(name) for name in ("xiaomei", "xiaowang")]
    results: List[Tuple[int, Dict[str, Any]]] = []

    def claim(agent: StaffClient) -> None:
        results.append(agent.call("POST", f"/api/staff/handoffs/{handoff['id']}/claim", {}))

    threads = [threading.Thread(target=claim, args=(a,)) for a in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(status for status, _ in results) == [200, 409]
    loser = next(body for status, body in results if status == 409)
    assert loser["error"] == "taken" and "接手" in loser["message"]


def test_the_console_refuses_strangers_missing_csrf_and_other_holders(
        stack: RunningStack) -> None:
    anonymous = StaffClient(stack)
    assert anonymous.call("GET", "/api/staff/handoffs")[0] == 401
    agent = StaffClient(stack).log_in("xiaowang")
    assert agent.call("GET", "/api/staff/handoffs")[0] == 200
    conversation = f"csrf-{id(agent)}"
    handoff = stack.crm("/api/handoffs", "POST", {
        "conversation_id": conversation, "reason": "客户要求人工",
        "idempotency_key": conversation})["handoff"]
    path = f"/api/staff/handoffs/{handoff['id']}"
    assert agent.call("POST", f"{path}/claim", {}, csrf=False)[0] == 403
    assert agent.call("POST", f"{path}/messages", {"text": "您好"})[0] == 409  # not claimed
    assert agent.call("POST", f"{path}/claim", {})[0] == 200
    other = StaffClient(stack).log_in("xiaomei")
    status, body = other.call("POST", f"{path}/messages", {"text": "我来插一句"})
    assert status == 409 and body["error"] == "not_yours"
    status, _ = agent.call("POST", f"{path}/close", {"note": ""})
    assert status == 400
    status, closed = agent.call("POST", f"{path}/close", {"note": "已解答，客户满意"})
    assert status == 200 and closed["handoff"]["resolution_note"] == "已解答，客户满意"
    with urllib.request.urlopen(f"{stack.config.crm_url}/staff/handoffs/{handoff['id']}") as page:
        assert page.url.startswith(f"{stack.config.crm_url}/staff/login?next=")
        assert "已解答" not in page.read().decode()



def test_the_same_relay_through_wechat(stack: RunningStack, browser: Browser) -> None:
    """A WeChat customer and an agent in the console: the agent's reply and the bot's score
    question arrive through the (fake) customer-service API, the customer's answer is kept."""
    who = open_id()
    post(webhook(stack), account(stack), text_xml(who, "我要找人工", msg_id()))
    handoff = handoffs_of(stack, who)[0]
    agent = new_page(browser)
    log_in(stack, agent, "xiaowang")
    agent.goto(f"{stack.config.crm_url}/staff/handoffs/{handoff['id']}")
    expect(agent.locator('[data-console="quota"]')).to_contain_text("还能发")
    agent.click('[data-console="claim"]')
    expect(agent.locator('[data-console="status"]')).to_have_text("处理中")
    agent.fill('[data-console="reply"]', "您好，我是小王，马上帮您处理")
    agent.click('[data-console="send"]')
    sent = stack.wechat_api.state.texts_to
    expect(agent.locator('[data-console="transcript"] [data-author="agent"]')).to_have_count(1)
    assert sent(who)[-1] == "【人工客服 客服小王】您好，我是小王，马上帮您处理"
    expect(agent.locator('[data-console="quota-left"]')).to_have_text("4", timeout=10_000)
    status, reply = post(webhook(stack), account(stack), text_xml(who, "好的谢谢", msg_id()))
    assert (status, reply) == (200, "success")
    expect(agent.locator('[data-console="transcript"] [data-author="customer"]').last
           ).to_contain_text("好的谢谢", timeout=10_000)
    agent.click('[data-console="handback"]')
    expect(agent.locator('[data-console="status"]')).not_to_have_text("处理中", timeout=10_000)
    assert "打个分" in sent(who)[-1]
    assert "评价" in post(webhook(stack), account(stack), text_xml(who, "5", msg_id()))[1]
    assert handoffs_of(stack, who)[0]["csat_score"] == 5
