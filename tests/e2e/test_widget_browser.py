"""The web widget in Debian's Chromium against the real stack: the demo shop page, a signed-in and
an anonymous customer, quick replies, history after a reload, going offline, forged tokens,
foreign origins, HTML, oversize messages, a person's messages and the mobile layout."""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from scripts.browser import DESKTOP, MOBILE
from scripts.stack import free_port
from tests.e2e.conftest import RunningStack
from tests.e2e.shop_server import serving, shop_page
from tests.e2e.widget_page import WidgetPage
from tests.e2e.widget_socket import WidgetSocket, person_says

pytestmark = pytest.mark.e2e

DEMO_SHOP = "kefu-demo"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    try:
        yield context.new_page()
    finally:
        context.close()


def demo(stack: RunningStack, page: Page, customer: str = "") -> WidgetPage:
    """The demo shop as `customer` (an id, or "" for an anonymous visitor), widget open."""
    page.goto(f"{stack.config.crm_url}/demo/")
    widget = WidgetPage(page)
    expect(widget.el("launcher")).to_be_visible()
    if customer:
        page.select_option('[data-demo="customer-switch"]', customer)
        expect(page.locator('[data-demo="current"]')).not_to_have_text("匿名访客")
    widget.open()
    widget.wait_online()
    return widget


def shipped_order(stack: RunningStack, customer_id: int) -> Dict[str, Any]:
    orders = stack.crm(f"/api/customers/{customer_id}/orders?limit=10")["orders"]
    number = next(o["order_no"] for o in orders if o["status"] == "shipped")
    return stack.crm(f"/api/orders/{number}")


def test_a_signed_in_customer_sees_the_crms_status_and_tracking(stack: RunningStack,
                                                                 page: Page) -> None:
    order = shipped_order(stack, 1)
    widget = demo(stack, page, "1")
    # By number: earlier tests' resends give customer 1 more open orders to choose from.
    widget.send(f"{order['order_no']}到哪了")
    page.wait_for_selector('[data-kefu="typing"]', state="attached", timeout=5_000)
    widget.wait_for_replies(0)
    text = widget.bot_text()
    for shown in (order["order_no"], order["status_label"], order["shipment"]["carrier"],
                  order["shipment"]["events"][0]["description"]):
        assert shown in text
    expect(widget.messages("user")).to_have_count(1)
    expect(widget.messages("user").first).to_have_attribute("data-status", "sent")


def test_a_quick_reply_sends_its_payload_and_shows_its_title(stack: RunningStack,
                                                             page: Page) -> None:
    widget = demo(stack, page, "2")
    widget.say("我的快递到哪了")
    button = widget.el("quick-reply").first
    title = button.inner_text().strip()
    bots = widget.messages("bot").count()
    button.click()
    widget.wait_for_replies(bots)
    assert widget.texts("user")[-1] == title and "/" not in title
    chosen = title.split()[0].strip("·")
    assert chosen.startswith("KF") and chosen in widget.texts("bot")[-1]


def test_a_reload_and_a_new_page_restore_the_conversation_from_the_server(
        stack: RunningStack, page: Page) -> None:
    widget = demo(stack, page, "1")
    widget.say("我的积分有多少")
    session_id = widget.session_id(DEMO_SHOP)

    async def from_elsewhere() -> None:
        """The same conversation continued by another tab: this page never rendered it."""
        socket = await WidgetSocket(stack.config.rasa_url, stack.config.crm_url).open(session_id)
        await socket.send("我是会员吗", token=stack.token(1))
        await socket.close()

    with ThreadPoolExecutor(1) as thread:  # Playwright's sync API holds this thread's loop
        thread.submit(asyncio.run, from_elsewhere()).result()
    page.reload()
    widget.open()
    widget.wait_online()
    expect(widget.messages("user")).to_have_count(2)
    assert widget.texts("user") == ["我的积分有多少", "我是会员吗"]

    other = WidgetPage(page.context.new_page())
    other.page.goto(f"{stack.config.crm_url}/demo/")
    other.open()
    expect(other.messages("user")).to_have_count(2)
    assert other.bot_text() == widget.bot_text()


def test_a_message_sent_offline_is_delivered_once_on_reconnect(stack: RunningStack,
                                                               page: Page) -> None:
    widget = demo(stack, page, "1")
    widget.say("你好")
    page.context.set_offline(True)
    expect(widget.el("status")).not_to_have_attribute("data-state", "online", timeout=15_000)
    widget.send("我的积分有多少")
    pending = widget.messages("user").last
    expect(pending).to_have_attribute("data-status", "pending")
    page.wait_for_timeout(1_500)
    page.context.set_offline(False)
    widget.wait_online()
    expect(pending).to_have_attribute("data-status", "sent", timeout=30_000)
    expect(widget.el("typing")).to_have_count(0, timeout=60_000)
    assert widget.texts("user") == ["你好", "我的积分有多少"]
    session_id = widget.session_id(DEMO_SHOP)
    sent = [e["text"] for e in stack.tracker(session_id)["events"] if e["event"] == "user"]
    assert sent == ["你好", "我的积分有多少"]
    assert "积分" in widget.texts("bot")[-1]


def test_an_anonymous_visitor_verifies_with_order_number_and_phone_tail(
        stack: RunningStack, page: Page) -> None:
    order = shipped_order(stack, 1)
    tail = stack.crm("/api/customers/1")["phone_masked"][-4:]
    widget = demo(stack, page)
    widget.say("我的快递到哪了")
    assert "订单号" in widget.texts("bot")[-1]
    widget.say(order["order_no"])
    widget.say(tail)
    answer = widget.texts("bot")[-1]
    assert order["order_no"] in answer and order["shipment"]["carrier"] in answer


def _shop_html(stack: RunningStack, token: Any) -> str:
    config = {"socketUrl": stack.config.rasa_url, "shopId": "test-shop", "shopName": "测试店",
              "customerToken": token, "open": True}
    return shop_page(f"{stack.config.crm_url}/widget/kefu-widget.js", json.dumps(config))


def _shop_port(stack: RunningStack) -> int:
    """The port of the shop origin the test stack allows besides the CRM's."""
    return int(stack.config.widget_origins[0].rsplit(":", 1)[1])


def test_a_forged_token_in_the_page_reveals_nothing(stack: RunningStack, page: Page) -> None:
    order = shipped_order(stack, 1)
    header, payload, signature = stack.token(1).split(".")
    html = _shop_html(stack, f"{header}.{payload}.{signature[::-1]}")
    with serving(_shop_port(stack), {"/": html}) as origin:
        page.goto(f"{origin}/")
        widget = WidgetPage(page)
        widget.wait_online()
        widget.say("我的快递到哪了")
        text = widget.bot_text()
    assert "凭证无效" in text
    assert order["order_no"] not in text and order["shipment"]["carrier"] not in text


def test_a_page_of_another_origin_cannot_open_a_session(stack: RunningStack, page: Page) -> None:
    with serving(free_port(), {"/": _shop_html(stack, None)}) as origin:
        page.goto(f"{origin}/")
        widget = WidgetPage(page)
        expect(widget.el("panel")).to_be_visible()
        expect(widget.el("status")).to_have_attribute("data-state", "error", timeout=20_000)
        widget.send("你好")
        page.wait_for_timeout(2_000)
        expect(widget.messages("user").last).to_have_attribute("data-status", "pending")
        assert widget.session_id("test-shop") is None
        assert widget.messages("bot").count() == 0


def test_html_is_shown_as_text_and_a_persons_message_carries_their_name(
        stack: RunningStack, page: Page) -> None:
    widget = demo(stack, page)
    attack = '<img src=x onerror="window.__pwned=1"><b>粗体</b>'
    widget.say(attack)
    assert widget.texts("user") == [attack]
    person_says(stack.config.rasa_url, stack.config.rasa_api_token, widget.session_id(DEMO_SHOP),
                "小美", "您好，我是人工客服小美<script>window.__pwned=2</script>")
    person = widget.messages("person")
    expect(person).to_have_count(1, timeout=10_000)
    expect(person).to_contain_text("人工客服 · 小美")
    expect(person).to_contain_text("<script>window.__pwned=2</script>")
    log = widget.el("log")
    assert log.locator("b").count() == 0 and log.locator("img[src=x]").count() == 0
    assert log.locator("script").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_an_oversize_message_is_refused_in_the_widget(stack: RunningStack, page: Page) -> None:
    widget = demo(stack, page)
    box = widget.el("input")
    assert box.get_attribute("maxlength") == "2000"
    box.evaluate("(el, text) => { el.removeAttribute('maxlength'); el.value = text; }", "长" * 2001)
    box.press("Enter")
    expect(widget.messages("notice").last).to_contain_text("最多 2000 字")
    assert widget.messages("user").count() == 0
    assert len(box.input_value()) == 2001


def test_mobile_width_keyboard_and_long_replies(stack: RunningStack, browser: Browser) -> None:
    context = browser.new_context(viewport=MOBILE, locale="zh-CN", has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{stack.config.crm_url}/demo/")
        widget = WidgetPage(page)
        launcher = widget.el("launcher")
        assert launcher.get_attribute("aria-label")
        launcher.focus()
        page.keyboard.press("Enter")
        expect(widget.el("panel")).to_be_visible()
        expect(widget.el("input")).to_be_focused()
        box = widget.el("panel").bounding_box()
        assert box is not None and round(box["width"]) == MOBILE["width"]
        widget.wait_online()
        widget.say("查一下订单" + "KF" * 400)
        overflow = widget.el("log").evaluate("el => el.scrollWidth - el.clientWidth")
        assert overflow <= 0
        page.keyboard.press("Escape")
        expect(widget.el("panel")).to_be_hidden()
        expect(launcher).to_be_focused()
    finally:
        context.close()
