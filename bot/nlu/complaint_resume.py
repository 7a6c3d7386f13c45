""""继续投诉" is a complaint: the bot itself tells a customer who stopped midway to say it, so it
must never be read as a plain yes (the win-back answer "会继续支持的" pulls 继续 toward affirm).
"""

from __future__ import annotations

import re
from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.intent_rules import IntentRule, set_top_intent

COMPLAIN_INTENT = "complain"
RESUMES = re.compile(r"^\s*(我要|我想|帮我|那|那就|麻烦)?(继续|接着|还是要|还要)(刚才|上次|之前|那个)?的?"
                     r"(投诉|登记投诉)(吧|一下|呢)?\s*[。！!~～]*\s*$")


def resumes_a_complaint(text: str) -> bool:
    """The whole message asks to go on with a complaint."""
    return bool(RESUMES.match(text))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ComplaintResumeOverride(IntentRule):
    """Sets complain with full confidence when the message asks to go on with a complaint."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if resumes_a_complaint(message.get(TEXT) or ""):
                set_top_intent(message, {INTENT_NAME_KEY: COMPLAIN_INTENT, "confidence": 1.0})
        return messages
