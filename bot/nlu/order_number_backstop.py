"""A message carrying an order number is never 'not understood'.

A bare pasted order number ("KF202611180009", "订单号是KF…") is an answer (inform); a longer
message with an order number is about the shop, so the classifier's best guess is kept above the
fallback threshold instead of replying "没听懂". Runs after DIET, before the FallbackClassifier.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_TYPE, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.intent_rules import IntentRule, set_top_intent
from bot.nlu.placeholders import ORDER_NO

ORDER_ENTITY = "order_no"
INFORM_INTENT = "inform"
FILLER = re.compile(r"订单号|订单|单号|就是|是|这个|这单|那单|这一单|就|查|帮我|看下|看看|一下|吧|的|呢|哦|嗯"
                    r"|[\s,，。.!！?？:：~～、]")


def is_bare_order_number(text: str) -> bool:
    """Only an order number, perhaps with a few filler words around it."""
    if not ORDER_NO.search(text):
        return False
    return FILLER.sub("", ORDER_NO.sub("", text)) == ""


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class OrderNumberBackstop(IntentRule):
    """Bare order numbers become inform; unsure guesses about an order stay above the fallback."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Keep in step with the FallbackClassifier's threshold in config.yml.
        return {"fallback_threshold": 0.45}

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        self._floor = float(config.get("fallback_threshold", 0.45)) + 0.01

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if any(e.get(ENTITY_ATTRIBUTE_TYPE) == ORDER_ENTITY for e in message.get(ENTITIES) or []):
                self._settle(message)
        return messages

    def _settle(self, message: Message) -> None:
        intent = dict(message.get(INTENT) or {})
        if is_bare_order_number(message.get(TEXT) or ""):
            set_top_intent(message, {INTENT_NAME_KEY: INFORM_INTENT, "confidence": 1.0})
        elif intent.get(INTENT_NAME_KEY) and (intent.get("confidence") or 0.0) < self._floor:
            set_top_intent(message, {**intent, "confidence": self._floor})
