"""A message that answers the complaint form's open question goes to the form, on real trackers."""

import pytest
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.dialogue.pending_answer import answers_the_form


@pytest.mark.parametrize("requested,text", [
    ("complaint_expectation", "赶紧发货"),
    ("complaint_expectation", "那就退款吧，谢谢啦"),
    ("complaint_severity", "唉说实话挺严重的"),
    ("complaint_category", "就是物流太慢"),
    ("complaint_order_no", "KF202611200002 这单，到哪了都不知道"),
])
def test_an_answer_with_words_around_it_goes_to_the_form(requested, text) -> None:
    assert answers_the_form("complaint_form", requested, text)


@pytest.mark.parametrize("requested,text", [
    ("complaint_expectation", "算了，不要退款了，不投诉了"),
    ("complaint_expectation", "你们退货政策是怎样的"),
    ("complaint_severity", "转人工"),
    ("complaint_vent_done", "赶紧发货"),
    ("complaint_expectation", '/inform{"complaint_expectation":"refund"}'),
])
def test_stops_questions_and_other_slots_are_left_to_the_rules(requested, text) -> None:
    assert not answers_the_form("complaint_form", requested, text)
    assert not answers_the_form(None, "complaint_expectation", "赶紧发货")


def test_the_policy_reads_the_tracker() -> None:
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.shared.core.domain import Domain

    from bot.dialogue.pending_answer import PendingAnswerPolicy

    domain = Domain.from_dict({"actions": ["action_order_status"], "forms": {
        "complaint_form": {"required_slots": []}}, "slots": {}})
    policy = PendingAnswerPolicy(PendingAnswerPolicy.get_default_config(), None, None,
                                 ExecutionContext(GraphSchema({}), "test"))
    tracker = DialogueStateTracker.from_events("s", [
        ActionExecuted("action_listen"), ActiveLoop("complaint_form"),
        SlotSet("requested_slot", "complaint_expectation"), ActionExecuted("action_listen"),
        UserUttered("赶紧发货", {"name": "order_status", "confidence": 0.98})])
    prediction = policy.predict_action_probabilities(tracker, domain)
    assert domain.action_names_or_texts[prediction.max_confidence_index] == "complaint_form"
    assert prediction.max_confidence == 1.0
