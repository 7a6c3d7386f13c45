"""Where is my refund: one order's refund, or the refunds among the customer's recent orders."""

from typing import List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import inquiry_replies as replies
from bot.actions import order_replies
from bot.actions.crm_client import CRMClient
from bot.actions.customer_action import CustomerAction, slot_order_no

RECENT_ORDERS = 10


class ActionRefundStatus(CustomerAction):
    """Refund amount, status and next step, always read from the CRM's order detail."""

    def name(self) -> Text:
        return "action_refund_status"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int) -> List[EventType]:
        order_no = slot_order_no(tracker)
        if order_no:
            order = await crm.order_detail(order_no, customer_id)
            if order is None:
                text = order_replies.not_found(order_no)
            elif order.get("refund"):
                text = replies.describe_refund(order)
            else:
                text = replies.no_refund(order)
            dispatcher.utter_message(text=text)
            return [SlotSet("order_no", None)]
        with_refunds = []
        for summary in await crm.recent_orders(customer_id, limit=RECENT_ORDERS):
            detail = await crm.order_detail(summary["order_no"], customer_id)
            if detail and detail.get("refund"):
                with_refunds.append(detail)
        if not with_refunds:
            dispatcher.utter_message(text=replies.NO_REFUNDS)
        elif len(with_refunds) == 1:
            dispatcher.utter_message(text=replies.describe_refund(with_refunds[0]))
        else:
            dispatcher.utter_message(text=replies.describe_refunds(with_refunds))
        return []
