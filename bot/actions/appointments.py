"""Delivery, installation and return pick-up times: what is booked, booking a time, changing it.
The CRM says what an order may book and which slots exist; the form asks for the slot."""

from datetime import date
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import after_sales_replies as replies
from bot.actions import crm_client, order_replies
from bot.actions.choices import offer_orders
from bot.actions.crm_client import CRMClient, CRMRejected
from bot.actions.customer_action import CustomerAction, slot_order_no, slot_text
from bot.actions.failures import HonestAction
from bot.actions.identity import resolve_identity
from bot.actions.idempotency import message_key
from bot.actions.order_matching import orders_mentioned
from bot.actions.requests import request_text

INTENT = "book_appointment"
FORM = "appointment_form"
SLOTS = ("appointment_order_no", "appointment_kind", "appointment_change", "appointment_slot")
MAX_CHOICES = 5


def cleared() -> List[EventType]:
    return [SlotSet(name, None) for name in SLOTS]


def allowed(order: Dict[str, Any]) -> List[str]:
    """The kinds the CRM says the order may book."""
    return [k["kind"] for k in order.get("kinds") or [] if k.get("allowed")]


def booked(order: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    """The order's bookings by kind."""
    return {a["kind"]: a for a in order.get("appointments") or []}


def relevant(orders: List[Dict[str, Any]], kind: Optional[str], about_booking: bool
             ) -> List[Dict[str, Any]]:
    """The orders a request may be about: with a booking (of `kind`) when it asks about one,
    else the orders that may book `kind` (any kind) or have booked it."""
    if about_booking:
        return [o for o in orders if booked(o) and (kind is None or kind in booked(o))]
    return [o for o in orders if (kind is None and (allowed(o) or booked(o)))
            or (kind is not None and (kind in allowed(o) or kind in booked(o)))]


def slots_of(options: Dict[str, Any], kind: str) -> List[Dict[str, Any]]:
    """The bookable slots of `kind` for the order."""
    return next((k.get("slots") or [] for k in options.get("kinds") or [] if k["kind"] == kind), [])


class ActionBookAppointment(CustomerAction):
    """Which order and which kind; then what is booked, or the slots to pick from."""

    def name(self) -> Text:
        return "action_book_appointment"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int) -> List[EventType]:
        said = request_text(tracker, INTENT)
        kind = slot_text(tracker, "appointment_kind") or replies.appointment_kind(said) or None
        change = replies.wants_change(said)
        query = replies.asks_booked(said) and not change
        order_no = slot_order_no(tracker) or (
            slot_text(tracker, "appointment_order_no") if kind else None)
        events: List[EventType] = [SlotSet("order_no", None)] + cleared()
        if not order_no:
            orders = relevant(await crm.appointment_orders(customer_id), kind, query or change)
            if not orders:
                text = ("您目前没有已预约的上门服务。" if query or change else "")
                dispatcher.utter_message(text=text + replies.NO_APPOINTMENT_ORDERS)
                return events
            named = orders_mentioned([said], orders)
            if len(orders) > 1 and len(named) != 1:
                text, buttons = replies.choose_appointment_order(orders[:MAX_CHOICES])
                return events + [offer_orders(dispatcher, text, buttons)]
            order_no = (named or orders)[0]["order_no"]
        options = await crm.appointment_options(order_no, customer_id)
        if options is None:
            dispatcher.utter_message(text=order_replies.not_found(order_no))
            return events
        return events + await self.handle(dispatcher, tracker, crm, customer_id, options, kind,
                                          change, query, said)

    @staticmethod
    async def handle(dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int, options: Dict[str, Any], kind: Optional[str],
                     change: bool, query: bool, said: str) -> List[EventType]:
        """Tell what is booked, ask which kind, or start picking a slot."""
        order_no, held, may = options["order_no"], booked(options), allowed(options)
        if query:
            dispatcher.utter_message(text=replies.describe_bookings(options))
            return []
        if kind is None:
            kinds = list(dict.fromkeys([*may, *held]))
            if change and len(held) == 1:
                kind = next(iter(held))
            elif len(kinds) == 1:
                kind = kinds[0]
            elif held and all(k in held for k in kinds) and not change:
                dispatcher.utter_message(text=replies.describe_bookings(options))
                return []
            else:
                dispatcher.utter_message(
                    text=f"订单 {order_no}（{options.get('item_summary', '')}）想预约哪一项呢？",
                    buttons=replies.kind_buttons(order_no, kinds))
                return [SlotSet("appointment_order_no", order_no)]
        if kind in held and not change:
            dispatcher.utter_message(text=replies.describe_bookings(options))
            return []
        if kind not in held and kind not in may:
            reason = next((k.get("reason") for k in options.get("kinds") or []
                           if k["kind"] == kind), None)
            dispatcher.utter_message(text=f"{reason or '这笔订单不能预约'}。")
            return []
        known: Dict[str, Any] = {"appointment_order_no": order_no, "appointment_kind": kind,
                                 "appointment_change": kind in held}
        events: List[EventType] = [SlotSet(name, value) for name, value in known.items()]
        slot_id, _hint = replies.pick_slot(said, slots_of(options, kind),
                                           date.fromisoformat(options["today"]), loose=False)
        if not slot_id:
            return events + [FollowupAction(FORM)]
        view = tracker.copy()
        view.slots.update({**known, "appointment_slot": slot_id})
        return events + await ActionAppointmentSubmit().answer(dispatcher, view, crm, customer_id)


async def _options(tracker: Tracker, crm: CRMClient) -> Optional[Dict[str, Any]]:
    """The CRM's options for the order the form is about (None when unknown)."""
    order_no = slot_text(tracker, "appointment_order_no")
    customer_id = (await resolve_identity(tracker, crm)).customer_id
    if not order_no or customer_id is None:
        return None
    return await crm.appointment_options(order_no, customer_id)


def _offered(tracker: Tracker) -> List[str]:
    """The slot ids of the buttons of the bot's last message."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            found = [replies.SLOT_ID.search(str(b.get("payload") or "")) for b in buttons]
            return [m.group(0) for m in found if m]
    return []


class ActionAskAppointmentSlot(HonestAction, Action):
    """The form's question: the slots the CRM offers, the first ones as buttons."""

    def name(self) -> Text:
        return "action_ask_appointment_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        kind = slot_text(tracker, "appointment_kind")
        async with crm_client.make_crm() as crm:
            options = await _options(tracker, crm)
        slots = slots_of(options, kind) if options else []
        if not slots:
            dispatcher.utter_message(response="utter_appointment_no_slots")
            return []
        held = booked(options).get(kind) if tracker.get_slot("appointment_change") else None
        dispatcher.utter_message(text=replies.ask_slot(kind, options["order_no"], slots, held),
                                 buttons=replies.slot_buttons(slots))
        return []


class ValidateAppointmentForm(HonestAction, FormValidationAction):
    """The slot picked by button, position or words ("周六上午"), among the CRM's slots."""

    def name(self) -> Text:
        return "validate_appointment_form"

    async def validate_appointment_slot(self, value: Any, dispatcher: CollectingDispatcher,
                                        tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        async with crm_client.make_crm() as crm:
            options = await _options(tracker, crm)
        if options is None:
            return {"appointment_slot": None}
        slots = slots_of(options, slot_text(tracker, "appointment_kind"))
        slot_id, hint = replies.pick_slot(str(value or ""), slots,
                                          date.fromisoformat(options["today"]), _offered(tracker))
        if slot_id is None and hint:
            dispatcher.utter_message(text=hint)
        return {"appointment_slot": slot_id}


class ActionAppointmentSubmit(CustomerAction):
    """Book the picked slot, or move the booking there; the CRM decides."""

    def name(self) -> Text:
        return "action_appointment_submit"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int) -> List[EventType]:
        order_no = slot_text(tracker, "appointment_order_no")
        kind = slot_text(tracker, "appointment_kind")
        slot = slot_text(tracker, "appointment_slot")
        change = bool(tracker.get_slot("appointment_change"))
        if not (order_no and kind and slot):
            dispatcher.utter_message(response="utter_appointment_incomplete")
            return cleared()
        try:
            result = await crm.book_appointment(
                order_no, customer_id, kind, slot,
                message_key(tracker, "appointment", order_no, kind), change=change)
        except CRMRejected as rejected:
            dispatcher.utter_message(text=f"{rejected.message}。")
            return cleared()
        label = ((result or {}).get("appointment") or {}).get("label") or slot
        dispatcher.utter_message(text=replies.appointment_booked(order_no, kind, label, change))
        return cleared()
