"""Messages with an order number are answered, never sent to '没听懂'."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.order_number_backstop import OrderNumberBackstop, is_bare_order_number


@pytest.mark.parametrize("text, bare", [
    ("KF202611180009", True), ("订单号是KF202611180009", True), ("就这单 kf202611180009 吧", True),
    ("KF202611180009到哪了", False), ("订单KF202611180009的T恤掉色了", False), ("到哪了", False),
])
def test_bare_order_number(text, bare):
    assert is_bare_order_number(text) is bare


def message(text: str, intent: str, confidence: float) -> Message:
    return Message(data={"text": text, "intent": {"name": intent, "confidence": confidence},
                         "intent_ranking": [{"name": intent, "confidence": confidence}],
                         "entities": [{"entity": "order_no", "value": "KF202611180009"}]})


def test_bare_number_becomes_inform():
    msg = message("订单号是KF202611180009", "order_status", 0.3)
    OrderNumberBackstop({"fallback_threshold": 0.45}).process([msg])
    assert msg.get("intent") == {"name": "inform", "confidence": 1.0}


def test_override_is_not_undone_as_ambiguous():
    msg = message("查一下KF202611180009", "order_status", 0.99)
    OrderNumberBackstop({"fallback_threshold": 0.45}).process([msg])
    first, second = msg.get("intent_ranking")[:2]
    assert first["name"] == "inform" and first["confidence"] - second["confidence"] > 0.05


def test_unsure_guess_about_an_order_is_kept_above_the_fallback():
    msg = message("订单KF202611180009的T恤洗一次就掉色了", "complain", 0.31)
    OrderNumberBackstop({"fallback_threshold": 0.45}).process([msg])
    assert msg.get("intent")["name"] == "complain" and msg.get("intent")["confidence"] > 0.45


def test_confident_guess_is_left_alone():
    msg = message("KF202611180009到哪了", "order_status", 0.9)
    OrderNumberBackstop({"fallback_threshold": 0.45}).process([msg])
    assert msg.get("intent") == {"name": "order_status", "confidence": 0.9}


def test_message_without_an_order_number_is_left_alone():
    msg = Message(data={"text": "随便聊聊", "intent": {"name": "out_of_scope", "confidence": 0.2}})
    OrderNumberBackstop({}).process([msg])
    assert msg.get("intent") == {"name": "out_of_scope", "confidence": 0.2}
