"""After-sales conversations over REST, checked against the CRM's rows: 价保 refunded once or
refused with its reason, after-sales progress with its steps, an e-invoice re-sent and re-issued,
and delivery/installation times booked and moved. The writes are on demo customer #67 孙悦, whom
no other end-to-end test touches."""

from datetime import date, timedelta
from typing import Any, Dict

import pytest

from tests.e2e.conftest import RunningStack
from tests.e2e.inquiry_helpers import Conversation, order_of

pytestmark = pytest.mark.e2e

SUN_YUE = 67
EARBUDS, JACKET, AIR_CON = "FreeBuds Pro 3", "轻薄羽绒服", "壁挂式空调"
FRIDGE, WASHER, DRYER = "对开门冰箱", "滚筒洗衣机", "戴森吹风机"
COMPANY, TAX_NO = "杭州小象科技有限公司", "91330106MA2B3K7Q0W"


def price_check(stack: RunningStack, order_no: str, customer_id: int = SUN_YUE) -> Dict[str, Any]:
    return stack.crm(f"/api/price-protection/{order_no}?customer_id={customer_id}")


def appointments(stack: RunningStack, order_no: str) -> Dict[str, Any]:
    return stack.crm(f"/api/appointments/{order_no}?customer_id={SUN_YUE}")


def test_the_after_sales_customer_is_seeded(stack: RunningStack) -> None:
    assert stack.crm(f"/api/customers/{SUN_YUE}")["name"] == "孙悦"


def test_a_price_drop_is_refunded_once_after_a_yes(stack: RunningStack) -> None:
    order_no = order_of(stack, SUN_YUE, EARBUDS, "delivered")
    chat = Conversation(stack, SUN_YUE)
    offer = chat.say("你好 我前几天买的耳机降价了，这个能保价吗？不是保修哈")
    assert order_no in offer and "¥200.00" in offer and "现在为您申请吗" in offer
    assert "/affirm" in chat.payloads()
    assert price_check(stack, order_no)["eligible"]
    done = chat.say("好的 申请吧")
    assert "已为订单" in done and "¥200.00" in done
    (item,) = price_check(stack, order_no)["items"]
    assert item["code"] == "already_claimed" and item["claim"]["amount_yuan"] == "200.00"
    assert stack.crm(f"/api/orders/{order_no}")["refund"]["amount_yuan"] == "200.00"
    again = Conversation(stack, SUN_YUE).say(f"{order_no} 能价保吗")
    assert "申请过价保" in again
    assert price_check(stack, order_no)["items"][0]["claim"]["amount_yuan"] == "200.00"


def test_a_drop_after_the_window_is_explained_and_nothing_is_refunded(stack: RunningStack) -> None:
    order_no = order_of(stack, SUN_YUE, JACKET, "delivered")
    answer = Conversation(stack, SUN_YUE).say("羽绒服降价了，之前买的可以退差价吗")
    assert order_no in answer and "价保期" in answer and "结束" in answer
    (item,) = price_check(stack, order_no)["items"]
    assert item["code"] == "window_passed" and item["claim"] is None
    assert stack.crm(f"/api/orders/{order_no}")["refund"] is None


def test_a_typed_choice_picks_the_order_and_a_no_claims_nothing(stack: RunningStack) -> None:
    chat = Conversation(stack, 1)
    chat.say("在吗 降价了能价保不")
    offered = [p.split('"')[3] for p in chat.payloads() if p.startswith("/price_protection")]
    assert len(offered) == 2, chat.replies
    offer = chat.say("第一个")
    assert offered[0] in offer and "现在为您申请吗" in offer
    assert "先不申请" in chat.say("不用了")
    assert price_check(stack, offered[0], 1)["eligible"]


def test_after_sales_progress_with_steps_and_what_to_do_next(stack: RunningStack) -> None:
    requests = stack.crm(f"/api/after-sales?customer_id={SUN_YUE}")["requests"]
    exchange = next(r for r in requests if r["kind"] == "exchange")
    rejected = next(r for r in requests if r["status"] == "rejected")
    chat = Conversation(stack, SUN_YUE)
    progress = chat.say("亲 我的售后到哪一步了")
    assert exchange["number"] in progress and "待寄回" in progress
    assert exchange["next_step"] in progress
    assert rejected["number"] not in progress
    why = chat.say("吹风机的退货申请怎么被驳回了")
    assert rejected["number"] in why and rejected["reject_reason"] in why
    assert "已提交" in why and "已驳回" in why
    repair = chat.say("维修进度查一下")
    assert "维修" in repair and "已完成" in repair


def test_an_invoice_is_resent_to_a_new_address(stack: RunningStack) -> None:
    order_no = order_of(stack, SUN_YUE, AIR_CON, "delivered")
    before = stack.crm(f"/api/invoices/{order_no}?customer_id={SUN_YUE}")
    answer = Conversation(stack, SUN_YUE).say(
        "空调那单的电子发票一直没收到，麻烦发到 sunyue.work@example.com")
    assert order_no in answer and "su***@example.com" in answer
    after = stack.crm(f"/api/invoices/{order_no}?customer_id={SUN_YUE}")
    assert after["sent_at"] != before["sent_at"] and after["email_masked"] == "su***@example.com"
    assert after["version"] == before["version"]


def test_an_invoice_title_and_tax_number_are_changed_after_a_yes(stack: RunningStack) -> None:
    order_no = order_of(stack, SUN_YUE, EARBUDS, "delivered")
    chat = Conversation(stack, SUN_YUE)
    asked = chat.say(f"{order_no} 的发票抬头要改成公司的，报销用")
    assert "抬头" in asked and "全称" in asked
    assert "税号" in chat.say(COMPANY)
    wrong = chat.say(TAX_NO[:17] + ("1" if TAX_NO[17] != "1" else "2"))
    assert "校验位" in wrong
    confirm = chat.say(TAX_NO)
    assert COMPANY in confirm and TAX_NO in confirm and "确认重开吗" in confirm
    assert stack.crm(f"/api/invoices/{order_no}?customer_id={SUN_YUE}")["version"] == 1
    done = chat.say("确认")
    assert "已为订单" in done and "重开电子发票" in done
    invoice = stack.crm(f"/api/invoices/{order_no}?customer_id={SUN_YUE}")
    assert (invoice["kind"], invoice["title"], invoice["tax_no"]) == ("company", COMPANY, TAX_NO)
    assert invoice["version"] == 2 and invoice["versions"][0]["voided_at"]
    assert invoice["number"] in done


def test_an_installation_is_booked_in_words_and_moved(stack: RunningStack) -> None:
    order_no = order_of(stack, SUN_YUE, AIR_CON, "delivered")
    today = date.fromisoformat(appointments(stack, order_no)["today"])
    chat = Conversation(stack, SUN_YUE)
    asked = chat.say("你好，空调到了，想约个师傅上门安装")
    assert order_no in asked and "上门安装" in asked
    assert any('"appointment_slot"' in p for p in chat.payloads())
    booked = chat.say("明天下午")
    assert "已为订单" in booked and "预约了上门安装" in booked
    (held,) = appointments(stack, order_no)["appointments"]
    assert (held["kind"], held["day"], held["window"]) == (
        "installation", (today + timedelta(days=1)).isoformat(), "14:00-18:00")
    moved = Conversation(stack, SUN_YUE).say("空调安装时间改到后天上午")
    assert "改约到上门安装" in moved
    (held,) = appointments(stack, order_no)["appointments"]
    assert (held["day"], held["window"], held["changes"]) == (
        (today + timedelta(days=2)).isoformat(), "09:00-12:00", 1)


def test_a_delivery_is_booked_by_button_and_the_booking_is_told(stack: RunningStack) -> None:
    fridge = order_of(stack, SUN_YUE, FRIDGE, "pending_shipment")
    chat = Conversation(stack, SUN_YUE)
    chat.say("冰箱想预约个送货时间，工作日家里没人")
    slot_button = next(p for p in chat.payloads() if '"appointment_slot"' in p)
    booked = chat.say(slot_button)
    assert fridge in booked and "大件送货上门" in booked
    assert [a["kind"] for a in appointments(stack, fridge)["appointments"]] == ["delivery"]
    told = Conversation(stack, SUN_YUE).say("冰箱预约送货")
    assert "已预约" in told and "改约" in told
    assert len(appointments(stack, fridge)["appointments"]) == 1
    washer = order_of(stack, SUN_YUE, WASHER, "shipped")
    (seeded,) = appointments(stack, washer)["appointments"]
    answer = Conversation(stack, SUN_YUE).say("洗衣机送货约的是几号")
    assert washer in answer and seeded["label"] in answer


def test_stopping_the_booking_writes_nothing(stack: RunningStack) -> None:
    jacket = order_of(stack, SUN_YUE, JACKET, "delivered")
    chat = Conversation(stack, SUN_YUE)
    asked = chat.say("换货的羽绒服要寄回，能约快递上门取件吗")
    assert jacket in asked and "退货上门取件" in asked
    assert "不约了" in chat.say("算了不约了")
    assert appointments(stack, jacket)["appointments"] == []
