"""A pending question wins over a fresh guess: while the complaint form waits for an answer, a
message that answers it goes to the form, whatever intent the model read.

The form's rules answer a digression ("赶紧发货" read as an order-status question, "算严重吧" as
something else) before the form sees the message. When the words plainly answer the question the
form asked — a wish, how bad it is, a category, an order number — this policy runs the form
instead, so the answer is taken and nothing is asked twice. A message that stops the complaint
("算了，不投诉了") or asks a question of its own is left to the rules.
"""

from __future__ import annotations

from typing import Callable, Dict, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.trackers import DialogueStateTracker

from bot.actions import complaint_text as ct
from bot.actions.parsing import extract_order_no
from bot.dialogue.decision import DecisionPolicy

FORM = "complaint_form"

# Words that end the complaint rather than answer its question, and words that ask a question of
# their own ("退货政策是怎样的" names 退货 but asks about the policy).
STOPS = ("算了", "不投诉", "不想投诉", "不登记", "不用了", "不要了", "不弄了", "转人工", "人工客服")
ASKS = ("政策", "规定", "流程", "怎么", "怎样", "如何", "多久", "哪里", "在哪", "什么时候")

ANSWERS: Dict[str, Callable[[str], bool]] = {
    "complaint_expectation": lambda text: ct.infer_expectation([text]) is not None,
    "complaint_severity": lambda text: ct.normalise_severity(text) is not None,
    "complaint_category": lambda text: ct.normalise_category(text) is not None,
    "complaint_order_no": lambda text: extract_order_no(text) is not None,
}


def answers_the_form(active_loop: Optional[str], requested: Optional[str], text: str) -> bool:
    """The message plainly answers the complaint form's open question."""
    if active_loop != FORM or requested not in ANSWERS or not text or text.startswith("/"):
        return False
    if any(word in text for word in STOPS + ASKS):
        return False
    return ANSWERS[requested](text)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT,
                          is_trainable=True)
class PendingAnswerPolicy(DecisionPolicy):
    """Runs the complaint form on a message that answers its question; outranks the rules."""

    def decide(self, tracker: DialogueStateTracker) -> Optional[Text]:
        text = tracker.latest_message.text if tracker.latest_message else ""
        if (tracker.latest_action_name == ACTION_LISTEN_NAME
                and answers_the_form(tracker.active_loop_name,
                                     tracker.get_slot(REQUESTED_SLOT), text or "")):
            return FORM
        return None
