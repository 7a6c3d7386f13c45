"""'这单我要退款' through the REST channel, checked in the CRM: the order's state decides — a
cancellation with a full refund, a return request, or how to refuse the parcel."""

import pytest
from sqlalchemy import select

from crm_backend.core.models import AfterSalesRequest, Order, Refund
from tests.e2e.conftest import RunningStack
from tests.e2e.inquiry_helpers import Conversation
from tests.e2e.shop_orders import customer_with_order, rows

pytestmark = pytest.mark.e2e


def of_order(order_no: str):
    """The id of the order, for conditions on rows that refer to it."""
    return select(Order.id).where(Order.order_no == order_no).scalar_subquery()


def test_an_order_not_yet_shipped_is_cancelled_and_refunded_in_full_after_a_yes(stack: RunningStack):
    customer_id, order_no = customer_with_order(stack, "pending_shipment", placed_days_ago=0.2)
    chat = Conversation(stack, customer_id)
    asked = chat.say("这单我不想要了，给我退款")
    assert order_no in asked and "还没有发货" in asked and "¥129.00" in asked, asked
    done = chat.say("好的")
    assert "取消" in done, done
    assert rows(stack, Order, Order.order_no == order_no, Order.status == "cancelled") == 1
    assert rows(stack, Refund, Refund.amount_fen == 12900,
                Refund.order_id == of_order(order_no)) == 1


def test_a_recently_delivered_order_gets_a_return_request_after_a_yes(stack: RunningStack):
    customer_id, order_no = customer_with_order(stack, "delivered", placed_days_ago=5,
                                                delivered_days_ago=2)
    chat = Conversation(stack, customer_id)
    asked = chat.say(f"{order_no} 衣服穿着不合适，我要退货退款")
    assert "可以申请退货退款" in asked and "提交退货退款申请吗" in asked, asked
    done = chat.say("好的")
    assert "已为您提交退货退款申请" in done and "售后单" in done, done
    assert rows(stack, AfterSalesRequest, AfterSalesRequest.kind == "return",
                AfterSalesRequest.order_id == of_order(order_no)) == 1
    again = chat.say(f"{order_no} 我要退款")
    assert "提交退货退款申请吗" in again
    assert "已有进行中的售后申请" in chat.say("是的")
    assert rows(stack, AfterSalesRequest,
                AfterSalesRequest.order_id == of_order(order_no)) == 1


def test_a_shipped_order_is_explained_and_nothing_is_written(stack: RunningStack):
    customer_id, order_no = customer_with_order(stack, "shipped", placed_days_ago=2)
    chat = Conversation(stack, customer_id)
    answer = chat.say("我要退款")
    assert order_no in answer and "拒收" in answer, answer
    assert rows(stack, Refund, Refund.order_id == of_order(order_no)) == 0
    assert rows(stack, Order, Order.order_no == order_no, Order.status == "shipped") == 1
