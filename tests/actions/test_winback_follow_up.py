"""The win-back follow-up: its wording, when it runs, and what each answer records."""

from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import loyalty_replies as r
from bot.actions.confirmations import HANDLERS
from bot.actions.winback_follow_up import outcome_for, parse_attempt_id, should_follow_up

COUPON = {"kind": "coupon", "title": "挽回优惠券", "value_yuan": "20.00",
          "min_spend_yuan": "99.00", "code": "WB123"}


def test_follow_up_recalls_the_offer_and_asks_both_questions():
    text = r.winback_follow_up_text({"offer": COUPON})
    assert "小福" in text and "「挽回优惠券」" in text and "回访" in text
    assert "不满意" in text and "继续在我们这里购物" in text
    assert [b["payload"] for b in r.WINBACK_FOLLOW_UP_BUTTONS] == ["/affirm", "/deny"]
    assert [b["title"] for b in r.WINBACK_FOLLOW_UP_BUTTONS] == ["还会继续支持", "还是不满意"]


def test_follow_up_without_an_offer_names_none():
    text = r.winback_follow_up_text({"offer": None})
    assert "「" not in text and "回访" in text


@pytest.mark.parametrize("raw, expected", [
    ("42", 42), (" 7 ", 7), (42, 42), ("0", None), ("-3", None), ("abc", None), ("４２", None),
    (None, None), ("", None),
])
def test_parse_attempt_id(raw, expected):
    assert parse_attempt_id(raw) == expected


@pytest.mark.parametrize("attempt, follow", [
    ({"conversation_id": "conv-1", "outcome": None}, True),
    ({"conversation_id": "conv-1", "outcome": "accepted"}, True),
    ({"conversation_id": "conv-2", "outcome": None}, False),
    ({"conversation_id": "conv-1", "outcome": "stayed"}, False),
    ({"conversation_id": "conv-1", "outcome": "left"}, False),
    (None, False),
])
def test_follow_up_only_in_its_own_open_conversation(attempt, follow):
    assert should_follow_up(attempt, "conv-1") is follow


def test_answers_map_to_the_crm_outcomes():
    assert (outcome_for(True), outcome_for(False)) == ("stayed", "left")


class FakeCRM:
    """Records outcomes and handoffs the way the CRM client would send them."""

    def __init__(self) -> None:
        self.outcomes: List[tuple] = []
        self.handoffs: List[Dict[str, Any]] = []

    async def record_winback_outcome(self, attempt_id: int, outcome: str) -> Optional[dict]:
        self.outcomes.append((attempt_id, outcome))
        return {"attempt_id": attempt_id, "outcome": outcome}

    async def create_handoff(self, **fields: Any) -> Dict[str, Any]:
        self.handoffs.append(fields)
        return {"priority_label": "普通", "queue_position": 1}


def _tracker() -> Tracker:
    user = {"event": "user", "text": "/affirm", "timestamp": 1.0, "parse_data": {}}
    return Tracker("conv-1", {}, {}, [user], False, None, {}, "action_listen")


async def test_yes_records_stayed_with_thanks():
    crm, dispatcher = FakeCRM(), CollectingDispatcher()
    events = await HANDLERS["winback"].on_yes(dispatcher, _tracker(), crm, 2,
                                              {"kind": "winback", "attempt_id": 9})
    assert crm.outcomes == [(9, "stayed")] and events == [] and not crm.handoffs
    assert "继续支持" in dispatcher.messages[0]["text"]


async def test_no_records_left_and_hands_over_to_a_person():
    crm, dispatcher = FakeCRM(), CollectingDispatcher()
    events = await HANDLERS["winback"].on_no(dispatcher, _tracker(), crm, 2,
                                             {"kind": "winback", "attempt_id": 9})
    assert crm.outcomes == [(9, "left")]
    assert crm.handoffs[0]["customer_id"] == 2 and crm.handoffs[0]["conversation_id"] == "conv-1"
    assert events[-1] == ConversationPaused()
    said = dispatcher.messages[0]
    assert said["response"] == "utter_handed_off" and "抱歉" in said["lead_in"]
