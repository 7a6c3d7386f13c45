"""Refunds, order changes, FAQ, products, handoff, fallback and complaint status, end to end."""

from datetime import datetime, timezone

import pytest

from tests.e2e.conftest import RunningStack, new_sender, reply_text
from tests.e2e.inquiry_helpers import find_order, handoffs_of, payloads

pytestmark = pytest.mark.e2e


def token_meta(stack: RunningStack, customer_id: int) -> dict:
    return {"customer_token": stack.token(customer_id)}


def test_refund_status_of_a_refunding_order(stack):
    order = find_order(stack, "refunding")
    detail = stack.crm(f"/api/orders/{order['order_no']}")
    meta = token_meta(stack, order["customer_id"])
    text = reply_text(stack.say(new_sender(), f"订单{order['order_no']}退款到了吗", meta))
    assert order["order_no"] in text
    assert detail["refund"]["status_label"] in text
    assert f"¥{detail['refund']['amount_yuan']}" in text


def test_refund_status_without_a_number_lists_the_customers_refunds(stack):
    order = find_order(stack, "refunding")
    text = reply_text(stack.say(new_sender(), "我的退款到哪了", token_meta(stack, order["customer_id"])))
    assert order["order_no"] in text


def test_cancel_pending_shipment_order_after_confirmation(stack):
    order = find_order(stack, "pending_shipment")
    sender, meta = new_sender(), token_meta(stack, order["customer_id"])
    asked = stack.say(sender, f"取消{order['order_no']}", meta)
    assert f"确认取消订单 {order['order_no']}" in reply_text(asked)
    assert "/affirm" in payloads(asked) and "/deny" in payloads(asked)
    assert stack.crm(f"/api/orders/{order['order_no']}")["status"] == "pending_shipment"

    done = reply_text(stack.say(sender, "/affirm", meta))
    assert "已为您取消" in done
    assert stack.crm(f"/api/orders/{order['order_no']}")["status"] == "cancelled"


def test_declining_the_cancel_keeps_the_order(stack):
    order = find_order(stack, "pending_payment")
    sender, meta = new_sender(), token_meta(stack, order["customer_id"])
    stack.say(sender, f"取消{order['order_no']}", meta)
    assert "订单保留" in reply_text(stack.say(sender, "/deny", meta))
    assert stack.crm(f"/api/orders/{order['order_no']}")["status"] == "pending_payment"


def test_cancelling_a_shipped_order_is_refused_with_the_reason(stack):
    order = find_order(stack, "shipped")
    sender, meta = new_sender(), token_meta(stack, order["customer_id"])
    stack.say(sender, f"取消{order['order_no']}", meta)
    text = reply_text(stack.say(sender, "/affirm", meta))
    assert "已发货" in text and "无法取消" in text and "退货" in text
    assert stack.crm(f"/api/orders/{order['order_no']}")["status"] == "shipped"


def test_modify_address_before_shipping_through_the_form(stack):
    order = find_order(stack, "pending_payment")
    sender, meta = new_sender(), token_meta(stack, order["customer_id"])
    asked = reply_text(stack.say(sender, f"订单{order['order_no']}地址要改", meta))
    assert "收货地址" in asked
    too_short = reply_text(stack.say(sender, "北京", meta))
    assert "收货地址应为 5 到 255 个字" in too_short and "请再发一次" in too_short
    address = "北京市朝阳区建国路88号院3号楼1201室"
    confirm = reply_text(stack.say(sender, address, meta))
    assert f"把订单 {order['order_no']} 的收货地址改为「{address}」，确认吗？" in confirm
    done = reply_text(stack.say(sender, "/affirm", meta))
    assert "已为您把订单" in done and address in done
    detail = stack.crm(f"/api/orders/{order['order_no']}")
    if "address" in detail:
        assert detail["address"] == address


def test_modify_of_a_shipped_order_is_not_offered(stack):
    order = find_order(stack, "shipped")
    text = reply_text(stack.say(new_sender(), f"订单{order['order_no']}地址要改",
                                token_meta(stack, order["customer_id"])))
    assert "不能修改" in text and "转人工" in text


def test_faq_answers_with_the_policy_text(stack):
    text = reply_text(stack.say(new_sender(), "七天无理由怎么退"))
    assert "7天无理由退货" in text and "签收次日起7天内" in text


def test_product_info_comes_from_the_catalogue(stack):
    products = stack.crm("/api/products?q=%E7%BE%BD%E7%BB%92%E6%9C%8D&limit=5")["products"]  # 羽绒服
    assert products, "the seed catalogue has no 羽绒服"
    text = reply_text(stack.say(new_sender(), "羽绒服还有货吗"))
    assert any(p["name"] in text and p["price_yuan"] in text for p in products)


def test_request_human_creates_a_handoff(stack):
    sender = new_sender()
    text = reply_text(stack.say(sender, "转人工"))
    assert "人工客服" in text
    handoffs = handoffs_of(stack, sender)
    assert len(handoffs) == 1 and handoffs[0]["reason"] == "customer_request"


def test_two_misunderstandings_in_a_row_offer_a_person(stack):
    sender = new_sender()
    first = reply_text(stack.say(sender, "阿巴阿巴咕噜咕噜"))
    assert "换个说法" in first
    second = stack.say(sender, "咕噜咕噜阿巴阿巴")
    assert "/request_human" in payloads(second)
    assert "转接人工" in reply_text(second)


def test_complaint_status_by_number(stack):
    order = find_order(stack, "shipped")
    sender = new_sender()
    complaint = stack.crm("/api/complaints", "POST", {
        "idempotency_key": f"{sender}:complaint", "customer_id": order["customer_id"],
        "order_no": order["order_no"], "category": "delivery", "severity": "medium",
        "customer_words": ["快递一个星期都没动"], "expectation": "refund", "channel": "rest",
        "conversation_id": sender, "vented_at": datetime.now(timezone.utc).isoformat(),
    })["complaint"]
    text = reply_text(stack.say(new_sender(), f"投诉单{complaint['number']}处理好了吗",
                                token_meta(stack, order["customer_id"])))
    assert complaint["number"] in text
    assert complaint["status_label"] in text and complaint["category_label"] in text


def test_someone_elses_complaint_is_not_shown(stack):
    order = find_order(stack, "shipped")
    sender = new_sender()
    complaint = stack.crm("/api/complaints", "POST", {
        "idempotency_key": f"{sender}:complaint", "customer_id": order["customer_id"],
        "order_no": order["order_no"], "category": "delivery", "severity": "low",
        "customer_words": ["快递慢"], "expectation": "feedback", "channel": "rest",
        "conversation_id": sender, "vented_at": datetime.now(timezone.utc).isoformat(),
    })["complaint"]
    other = 4 if order["customer_id"] != 4 else 3
    text = reply_text(stack.say(new_sender(), f"投诉单{complaint['number']}处理好了吗",
                                token_meta(stack, other)))
    assert "没有找到投诉单" in text and complaint["status_label"] not in text
