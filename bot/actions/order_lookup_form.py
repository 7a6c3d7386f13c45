"""Validate the order number and phone tail an unidentified customer gives to look up an order."""

from typing import Any, Dict, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.failures import HonestAction
from bot.actions.parsing import extract_order_no, extract_phone_tail

ORDER_NO_HINT = "没有识别到订单号哦。订单号是以 KF 开头的 14 位编号，例如 KF202611150023，请再发一次～（不查了可以说「算了」）"
PHONE_TAIL_HINT = "手机尾号需要是 4 位数字，例如「尾号 1234」，请再发一次～（不查了可以说「算了」）"


class ValidateOrderLookupForm(HonestAction, FormValidationAction):
    def name(self) -> Text:
        return "validate_order_lookup_form"

    def validate_order_no(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Accept any way of writing the number; pick up a phone tail sent in the same message."""
        order_no = extract_order_no(str(value or ""))
        if order_no is None:
            dispatcher.utter_message(text=ORDER_NO_HINT)
            return {"order_no": None}
        slots: Dict[Text, Any] = {"order_no": order_no}
        tail = extract_phone_tail(tracker.latest_message.get("text") or "")
        if tail and not tracker.get_slot("phone_tail"):
            slots["phone_tail"] = tail
        return slots

    def validate_phone_tail(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        tail = extract_phone_tail(str(value or ""))
        if tail is None:
            dispatcher.utter_message(text=PHONE_TAIL_HINT)
        return {"phone_tail": tail}
