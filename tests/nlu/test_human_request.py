"""The rule that makes an explicit request for a person win over the classifier."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.human_request import HumanRequestOverride, asks_for_a_person


@pytest.mark.parametrize("text", [
    "转人工", "人工", "人工！", "给我接人工", "我要找真人说话", "有活人吗", "别让机器人回我了",
    "叫你们经理来", "找个能做主的人来", "让你们老板出来说话", "让你们主管联系我", "人工在哪", "human agent please", "机器人听不懂，转人工客服",
    "不想和机器人聊了", "别跟AI扯了", "我不愿意同智能客服沟通", "不要再跟自动回复说了",
    "你是机器人吗？是的话给我转人工", "你是真人吗 不是就找个真人来",
    "你听不懂 换个人来", "我要跟你们负责人谈", "让客服给我回个电话", "换个客服来吧",
    "[订单编号:KF202611100521，订单金额:1299.00元，下单时间:2026-11-10 14:02]转人工",
    "你好 我要找人工客服 [订单编号:KF202611100521，下单时间:2026-11-10 14:02]",
])
def test_explicit_requests_for_a_person(text):
    assert asks_for_a_person(text)


@pytest.mark.parametrize("text", [
    "人工客服几点上班", "你们人工服务时间是几点到几点", "人工智能能帮我挑衣服吗", "我的快递到哪了",
    "找客服三天都没人处理，太差了", "你是机器人吗", "经理推荐的这款还有货吗",
    "不要扫地机器人了，帮我取消", "这个机器人吸尘器和扫地机有啥区别",
    "帮我换个人收货", "收件人换个人吧，写我老婆", "你是真人吗", "你到底是不是真人啊", "您是人工还是机器人？", "是真人么", "你们是AI吗",
    "[订单编号:KF202611100521，下单时间:2026-11-10 14:02]人工客服几点上班",
])
def test_other_messages_are_left_to_the_classifier(text):
    assert not asks_for_a_person(text)


def test_override_puts_request_human_first_with_full_confidence():
    message = Message(data={"text": "转人工", "intent": {"name": "greet", "confidence": 0.6},
                            "intent_ranking": [{"name": "greet", "confidence": 0.6},
                                               {"name": "request_human", "confidence": 0.3}]})
    HumanRequestOverride({}).process([message])
    assert message.get("intent") == {"name": "request_human", "confidence": 1.0}
    assert [r["name"] for r in message.get("intent_ranking")] == ["request_human", "greet"]
    assert message.get("intent_ranking")[1]["confidence"] == 0.0
