"""Not understood: ask to rephrase once; twice in a row, offer a person and show what works."""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.failures import HonestAction

FALLBACK_INTENT = "nlu_fallback"

REPHRASE = (
    "抱歉，我没太明白您的意思😅 能换个说法再说一次吗？"
    "比如「我的快递到哪了」「退款到账了吗」，或者直接发订单号给我。"
)
OFFER_PERSON = (
    "抱歉，小福还是没能理解您的问题，给您添麻烦了。需要的话我可以为您转接人工客服；"
    "您也可以试试这样问我：\n"
    "· 我的快递到哪了 / 退款到账了吗\n"
    "· 取消订单 / 修改收货地址\n"
    "· 羽绒服还有货吗\n"
    "· 我有多少积分 / 积分兑换\n"
    "· 我要投诉 / 查投诉进度"
)
OFFER_BUTTONS = [
    {"title": "转人工", "payload": "/request_human"},
    {"title": "查订单物流", "payload": "/order_status"},
    {"title": "查退款进度", "payload": "/refund_status"},
    {"title": "查积分", "payload": "/points_balance"},
]


def user_intents(events: List[Dict[str, Any]]) -> List[Optional[str]]:
    """The intent of every user message, oldest first."""
    return [((e.get("parse_data") or {}).get("intent") or {}).get("name")
            for e in events if e.get("event") == "user"]


def misunderstood_twice(events: List[Dict[str, Any]]) -> bool:
    """The latest two user messages were both not understood."""
    intents = user_intents(events)
    return len(intents) >= 2 and intents[-1] == intents[-2] == FALLBACK_INTENT


class ActionFallback(HonestAction, Action):
    def name(self) -> Text:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if misunderstood_twice(tracker.events):
            dispatcher.utter_message(text=OFFER_PERSON, buttons=OFFER_BUTTONS)
        else:
            dispatcher.utter_message(text=REPHRASE)
        return []
