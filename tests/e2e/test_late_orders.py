"""A complaint about a late or missing order, through the REST channel and checked in the CRM:
the first reply states the order's real state, and the remedy fits it and the customer's wish."""

from typing import Tuple

import pytest

from crm_backend.core.models import Coupon, Order, Refund
from tests.e2e.conftest import RunningStack
from tests.e2e.inquiry_helpers import Conversation
from tests.e2e.shop_orders import customer_with_order, rows

pytestmark = pytest.mark.e2e


def late_order(stack: RunningStack, placed_days_ago: float = 6) -> Tuple[int, str]:
    return customer_with_order(stack, "pending_shipment", placed_days_ago)


def complain_until_the_offer(chat: Conversation, first: str) -> Tuple[str, str]:
    """Answer the form's questions until the bot proposes a remedy; (first reply, the offer)."""
    opening = chat.say(first)
    reply = opening
    for _ in range(5):
        if "投诉单号" in reply:
            return opening, reply
        if "还有" in reply or "慢慢说" in reply:
            reply = chat.say("没了")
        elif "影响" in reply:
            reply = chat.say('/inform{"complaint_severity":"medium"}')
        elif "怎么处理" in reply:
            reply = chat.say("赶紧发货")
        else:
            raise AssertionError(f"unexpected question: {reply}")
    raise AssertionError(f"no remedy offered: {reply}")


def complaint_number(text: str) -> str:
    start = text.index("投诉单号：") + len("投诉单号：")
    return text[start:start + 14]


def test_a_late_order_is_stated_at_once_and_rushed_out_with_compensation(stack: RunningStack):
    customer_id, order_no = late_order(stack)
    chat = Conversation(stack, customer_id)
    opening, offer = complain_until_the_offer(
        chat, "下单都快一个星期了还不发货？？赶紧给我发货，还得给我补偿")
    assert order_no in opening and "待发货" in opening and "6天" in opening, opening
    assert "加急" in offer and "优惠券" in offer and "全额退款" not in offer, offer
    number = complaint_number(offer)
    done = chat.say("可以")
    assert "已通知仓库加急" in done, done
    order = stack.crm(f"/api/orders/{order_no}?customer_id={customer_id}")
    assert order["expedited_at"] is not None and order["status"] == "pending_shipment"
    assert rows(stack, Coupon, Coupon.idempotency_key == f"complaint:{number}:coupon") == 1
    assert rows(stack, Refund, Refund.idempotency_key.like(f"complaint:{number}%")) == 0
    complaint = stack.crm(f"/api/complaints/{number}")
    complaint = complaint.get("complaint", complaint)
    assert complaint["order_no"] == order_no and complaint["category"] == "delivery"


def test_another_plan_for_a_late_order_is_a_real_alternative(stack: RunningStack):
    customer_id, order_no = late_order(stack, placed_days_ago=4)
    chat = Conversation(stack, customer_id)
    opening, offer = complain_until_the_offer(chat, "我的衣服付款4天了一直没发货，你们怎么回事，我要投诉")
    assert order_no in opening and "待发货" in opening
    assert "加急" in offer, offer
    number = complaint_number(offer)
    other = chat.say("换个方案")
    assert "全额退款" in other and "¥129.00" in other, other
    done = chat.say("好的")
    assert "退款" in done
    assert rows(stack, Refund, Refund.idempotency_key == f"complaint:{number}:refund") == 1
    assert rows(stack, Order, Order.order_no == order_no, Order.expedited_at.is_not(None)) == 0


def test_a_question_while_the_remedy_waits_is_answered_and_the_remedy_offered_again(
        stack: RunningStack):
    customer_id, order_no = late_order(stack, placed_days_ago=5)
    chat = Conversation(stack, customer_id)
    _, offer = complain_until_the_offer(chat, "五天了还没发货，马上给我发出来")
    number = complaint_number(offer)
    aside = chat.say("对了，你们退货政策是怎样的")
    assert "7天" in aside and "还等着您的答复" in aside and "加急" in aside, aside
    assert "/affirm" in chat.payloads()
    done = chat.say("行，就这么办")
    assert "已通知仓库加急" in done, done
    assert rows(stack, Order, Order.order_no == order_no, Order.expedited_at.is_not(None)) == 1
    assert rows(stack, Coupon, Coupon.idempotency_key == f"complaint:{number}:coupon") == 1
