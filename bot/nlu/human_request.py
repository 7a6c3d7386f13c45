"""A person asked for is never missed: explicit requests for a human override the classifier.

request_human must have a recall of 1.0 (a customer who asks for a person and gets a bot is the
worst experience), so a narrow rule over the words decides, after DIET, before the fallback.
Asking *when* people are available (人工客服几点上班) stays a service-hours question, and asking
whether the bot is a person (你是真人吗) is a question about the bot, not a request. Pasted order
cards, links and numbers are read as placeholders first, so the 下单时间 of an order card does not
turn a request into a service-hours question.
"""

from __future__ import annotations

import re
from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.intent_rules import IntentRule, set_top_intent
from bot.nlu.placeholders import normalise

HUMAN_INTENT = "request_human"
ASKS = re.compile(
    r"转人工|人工客服|人工服务|人工坐席|人工介入|人工处理|(找|要|接|转接|联系|换)个?人工|人工(呢|在哪|在吗)"
    r"|^\s*人工\s*[!！?？。]*\s*$"
    r"|真人|活人"
    r"|(不要|别用|别让|不想跟|不和|不跟)机器人"
    r"|(不要|不想|不愿意?|别)再?(跟|和|同)(机器人?|AI|智能客服|自动回复)"
    r"|(叫|让|喊|请|找)(个|你们)?(这边)?的?(经理|主管|领导|负责人|店长|老板|管事|能做主|说了算|值班的?同事)"
    r"|(跟|和|同)你们?的?(经理|主管|领导|负责人|店长)(说|谈|聊|沟通|反映)"
    r"|换个人(来|跟我|和我|回答|处理|说)|换个(真人|客服)(来|吧)"
    r"|(让|叫|请)(客服|人工|你们的?人)(给我)?(打|回)个?电话"
    r"|(?i:human agent|real person|talk to a human|human please)"
)
NOT_ASKS = re.compile(r"几点|什么时候|啥时候|几时|时间|上班|下班|营业|人工智能|在线时长|多久")
# "Are you a person?" — about the bot; what is left of the message may still ask for a person.
IDENTITY_QUESTION = re.compile(
    r"(你|您)们?(到底|究竟|真的)?(是|是不是)(个|一个)?(真人|活人|人工|机器人?|AI|ai|人)"
    r"(还是(真人|活人|人工|机器人?|AI|ai|人))?(吗|嘛|么|吧|啊|呀|呢)?"
    r"|(真人|人工|活人)还是机器人?|机器人?还是(真人|人工|活人)|是不是真人|是真人(吗|嘛|么)")


def asks_for_a_person(text: str) -> bool:
    """The message explicitly asks to talk to a person (not when people are available, nor
    whether the bot is one)."""
    plain = IDENTITY_QUESTION.sub("，", normalise(text))
    return bool(ASKS.search(plain)) and not NOT_ASKS.search(plain)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class HumanRequestOverride(IntentRule):
    """Sets request_human with full confidence when the words explicitly ask for a person."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if asks_for_a_person(message.get(TEXT) or ""):
                set_top_intent(message, {INTENT_NAME_KEY: HUMAN_INTENT, "confidence": 1.0})
        return messages
