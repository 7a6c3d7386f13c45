"""The policy that offers a person after two vague messages, on real Rasa trackers."""

from rasa.shared.core.events import ActionExecuted, ActiveLoop, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.dialogue.vague_twice import next_action


def said(text: str, intent: str, confidence: float = None) -> UserUttered:
    parsed = {"name": intent} if confidence is None else {"name": intent, "confidence": confidence}
    return UserUttered(text, parsed)


def tracker(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("s", [ActionExecuted("action_listen"), *events])


def test_a_second_guess_after_a_guess_goes_to_the_fallback_then_listens() -> None:
    first = [said("那个东西", "product_info", 0.5), ActionExecuted("action_product_info"),
             ActionExecuted("action_listen")]
    assert next_action(tracker(*first, said("就是那个啊", "inform", 0.42))) == "action_fallback"
    assert next_action(tracker(*first, said("就是那个啊", "inform", 0.42),
                               ActionExecuted("action_fallback"))) == "action_listen"


def test_after_a_misunderstanding_a_guess_counts_whatever_it_guessed() -> None:
    first = [said("嗯嗯", "nlu_fallback", 0.3), ActionExecuted("action_fallback"),
             ActionExecuted("action_listen")]
    assert next_action(tracker(*first, said("那个呢", "order_status", 0.55))) == "action_fallback"


def test_a_clear_message_or_a_tapped_button_is_left_to_the_rules() -> None:
    first = [said("那个东西", "product_info", 0.5), ActionExecuted("action_product_info"),
             ActionExecuted("action_listen")]
    assert next_action(tracker(*first, said("我的快递到哪了", "order_status", 0.97))) is None
    assert next_action(tracker(*first, said("/order_status", "order_status"))) is None
    sure = [said("查订单", "order_status", 0.95), ActionExecuted("action_order_status"),
            ActionExecuted("action_listen")]
    assert next_action(tracker(*sure, said("快递那边呢", "inform", 0.4))) is None


def test_forms_handle_their_own_answers() -> None:
    events = [said("那个东西", "product_info", 0.5), ActionExecuted("action_listen"),
              ActiveLoop("complaint_form"), said("嗯那个", "inform", 0.4)]
    assert next_action(tracker(*events)) is None


def test_words_that_say_nothing_go_to_the_fallback_however_sure_the_model_is() -> None:
    assert next_action(tracker(said("嗯……那个", "deny", 0.99))) == "action_fallback"
    first = [said("嗯……那个", "deny", 0.99), ActionExecuted("action_fallback"),
             ActionExecuted("action_listen")]
    assert next_action(tracker(*first, said("就是那个东西啊", "inform", 0.82))) == "action_fallback"
    assert next_action(tracker(said("嗯", "affirm", 0.94))) is None
    assert next_action(tracker(said("那个快递呢", "order_status", 0.9))) is None
