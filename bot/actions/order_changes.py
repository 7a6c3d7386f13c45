"""Cancel or change an order before it ships: always a confirmation first, the CRM decides."""

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import inquiry_replies as replies
from bot.actions import crm_client, order_replies
from bot.actions.choices import offer_orders
from bot.actions.crm_client import CRMClient, CRMRejected
from bot.actions.customer_action import CustomerAction, slot_order_no, slot_text
from bot.actions.identity import resolve_identity
from bot.actions.failures import HonestAction
from bot.actions.idempotency import message_key
from bot.actions.pending import ask_confirmation

logger = logging.getLogger(__name__)

RECENT_ORDERS = 10
MAX_CHOICES = 5
MODIFY_FORM = "modify_order_form"
MODIFY_SUBMIT = "action_modify_order_submit"
CANCEL_REASON = "客户通过在线客服申请取消"


def _intent(event: Dict[str, Any]) -> Optional[str]:
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def modify_request_text(tracker: Tracker) -> str:
    """The customer's own words of the latest change request (not a button payload).

    After an identity check the latest message is the phone tail, so look back for it.
    """
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        text = event.get("text") or ""
        if _intent(event) == "modify_order" and not text.startswith("/"):
            return text
    return ""


async def open_orders(crm: CRMClient, customer_id: int, may: str) -> List[Dict[str, Any]]:
    """Recent orders the CRM says the customer `may` ("can_cancel" / "can_modify") still change."""
    orders = await crm.recent_orders(customer_id, limit=RECENT_ORDERS)
    return [o for o in orders if o.get(may)][:MAX_CHOICES]


async def accepted_value(dispatcher: CollectingDispatcher, crm: CRMClient, order_no: str,
                         customer_id: int, field: str, text: str) -> Optional[str]:
    """The new value in the customer's words if the CRM would accept it; else says why."""
    value, problem = replies.read_value(field, text)
    if problem:
        dispatcher.utter_message(text=problem)
        return None
    try:
        await crm.check_modify(order_no, customer_id, field, value)
    except CRMRejected as rejected:
        dispatcher.utter_message(text=replies.value_refused(rejected.message))
        return None
    return value


class ActionCancelOrder(CustomerAction):
    """Which order, then "确认取消…吗？"; the yes/no goes to CancelConfirmation."""

    def name(self) -> Text:
        return "action_cancel_order"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int) -> List[EventType]:
        order_no = slot_order_no(tracker)
        events: List[EventType] = [SlotSet("order_no", None)]
        if order_no:
            order = await crm.order_detail(order_no, customer_id)
            if order is None:
                dispatcher.utter_message(text=order_replies.not_found(order_no))
                return events
        else:
            orders = await open_orders(crm, customer_id, "can_cancel")
            if not orders:
                dispatcher.utter_message(text=replies.NO_CANCELLABLE)
                return events
            if len(orders) > 1:
                text, buttons = replies.choose_order(orders, "cancel_order", "取消")
                return events + [offer_orders(dispatcher, text, buttons)]
            order = orders[0]
        dispatcher.utter_message(text=replies.confirm_cancel(order),
                                 buttons=replies.CONFIRM_BUTTONS_CANCEL)
        return events + [ask_confirmation("cancel", order_no=order["order_no"])]


class CancelConfirmation:
    """Yes: the CRM cancels (once per message); a refusal is explained in its own words."""

    async def on_yes(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int, pending: Dict[str, Any]) -> List[EventType]:
        order_no = pending["order_no"]
        try:
            result = await crm.cancel_order(order_no, customer_id, CANCEL_REASON,
                                            message_key(tracker, "cancel", order_no))
        except CRMRejected as rejected:
            dispatcher.utter_message(text=replies.refused(rejected.message, "这笔订单现在不能取消。"))
            return []
        if result is None:
            dispatcher.utter_message(text=order_replies.not_found(order_no))
            return []
        dispatcher.utter_message(text=replies.cancelled(order_no, result))
        return []

    async def on_no(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                    customer_id: int, pending: Dict[str, Any]) -> List[EventType]:
        dispatcher.utter_message(text=replies.CANCEL_KEPT)
        return []


class ActionModifyOrder(CustomerAction):
    """Which order and which field; then the form asks the new value (or it was already said)."""

    def name(self) -> Text:
        return "action_modify_order"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int) -> List[EventType]:
        request = modify_request_text(tracker)
        field = replies.modify_field(request) or slot_text(tracker, "modify_field") or None
        events: List[EventType] = [SlotSet("modify_field", field), SlotSet("modify_value", None)]
        order_no = slot_order_no(tracker)
        if order_no:
            order = await crm.order_detail(order_no, customer_id)
            if order is None:
                dispatcher.utter_message(text=order_replies.not_found(order_no))
                return events + [SlotSet("order_no", None)]
            if not order.get("can_modify"):
                dispatcher.utter_message(text=(
                    f"订单 {order_no} 当前状态是「{order['status_label']}」，已经不能修改订单信息了。"
                    f"\n{replies.NO_MODIFIABLE.split('。', 1)[1]}"))
                return events + [SlotSet("order_no", None)]
        else:
            orders = await open_orders(crm, customer_id, "can_modify")
            if not orders:
                dispatcher.utter_message(text=replies.NO_MODIFIABLE)
                return events
            if len(orders) > 1:
                text, buttons = replies.choose_order(orders, "modify_order", "修改")
                return events + [offer_orders(dispatcher, text, buttons)]
            order_no = orders[0]["order_no"]
        events.append(SlotSet("order_no", order_no))
        if field is None:
            buttons = [{"title": b["title"], "payload": f"{b['payload']} {order_no}"}
                       for b in replies.FIELD_BUTTONS]
            dispatcher.utter_message(text=f"订单 {order_no}：{replies.ASK_FIELD}", buttons=buttons)
            return events
        value = replies.value_in_text(field, request)
        if value:
            clean = await accepted_value(dispatcher, crm, order_no, customer_id, field, value)
            if clean:
                return events + [SlotSet("modify_value", clean), FollowupAction(MODIFY_SUBMIT)]
        return events + [FollowupAction(MODIFY_FORM)]


class ValidateModifyOrderForm(HonestAction, FormValidationAction):
    """The new value must make sense for the field (a mobile number, a full address…).

    Only an answer to the question counts: the message that opened the form ('2', a button) is
    not a value.
    """

    def name(self) -> Text:
        return "validate_modify_order_form"

    async def validate_modify_value(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "modify_value":
            return {"modify_value": None}
        field = slot_text(tracker, "modify_field") or "address"
        order_no = slot_order_no(tracker)
        if order_no is None:
            return {"modify_value": None}
        async with crm_client.make_crm() as crm:
            customer_id = (await resolve_identity(tracker, crm)).customer_id
            if customer_id is None:
                return {"modify_value": None}
            clean = await accepted_value(dispatcher, crm, order_no, customer_id, field,
                                         str(value or ""))
        return {"modify_value": clean}


class ActionModifyOrderSubmit(CustomerAction):
    """Repeat the change back and ask for a yes; ModifyConfirmation carries it out."""

    def name(self) -> Text:
        return "action_modify_order_submit"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int) -> List[EventType]:
        order_no = slot_order_no(tracker)
        field = slot_text(tracker, "modify_field")
        value = slot_text(tracker, "modify_value")
        cleared = [SlotSet("order_no", None), SlotSet("modify_field", None),
                   SlotSet("modify_value", None)]
        if not (order_no and field and value):
            dispatcher.utter_message(response="utter_modify_incomplete")
            return cleared
        dispatcher.utter_message(text=replies.confirm_modify(order_no, field, value),
                                 buttons=replies.CONFIRM_BUTTONS_MODIFY)
        return cleared + [ask_confirmation("modify", order_no=order_no, field=field, value=value)]


class ModifyConfirmation:
    """Yes: the CRM applies the change (or says why not). No: nothing changes."""

    async def on_yes(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int, pending: Dict[str, Any]) -> List[EventType]:
        order_no, field, value = pending["order_no"], pending["field"], pending["value"]
        try:
            result = await crm.modify_order(order_no, customer_id, field, value,
                                            message_key(tracker, "modify", order_no, field))
        except CRMRejected as rejected:
            dispatcher.utter_message(text=replies.refused(rejected.message, "这笔订单现在不能修改。"))
            return []
        if result is None:
            dispatcher.utter_message(text=order_replies.not_found(order_no))
            return []
        dispatcher.utter_message(text=replies.modified(order_no, field, value))
        return []

    async def on_no(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                    customer_id: int, pending: Dict[str, Any]) -> List[EventType]:
        dispatcher.utter_message(text=replies.MODIFY_KEPT)
        return []
