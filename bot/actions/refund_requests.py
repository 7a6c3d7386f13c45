"""'这单我要退款': the CRM says how the order's money comes back as it stands — cancel it (asks to
confirm), refuse the parcel, a return request (asks to confirm, then recorded), or why not."""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import after_sales_replies, order_replies
from bot.actions import inquiry_replies as replies
from bot.actions.choices import offer_orders
from bot.actions.crm_client import CRMClient, CRMRejected
from bot.actions.customer_action import CustomerAction, slot_order_no
from bot.actions.idempotency import message_key
from bot.actions.pending import ask_confirmation

RECENT_ORDERS = 10
MAX_CHOICES = 5
# Orders a refund may be asked for (the CRM's route says what then happens).
REFUNDABLE = ("pending_shipment", "shipped", "delivered")
REASON_LENGTH = 200

NO_REFUNDABLE = ("您最近没有可以申请退款的订单（待发货、已发货、已签收的订单才能退款）。"
                 "如果是问退款进度，跟我说「退款到哪了」就好。")
CONFIRM_RETURN = [{"title": "提交退货申请", "payload": "/affirm"},
                  {"title": "先不退了", "payload": "/deny"}]
RETURN_KEPT = "好的，先不提交退货申请，订单保持不变。还有其他可以帮您的吗？"


def _reason(tracker: Tracker) -> str:
    """The customer's own words as the return reason (a tapped button says nothing)."""
    text = (tracker.latest_message.get("text") or "").strip()
    if not text or text.startswith("/"):
        return "客户在在线客服申请退货退款"
    return text[:REASON_LENGTH]


class ActionRequestRefund(CustomerAction):
    """Which order, then the CRM's route for its money."""

    def name(self) -> Text:
        return "action_request_refund"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int) -> List[EventType]:
        events: List[EventType] = [SlotSet("order_no", None)]
        order_no = slot_order_no(tracker)
        if order_no is None:
            orders = [o for o in await crm.recent_orders(customer_id, limit=RECENT_ORDERS)
                      if o.get("status") in REFUNDABLE][:MAX_CHOICES]
            if not orders:
                dispatcher.utter_message(text=NO_REFUNDABLE)
                return events
            if len(orders) > 1:
                text, buttons = replies.choose_order(orders, "request_refund", "退款")
                return events + [offer_orders(dispatcher, text, buttons)]
            order_no = orders[0]["order_no"]
        order = await crm.order_detail(order_no, customer_id)
        if order is None:
            dispatcher.utter_message(text=order_replies.not_found(order_no))
            return events
        return events + self._route(dispatcher, tracker, order)

    @staticmethod
    def _route(dispatcher: CollectingDispatcher, tracker: Tracker,
               order: Dict[str, Any]) -> List[EventType]:
        route = order.get("refund_route") or {}
        sentence = route.get("sentence") or ""
        if route.get("route") == "cancel":
            dispatcher.utter_message(text=f"{sentence}\n{replies.confirm_cancel(order)}",
                                     buttons=replies.CONFIRM_BUTTONS_CANCEL)
            return [ask_confirmation("cancel", order_no=order["order_no"])]
        if route.get("route") == "return":
            dispatcher.utter_message(text=f"{sentence}\n现在为您提交退货退款申请吗？",
                                     buttons=CONFIRM_RETURN)
            return [ask_confirmation("refund_return", order_no=order["order_no"],
                                     reason=_reason(tracker))]
        if route.get("route") in ("in_progress", "refunded") and order.get("refund"):
            dispatcher.utter_message(text=f"{sentence}\n{replies.describe_refund(order)}")
            return []
        dispatcher.utter_message(text=sentence or order_replies.describe_order(order))
        return []


class ReturnConfirmation:
    """Yes: the CRM records the return request once per message; its next step is said."""

    async def on_yes(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int, pending: Dict[str, Any]) -> List[EventType]:
        order_no = pending["order_no"]
        try:
            made = await crm.request_return(order_no, customer_id,
                                            pending.get("reason") or "客户申请退货退款",
                                            message_key(tracker, "return", order_no))
        except CRMRejected as rejected:
            if rejected.status != 409:
                raise
            dispatcher.utter_message(text=replies.refused(rejected.message,
                                                          "这笔订单现在不能申请退货。"))
            return []
        dispatcher.utter_message(text=returned(made))
        return []

    async def on_no(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                    customer_id: int, pending: Dict[str, Any]) -> List[EventType]:
        dispatcher.utter_message(text=RETURN_KEPT)
        return []


def returned(made: Optional[Dict[str, Any]]) -> str:
    """The recorded request: its number, what it refunds and what to do next."""
    if not made:
        return "退货申请已提交，进度可以随时问我「售后进度」。"
    return f"已为您提交退货退款申请。\n{after_sales_replies.describe_request(made)}"
