"""The FAQ response selector, run only on messages the intent classifier read as FAQ questions.

Rasa's `ResponseSelector` runs its network on every message, although its answer is used only
when the message's intent is the retrieval intent (`faq`): a tenth of the Rasa process's time
under load went to selecting FAQ answers for order, points and complaint messages. This one
selects for the messages whose intent (DIET's, it runs first) is the retrieval intent and
leaves the others as they are; what it selects for those is exactly what `ResponseSelector`
selects. Training is `ResponseSelector`'s own.
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.constants import RETRIEVAL_INTENT


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class FaqResponseSelector(ResponseSelector):
    """`ResponseSelector` that skips messages of other intents than its retrieval intent."""

    def process(self, messages: List[Message]) -> List[Message]:
        """Select a response for the messages of the retrieval intent; return all messages."""
        wanted = self.component_config.get(RETRIEVAL_INTENT)
        if wanted:
            selected = [m for m in messages
                        if (m.get(INTENT) or {}).get(INTENT_NAME_KEY) == wanted]
        else:
            selected = list(messages)
        if selected:
            super().process(selected)
        return messages
