"""价保: did something the customer bought drop in price within the window? The CRM decides from
its price history; a yes to the offer refunds the difference once."""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import after_sales_replies as replies
from bot.actions import order_replies
from bot.actions.choices import offer_orders
from bot.actions.crm_client import CRMClient, CRMRejected
from bot.actions.customer_action import CustomerAction, slot_order_no
from bot.actions.idempotency import message_key
from bot.actions.order_matching import orders_mentioned
from bot.actions.pending import ask_confirmation, clear_confirmation, pending_confirmation
from bot.actions.requests import request_text

INTENT = "price_protection"
MAX_CHOICES = 5
# "申请吧" right after the offer is a yes, not a new request.
SHORT_YES = 8


def order_in_question(checks: List[Dict[str, Any]], said: str) -> Optional[Dict[str, Any]]:
    """The one checked order the customer means: the product they named, else the only order
    with a drop; None when it takes a question (or nothing dropped)."""
    named = orders_mentioned([said], checks)
    if len(named) == 1:
        return named[0]
    eligible = [c for c in (named or checks) if c.get("eligible")]
    return eligible[0] if len(eligible) == 1 else None


class ActionPriceProtection(CustomerAction):
    """Check an order (the one named, or the one that dropped) and offer the refund."""

    def name(self) -> Text:
        return "action_price_protection"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int) -> List[EventType]:
        events: List[EventType] = [SlotSet("order_no", None)]
        order_no = slot_order_no(tracker)
        pending = pending_confirmation(tracker)
        latest = tracker.latest_message.get("text") or ""
        if (pending and pending["kind"] == INTENT and not order_no
                and len(latest.strip()) <= SHORT_YES and not latest.startswith("/")):
            return events + [clear_confirmation()] + await PriceProtectionConfirmation().on_yes(
                dispatcher, tracker, crm, customer_id, pending)
        if order_no:
            check = await crm.price_protection_check(order_no, customer_id)
            if check is None:
                dispatcher.utter_message(text=order_replies.not_found(order_no))
                return events
            return events + self.offer(dispatcher, check)
        checks = await crm.price_protection_orders(customer_id)
        if not checks:
            dispatcher.utter_message(text=replies.NO_PRICE_PROTECTION_ORDERS)
            return events
        chosen = order_in_question(checks, request_text(tracker, INTENT))
        if chosen is not None:
            return events + self.offer(dispatcher, chosen)
        eligible = [c for c in checks if c.get("eligible")]
        if not eligible:
            dispatcher.utter_message(text=replies.none_eligible(checks))
            return events
        text, buttons = replies.choose_price_protection_order(eligible[:MAX_CHOICES])
        return events + [offer_orders(dispatcher, text, buttons)]

    @staticmethod
    def offer(dispatcher: CollectingDispatcher, check: Dict[str, Any]) -> List[EventType]:
        """The drop and the question, or why the order cannot claim."""
        if not replies.eligible_items(check):
            dispatcher.utter_message(text=replies.price_protection_refusal(check))
            return []
        dispatcher.utter_message(text=replies.price_protection_offer(check),
                                 buttons=replies.CONFIRM_PRICE_PROTECTION)
        return [ask_confirmation(INTENT, order_no=check["order_no"])]


class PriceProtectionConfirmation:
    """Yes: the CRM refunds the difference (once per message); no: nothing is claimed."""

    async def on_yes(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int, pending: Dict[str, Any]) -> List[EventType]:
        order_no = pending["order_no"]
        try:
            result = await crm.claim_price_protection(
                order_no, customer_id, message_key(tracker, "price-protection", order_no))
        except CRMRejected as rejected:
            if rejected.status != 409:
                raise
            dispatcher.utter_message(text=f"{rejected.message}。有疑问的话可以说「转人工」。")
            return []
        if result is None:
            dispatcher.utter_message(text=order_replies.not_found(order_no))
            return []
        dispatcher.utter_message(text=replies.price_protection_done(order_no, result))
        return []

    async def on_no(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                    customer_id: int, pending: Dict[str, Any]) -> List[EventType]:
        dispatcher.utter_message(response="utter_price_protection_declined")
        return []
