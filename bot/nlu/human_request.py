"""A person asked for is never missed: explicit requests for a human override the classifier.

request_human must have a recall of 1.0 (a customer who asks for a person and gets a bot is the
worst experience), so a narrow rule over the words decides, after DIET, before the fallback.
Asking *when* people are available (人工客服几点上班) stays a service-hours question.
"""

from __future__ import annotations

import re
from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.intent_rules import IntentRule, set_top_intent

HUMAN_INTENT = "request_human"
ASKS = re.compile(
    r"转人工|人工客服|人工服务|人工坐席|人工介入|人工处理|(找|要|接|转接|联系|换)个?人工|人工(呢|在哪|在吗)"
    r"|^\s*人工\s*[!！?？。]*\s*$"
    r"|真人|活人"
    r"|(不要|别用|别让|不想跟|不和|不跟)机器人"
    r"|(不要|不想|不愿意?|别)再?(跟|和|同)(机器人?|AI|智能客服|自动回复)"
    r"|(叫|让|喊|请|找)(个|你们)?(这边)?的?(经理|主管|领导|负责人|店长|老板|管事|能做主|说了算|值班的?同事)"
    r"|(?i:human agent|real person|talk to a human|human please)"
)
NOT_ASKS = re.compile(r"几点|什么时候|啥时候|几时|时间|上班|下班|营业|人工智能|在线时长|多久")


def asks_for_a_person(text: str) -> bool:
    """The message explicitly asks to talk to a person (not when people are available)."""
    return bool(ASKS.search(text)) and not NOT_ASKS.search(text)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class HumanRequestOverride(IntentRule):
    """Sets request_human with full confidence when the words explicitly ask for a person."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if asks_for_a_person(message.get(TEXT) or ""):
                set_top_intent(message, {INTENT_NAME_KEY: HUMAN_INTENT, "confidence": 1.0})
        return messages
