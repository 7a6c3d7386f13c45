"""Real shoppers' words through the REST channel, checked in the CRM: a question about the bot is
answered and hands nothing off; a request for a person with a pasted order card is one."""

import pytest

from tests.e2e.conftest import RunningStack
from tests.e2e.inquiry_helpers import Conversation, handoffs_of

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("question", ["你是真人吗", "亲，请问你是机器人还是人工呀"])
def test_asking_whether_the_bot_is_a_person_is_answered_not_handed_off(stack: RunningStack,
                                                                       question: str):
    chat = Conversation(stack)
    answer = chat.say(question)
    assert "智能客服" in answer and "转人工" in answer
    assert handoffs_of(stack, chat.sender) == []
    assert "人工" in chat.say("那帮我转人工")
    assert len(handoffs_of(stack, chat.sender)) == 1


def test_a_request_for_a_person_after_a_pasted_order_card_is_a_handoff(stack: RunningStack):
    chat = Conversation(stack)
    card = "[订单编号:KF202611100521，订单金额:1299.00元，下单时间:2026-11-10 14:02]"
    answer = chat.say(f"{card}你好 这单我要找人工客服")
    assert "人工" in answer
    assert len(handoffs_of(stack, chat.sender)) == 1
