"""Conversations kept on track, through the REST channel: a size asked after a product is
answered for that product without contradicting its size list; two vague messages in a row
offer a person whatever the model guessed; a form question answered with small talk around the
answer is taken."""

import pytest

from tests.e2e.conftest import RunningStack
from tests.e2e.inquiry_helpers import Conversation, handoffs_of
from tests.e2e.shop_orders import customer_with_order

pytestmark = pytest.mark.e2e


def test_a_size_asked_after_a_product_is_answered_for_that_product(stack: RunningStack):
    chat = Conversation(stack)
    sizes = chat.say("防滑加绒雪地靴有哪些尺码")
    assert "防滑加绒雪地靴" in sizes and "37" in sizes, sizes
    answer = chat.say("有37码吗")
    assert "有37" in answer and "没有37" not in answer, answer
    missing = chat.say("那42码呢")
    assert "这款没有42码" in missing and "35、36、37" in missing, missing
    colour = chat.say("黑色的有吗")
    assert "防滑加绒雪地靴" in colour and "有黑色" in colour, colour


@pytest.mark.parametrize("first,second", [("嗯……那个", "就是那个东西啊"),
                                          ("你懂的", "哎呀就那个嘛")])
def test_two_vague_messages_in_a_row_offer_a_person(stack: RunningStack, first: str, second: str):
    chat = Conversation(stack)
    chat.say(first)
    offered = chat.say(second)
    assert "转接人工客服" in offered and "/request_human" in chat.payloads(), offered
    assert handoffs_of(stack, chat.sender) == []


def test_form_questions_answered_with_small_talk_around_them_are_taken(stack: RunningStack):
    customer_id, order_no = customer_with_order(stack, "delivered", placed_days_ago=6,
                                                delivered_days_ago=3)
    chat = Conversation(stack, customer_id)
    chat.say("你们家T恤洗了一次就破了个洞，质量也太差了吧")
    reply = chat.say("没了，就这些")
    for _ in range(4):
        if "投诉单号" in reply:
            break
        if "哪一笔" in reply or "这笔" in reply:
            reply = chat.say("嗯 就是那件T恤那单吧")
        elif "影响" in reply:
            reply = chat.say("唉说实话挺严重的，刚买就这样谁受得了")
        elif "怎么处理" in reply:
            reply = chat.say("那就退款吧，谢谢啦")
        else:
            raise AssertionError(f"unexpected question: {reply}")
    assert "投诉单号" in reply, reply
    number = reply[reply.index("投诉单号：") + 5:][:14]
    complaint = stack.crm(f"/api/complaints/{number}")
    complaint = complaint.get("complaint", complaint)
    assert complaint["order_no"] == order_no and complaint["category"] == "product_quality"
    assert complaint["severity"] == "medium" and complaint["expectation"] == "refund", complaint
