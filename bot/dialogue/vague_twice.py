"""Two vague messages in a row offer a person, whatever the model guessed for them.

Rules answer a guessed intent as if it were sure (a vague "那个东西呢" read as a product question at
0.5 gets a product answer; "嗯……那个" read as a "no" at 0.99). A message whose words say nothing,
or a guess after a message that was not understood either, goes to `action_fallback` instead,
which asks to rephrase once and offers a person and shows what works the second time. It
stays out of forms (their own validation deals with answers) and of tapped buttons (never guesses).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.dialogue.decision import DecisionPolicy
from bot.vagueness import typed_nothing, vague_twice

FALLBACK_ACTION = "action_fallback"


def _as_dicts(tracker: DialogueStateTracker) -> List[Dict[str, Any]]:
    """The user events as the shared rules read them."""
    return [{"event": "user", "text": e.text, "parse_data": e.parse_data} for e in tracker.events
            if isinstance(e, UserUttered)]


def next_action(tracker: DialogueStateTracker) -> Optional[Text]:
    """`action_fallback` right after a message whose words say nothing or a second vague one;
    `action_listen` right after the fallback this policy chose; None otherwise (the other
    policies decide)."""
    if tracker.active_loop_name:
        return None
    latest = tracker.latest_action_name
    text = tracker.latest_message.text if tracker.latest_message else None
    vague = vague_twice(_as_dicts(tracker)) or typed_nothing(text)
    if latest == ACTION_LISTEN_NAME and tracker.latest_message and vague:
        return FALLBACK_ACTION
    if latest == FALLBACK_ACTION and vague:
        return ACTION_LISTEN_NAME
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT,
                          is_trainable=True)
class VagueTwicePolicy(DecisionPolicy):
    """Offers a person after two vague messages; outranks the rules."""

    def decide(self, tracker: DialogueStateTracker) -> Optional[Text]:
        return next_action(tracker)
