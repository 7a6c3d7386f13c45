"""Answer "where is my order" from the CRM."""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import order_replies
from bot.actions.choices import offer_orders
from bot.actions.crm_client import CRMClient
from bot.actions.customer_action import CustomerAction, slot_order_no

RECENT_ORDERS = 10
MAX_CHOICES = 5
OPEN_STATUSES = {"pending_payment", "pending_shipment", "shipped", "refunding"}


def orders_in_question(orders: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The open orders (unpaid, unshipped, in transit, refunding); else just the latest order."""
    open_orders = [o for o in orders if o["status"] in OPEN_STATUSES]
    return open_orders[:MAX_CHOICES] if open_orders else orders[:1]


class ActionOrderStatus(CustomerAction):
    """Status, carrier and latest tracking of one order; asks which order when unclear."""

    def name(self) -> Text:
        return "action_order_status"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient, customer_id: int
    ) -> List[EventType]:
        return [SlotSet("order_no", None)] + await self._answer(
            dispatcher, crm, customer_id, slot_order_no(tracker))

    @staticmethod
    async def _answer(
        dispatcher: CollectingDispatcher,
        crm: CRMClient,
        customer_id: int,
        order_no: Optional[str],
    ) -> List[EventType]:
        if order_no:
            order = await crm.order_detail(order_no, customer_id)
            text = order_replies.describe_order(order) if order else order_replies.not_found(order_no)
            dispatcher.utter_message(text=text)
            return []
        orders = orders_in_question(await crm.recent_orders(customer_id, limit=RECENT_ORDERS))
        if not orders:
            dispatcher.utter_message(text=order_replies.NO_ORDERS)
        elif len(orders) == 1:
            order = await crm.order_detail(orders[0]["order_no"], customer_id)
            dispatcher.utter_message(
                text=order_replies.describe_order(order) if order else order_replies.NO_ORDERS
            )
        else:
            text, buttons = order_replies.choose_order(orders)
            return [offer_orders(dispatcher, text, buttons)]
        return []
