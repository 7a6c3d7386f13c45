"""'Which order?' answered by typing — '2', '第二个', the number, the product — over REST."""

import re
from typing import List

import pytest

from tests.e2e.conftest import RunningStack
from tests.e2e.inquiry_helpers import Conversation, orders_of

pytestmark = pytest.mark.e2e

NOT_UNDERSTOOD = "没太明白"
OFFERED = re.compile(r'"order_no":"(KF\d{12})"')


def customer_with_open_orders(stack: RunningStack, fits, start: int) -> int:
    """A seeded customer (from the CRM) with at least two orders that `fits`."""
    for customer_id in range(start, 60):
        if sum(bool(fits(o)) for o in orders_of(stack, customer_id)) >= 2:
            return customer_id
    raise AssertionError("the seed has no customer with two such orders")


def can_modify(order: dict) -> bool:
    """As the CRM says."""
    return order["can_modify"]


def offered(chat: Conversation) -> List[str]:
    return [m.group(1) for p in chat.payloads() if (m := OFFERED.search(p))]


def test_a_number_picks_the_order_to_modify(stack: RunningStack):
    chat = Conversation(stack, customer_with_open_orders(stack, can_modify, 2))
    chat.say("我想把收货地址改一下")
    choices = offered(chat)
    assert len(choices) >= 2 and "回复序号" in chat.replies[0]["text"]
    answer = chat.say("2")
    assert choices[1] in answer and "收到您的评价" not in answer and NOT_UNDERSTOOD not in answer
    assert "地址" in answer
    confirm = chat.say("改成浙江省杭州市西湖区文三路100号")
    assert choices[1] in confirm and "确认" in confirm


def test_a_typed_order_number_keeps_the_request(stack: RunningStack):
    customer_id = customer_with_open_orders(stack, can_modify, 3)
    chat = Conversation(stack, customer_id)
    chat.say("订单能取消吗")
    choices = offered(chat)
    answer = chat.say(choices[-1])
    assert choices[-1] in answer and "确认取消" in answer
    assert "当前状态" not in answer and NOT_UNDERSTOOD not in answer
    done = chat.say("确认")
    assert "已为您取消" in done
    order = next(o for o in orders_of(stack, customer_id) if o["order_no"] == choices[-1])
    assert order["status"] == "cancelled"


def test_an_ordinal_in_words_picks_the_order_to_track(stack: RunningStack):
    open_statuses = {"pending_payment", "pending_shipment", "shipped", "refunding"}
    chat = Conversation(stack, customer_with_open_orders(
        stack, lambda order: order["status"] in open_statuses, 1))
    chat.say("我的快递到哪了")
    choices = offered(chat)
    answer = chat.say("第二个")
    assert choices[1] in answer and "当前状态" in answer and NOT_UNDERSTOOD not in answer
    assert "小福" in chat.say("你好")


def test_an_answer_that_picks_nothing_asks_again(stack: RunningStack):
    chat = Conversation(stack, customer_with_open_orders(stack, can_modify, 2))
    chat.say("我想改下订单")
    choices = offered(chat)
    again = chat.say("第九个")
    assert "没对上" in again and offered(chat) == choices
