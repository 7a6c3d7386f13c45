"""The four-step complaint procedure: listen, record, remedy (follow-up lives in follow_up.py)."""

import logging
import re
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import complaint_text as ct
from bot.actions import crm_client, order_replies
from bot.actions.choices import chosen_order, offered_orders, picked_text
from bot.actions.crm_client import CRMClient, CRMRejected, CRMUnavailable
from bot.actions.customer_action import CustomerAction
from bot.actions.failures import HonestAction
from bot.actions.handoff import hand_off
from bot.actions.idempotency import bounded_key
from bot.actions.identity import message_identity, message_source, resolve_identity
from bot.actions.order_matching import orders_mentioned
from bot.actions.parsing import extract_order_no, extract_phone_tail
from bot.actions.pending import REMEDY_PENDING_SLOT, ask_confirmation, pending_confirmation

logger = logging.getLogger(__name__)

FORM = "complaint_form"
NO_ORDER = "none"
MAX_VENT_MESSAGES = 4
FORM_SLOTS = ("complaint_vent_done", "complaint_order_no", "complaint_category",
              "complaint_severity", "complaint_expectation")

REMEDY_BUTTONS = [
    {"title": "可以，就这样处理", "payload": "/affirm"},
    {"title": "换个方案", "payload": "/request_alternative"},
    {"title": "不接受", "payload": "/deny"},
]


def _latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def _entity(tracker: Tracker, name: str) -> Optional[str]:
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value) if value is not None else None


def _words(tracker: Tracker) -> List[str]:
    words = tracker.get_slot("complaint_words")
    return list(words) if isinstance(words, list) else []


def inferred_slots(texts: List[str], known: Dict[str, Any],
                   category_entity: Optional[str] = None) -> Dict[str, Any]:
    """Whatever the customer's words already answer (and `known` lacks), so it is never asked."""
    guesses = {
        "complaint_category": ct.normalise_category(category_entity) or ct.infer_category(texts),
        "complaint_severity": ct.infer_severity(texts),
        "complaint_expectation": ct.infer_expectation(texts),
        "complaint_order_no": extract_order_no(" ".join(texts)),
    }
    return {name: value for name, value in guesses.items() if value and not known.get(name)}


def _known(tracker: Tracker) -> Dict[str, Any]:
    return {name: tracker.get_slot(name) for name in FORM_SLOTS}


DRAFT_SLOT = "complaint_draft"


def cleared_complaint_slots() -> List[EventType]:
    return [SlotSet(name, None) for name in FORM_SLOTS + ("complaint_words",)]


def draft_of(words: List[str], known: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """What a stopped complaint had gathered (its words and answered questions), or None."""
    answers = {name: value for name, value in known.items() if value is not None}
    return {"words": list(words), "answers": answers} if words or answers else None


# "继续投诉": asks to go on with the draft; not words of the complaint itself.
RESUME_SIGNAL = re.compile(r"^\s*(我要|我想|帮我|那)?(继续|接着)(刚才|上次|之前)?的?(投诉|登记|说)?"
                           r"(吧|一下)?\s*[。！!]*\s*$")


def resumed(draft: Any, text: str) -> Tuple[List[str], Dict[str, Any]]:
    """The words and answers to start from: a kept draft's, then the new message (unless it
    only asks to go on)."""
    if not isinstance(draft, dict):
        return [text], {}
    words = [w for w in draft.get("words") or [] if isinstance(w, str)]
    answers = {name: value for name, value in (draft.get("answers") or {}).items()
               if name in FORM_SLOTS}
    if text and text not in words and not RESUME_SIGNAL.match(text):
        words.append(text)
    return words or [text], answers


class ActionComplaintListen(HonestAction, Action):
    """Step 1: acknowledge the feeling in words that fit what happened, keep what was said."""

    def name(self) -> Text:
        return "action_complaint_listen"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        text = _latest_text(tracker)
        draft = tracker.get_slot(DRAFT_SLOT)
        words, answers = resumed(draft, text)
        events: List[EventType] = cleared_complaint_slots() + [SlotSet("complaint_number", None),
                                                               SlotSet(DRAFT_SLOT, None)]
        slots = {**answers,
                 **inferred_slots(words, answers, _entity(tracker, "complaint_category"))}
        lead = ct.empathy(slots.get("complaint_category"))
        if answers or len(words) > 1:
            lead += "\n您上次说的情况我都还留着，我们接着往下登记，不用从头再说。"
        situation, order_no = await _order_situation(tracker, words, slots)
        if situation:
            lead += f"\n{situation}"
            if not slots.get("complaint_order_no"):
                lead += "（如果您说的不是这一笔，直接告诉我订单号就好。）"
                slots["complaint_order_no"] = order_no
        dispatcher.utter_message(text=f"{lead}\n您说的每一句我都会原样记进投诉记录里。")
        events.append(SlotSet("complaint_words", words))
        events += [SlotSet(name, value) for name, value in slots.items()]
        return events


# Orders a customer may mean when they say an order is late or missing.
UNDELIVERED = ("pending_shipment", "shipped")


def _order_meant(words: List[str], orders: List[Dict[str, Any]]) -> Optional[str]:
    """The one order a late or missing-parcel complaint is about: the one whose product the
    words name; for "signed for but never came" the latest signed-for one; else the only one
    still on its way. None when it is not clear (the form then offers the list)."""
    named = orders_mentioned(words, orders)
    if len(named) == 1:
        return named[0]["order_no"]
    if ct.signed_but_missing(" ".join(words)):
        signed = [o for o in orders if o.get("status") == "delivered"]
        if signed:
            return signed[0]["order_no"]
    undelivered = [o for o in orders if o.get("status") in UNDELIVERED]
    return undelivered[0]["order_no"] if len(undelivered) == 1 else None


async def _order_situation(tracker: Tracker, words: List[str], slots: Dict[str, Any]
                           ) -> Tuple[Optional[str], Optional[str]]:
    """The CRM's sentence on where the complaint's order really stands, and its number: the
    order the customer named, or for a late or missing parcel the order they must mean."""
    order_no = slots.get("complaint_order_no")
    if order_no is None and slots.get("complaint_category") != "delivery":
        return None, None
    try:
        async with crm_client.make_crm() as crm:
            customer_id = (await resolve_identity(tracker, crm)).customer_id
            if customer_id is None:
                return None, None
            if order_no is None:
                order_no = _order_meant(words, await crm.recent_orders(customer_id, limit=5))
            detail = await crm.order_detail(order_no, customer_id) if order_no else None
    except CRMUnavailable:
        logger.warning("CRM unavailable: the complaint's first reply does not state the order")
        return None, None
    situation = (detail or {}).get("situation") or {}
    return (situation.get("sentence"), order_no) if situation.get("sentence") else (None, None)


class ValidateComplaintForm(HonestAction, FormValidationAction):
    """Step 2: ask only for what the story did not already tell us; accept corrections."""

    def name(self) -> Text:
        return "validate_complaint_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        if await _identified(tracker):
            return [slot for slot in domain_slots if slot != "phone_tail"]
        return list(domain_slots)

    async def extract_complaint_vent_done(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                          domain: DomainDict) -> Dict[Text, Any]:
        """'没了，就这些' ends the story whatever intent the NLU gave it (it may read 'goodbye')."""
        if (tracker.get_slot("requested_slot") != "complaint_vent_done"
                or not ct.is_done_signal(_latest_text(tracker))):
            return {}
        return {"complaint_vent_done": True}

    async def extract_complaint_order_no(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                         domain: DomainDict) -> Dict[Text, Any]:
        """'不对，是KF…这单' corrects the order at any point of the form, whatever the intent."""
        text = _latest_text(tracker)
        order_no = extract_order_no(text)
        if order_no is None or not ct.is_correction(text):
            return {}
        if order_no == tracker.get_slot("complaint_order_no"):
            return {}
        return {"complaint_order_no": order_no}

    async def extract_complaint_expectation(self, dispatcher: CollectingDispatcher,
                                            tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """A typed wish ('我要退款') answers the question even if the NLU read it as a question."""
        if tracker.get_slot("requested_slot") != "complaint_expectation":
            return {}
        expectation = ct.infer_expectation([_latest_text(tracker)])
        return {"complaint_expectation": expectation} if expectation else {}

    def validate_complaint_vent_done(self, value: Any, dispatcher: CollectingDispatcher,
                                     tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = _latest_text(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if ct.is_done_signal(text) or intent in ("affirm", "deny"):
            return {"complaint_vent_done": True}
        words = _words(tracker) + [text]
        slots: Dict[Text, Any] = {
            "complaint_words": words,
            **inferred_slots([text], _known(tracker), _entity(tracker, "complaint_category")),
        }
        if "complaint_expectation" in slots or len(words) >= MAX_VENT_MESSAGES:
            dispatcher.utter_message(response="utter_complaint_vent_done")
            slots["complaint_vent_done"] = True
            return slots
        dispatcher.utter_message(response="utter_complaint_vent_more")
        slots["complaint_vent_done"] = None
        return slots

    async def validate_complaint_order_no(self, value: Any, dispatcher: CollectingDispatcher,
                                          tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        customer_id = await _customer_id(tracker)
        if value == NO_ORDER and customer_id is not None:
            return {"complaint_order_no": NO_ORDER}
        order_no = extract_order_no(str(value or ""))
        if order_no is None and customer_id is not None:
            order_no = _order_named(tracker, dispatcher)
        if order_no is None:
            return _order_not_given(tracker, dispatcher)
        if customer_id is not None:
            async with crm_client.make_crm() as crm:
                order = await crm.order_detail(order_no, customer_id)
            if order is None:
                dispatcher.utter_message(text=order_replies.not_found(order_no))
                return {"complaint_order_no": None}
        return {"complaint_order_no": order_no}

    async def validate_phone_tail(self, value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        tail = extract_phone_tail(str(value or ""))
        order_no = extract_order_no(str(tracker.get_slot("complaint_order_no") or ""))
        if tail is None or order_no is None:
            dispatcher.utter_message(response="utter_ask_phone_tail_again")
            return {"phone_tail": None}
        async with crm_client.make_crm() as crm:
            customer = await crm.bind_by_order(order_no, tail, tracker.sender_id,
                                               message_source(tracker),
                                               tracker.get_latest_input_channel())
        if customer is None:
            dispatcher.utter_message(text=order_replies.BIND_FAILED)
            return {"phone_tail": None, "complaint_order_no": None}
        return {"phone_tail": None}

    def validate_complaint_category(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        category = ct.normalise_category(str(value or ""))
        if category is None:
            dispatcher.utter_message(response="utter_ask_complaint_category_again")
        return {"complaint_category": category}

    def validate_complaint_severity(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        severity = ct.normalise_severity(str(value or ""))
        if severity is None:
            dispatcher.utter_message(response="utter_ask_complaint_severity_again")
        return {"complaint_severity": severity}

    def validate_complaint_expectation(self, value: Any, dispatcher: CollectingDispatcher,
                                       tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = str(value or "").strip()
        return {"complaint_expectation": ct.normalise_expectation(text) or text or None}


def _suggested(tracker: Tracker, orders: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The one order among `orders` whose product the complaint's words name, if exactly one."""
    named = orders_mentioned(_words(tracker), orders)
    return named[0] if len(named) == 1 else None


async def _customer_id(tracker: Tracker) -> Optional[int]:
    """Who is complaining, as far as this message or the CRM's binding tells."""
    async with crm_client.make_crm() as crm:
        return (await resolve_identity(tracker, crm)).customer_id


async def _identified(tracker: Tracker) -> bool:
    """Whether the customer needs no phone-tail check: a token came with this message (even one
    the CRM could not check just now: the record step then says so), or the CRM binds them."""
    claim = message_identity(tracker)
    if claim is not None:
        return not claim.get("rejected")
    return await _customer_id(tracker) is not None


async def _recent_orders(customer_id: int) -> List[Dict[str, Any]]:
    try:
        async with crm_client.make_crm() as crm:
            return await crm.recent_orders(customer_id, limit=5)
    except CRMUnavailable:
        return []


def _order_named(tracker: Tracker, dispatcher: CollectingDispatcher) -> Optional[str]:
    """The offered order meant by '2', '吹风机那单', or a yes to the one the complaint named."""
    offer = offered_orders(tracker.events)
    if offer is None:
        return None
    picked = chosen_order(_latest_text(tracker), offer)
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if picked is None and intent == "affirm":
        suggested = _suggested(tracker, offer.orders)
        picked = suggested["order_no"] if suggested else None
    if picked is not None:
        dispatcher.utter_message(text=picked_text(picked, offer.orders))
    return picked


def _order_not_given(tracker: Tracker, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
    """No order in the answer: keep what else it told us (a wish, how bad it is) and ask again;
    only an answer that tells nothing gets the hint about order numbers."""
    told = inferred_slots([_latest_text(tracker)], _known(tracker))
    told.pop("complaint_order_no", None)
    if told.get("complaint_expectation"):
        wish = ct.EXPECTATION_LABELS[told["complaint_expectation"]]
        dispatcher.utter_message(text=f"好的，您希望{wish}，我记下了。")
    elif told:
        dispatcher.utter_message(response="utter_complaint_noted_too")
    else:
        dispatcher.utter_message(response="utter_complaint_order_not_recognised")
    return {**told, "complaint_order_no": None}


class ActionAskComplaintOrderNo(HonestAction, Action):
    """Offer the customer's recent orders (or 'no order') instead of asking them to type one."""

    def name(self) -> Text:
        return "action_ask_complaint_order_no"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        try:
            customer_id = await _customer_id(tracker)
        except CRMUnavailable:
            logger.warning("CRM unavailable: asking for the complaint's order number as text")
            customer_id = None
        if customer_id is None:
            dispatcher.utter_message(response="utter_ask_complaint_order_no_typed")
            return []
        orders = await _recent_orders(customer_id)
        suggested = _suggested(tracker, orders)
        if suggested is not None:
            orders = [suggested] + [o for o in orders if o is not suggested]
            text = f"您说的是这笔「{suggested['item_summary']}」的订单吗？点选确认，或选其他订单："
        else:
            text = "是哪一笔订单出的问题呢？点选、回复序号（如「1」）或直接发订单号："
        buttons = [order_replies.order_button(o, "inform") for o in orders]
        buttons.append({"title": "不涉及具体订单", "payload": f'/inform{{"complaint_order_no":"{NO_ORDER}"}}'})
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


def _first_vent_time(tracker: Tracker) -> str:
    """When the customer started telling the story: the message that started the complaint."""
    started: Optional[float] = None
    last_user: Optional[float] = None
    for event in tracker.events:
        if event.get("event") == "user":
            last_user = event.get("timestamp")
        elif event.get("event") == "action" and event.get("name") == "action_complaint_listen":
            started = last_user
    stamp = started or last_user
    moment = datetime.fromtimestamp(stamp, tz=timezone.utc) if stamp else datetime.now(timezone.utc)
    return moment.isoformat()


async def present_remedy(dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                         customer_id: int, number: str, proposal: Dict[str, Any]) -> List[EventType]:
    """Explain the CRM's proposal and wait for yes / another / no; escalations go to a person."""
    remedy = proposal["remedy"]
    if remedy.get("kind") == "escalate":
        return await hand_off(dispatcher, tracker, crm, customer_id, "complaint_escalated", number,
                              lead_in=f"这件事需要专人处理：{remedy.get('description', '')}。\n")
    dispatcher.utter_message(
        text=f"针对您的情况，我们可以为您：{remedy['description']}\n您看这样处理可以吗？",
        buttons=REMEDY_BUTTONS,
    )
    return [ask_confirmation("remedy", number=number, kind_offered=remedy.get("kind"),
                             description=remedy.get("description")),
            SlotSet(REMEDY_PENDING_SLOT, True)]


class ActionComplaintRecord(CustomerAction):
    """Step 2 done: log the complaint, give its number at once; step 3 starts with a proposal."""

    def name(self) -> Text:
        return "action_complaint_record"

    def when_identity_unknown(self, dispatcher: CollectingDispatcher,
                              tracker: Tracker) -> Optional[List[EventType]]:
        """The CRM does not answer: nothing is promised, the complaint waits for a resubmission."""
        dispatcher.utter_message(response="utter_complaint_not_confirmed")
        return cleared_complaint_slots() + [
            ask_confirmation("complaint_retry", payload=complaint_payload(tracker, None))]

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int) -> List[EventType]:
        payload = complaint_payload(tracker, customer_id)
        return cleared_complaint_slots() + await submit_complaint(dispatcher, tracker, crm, payload)


def complaint_payload(tracker: Tracker, customer_id: Optional[int]) -> Dict[str, Any]:
    """The CRM's complaint from the form's slots, keyed by conversation and first vent."""
    vented_at = _first_vent_time(tracker)
    order_no = tracker.get_slot("complaint_order_no")
    return {
        "idempotency_key": bounded_key(tracker.sender_id, "complaint", vented_at),
        "customer_id": customer_id,
        "order_no": None if order_no in (None, NO_ORDER) else order_no,
        "category": tracker.get_slot("complaint_category") or "other",
        "severity": tracker.get_slot("complaint_severity") or "medium",
        "customer_words": ct.fit_words(_words(tracker) or [_latest_text(tracker)]),
        "expectation": tracker.get_slot("complaint_expectation"),
        "channel": tracker.get_latest_input_channel() or "rest",
        "conversation_id": tracker.sender_id,
        "vented_at": vented_at,
    }


async def submit_complaint(dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                           payload: Dict[str, Any]) -> List[EventType]:
    """Log the complaint and give its number only once the CRM committed it; when the CRM does
    not answer, say so and keep the payload (same idempotency key) for a resubmission."""
    try:
        complaint = await crm.create_complaint(payload)
    except CRMUnavailable:
        logger.exception("complaint %s not confirmed by the CRM", payload["idempotency_key"])
        dispatcher.utter_message(response="utter_complaint_not_confirmed")
        return [ask_confirmation("complaint_retry", payload=payload)]
    number = complaint["number"]
    dispatcher.utter_message(
        text=f"已为您登记投诉，投诉单号：{number}（{complaint.get('category_label') or '其他'}）。"
        "您可以随时用这个单号查询处理进度。"
    )
    customer_id = int(payload["customer_id"])
    return [SlotSet("complaint_number", number)] + await present_remedy(
        dispatcher, tracker, crm, customer_id, number, await crm.propose_remedy(number))


class ComplaintRetryConfirmation:
    """Yes: the same complaint is submitted again (the CRM keeps one per key). No: not logged."""

    async def on_yes(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int, pending: Dict[str, Any]) -> List[EventType]:
        payload = {**pending["payload"], "customer_id": customer_id}
        return await submit_complaint(dispatcher, tracker, crm, payload)

    async def on_no(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                    customer_id: int, pending: Dict[str, Any]) -> List[EventType]:
        dispatcher.utter_message(response="utter_complaint_not_resubmitted")
        return []


class ActionComplaintAlternative(CustomerAction):
    """The customer asks for something else: one more offer within policy, then a person."""

    def name(self) -> Text:
        return "action_complaint_alternative"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int) -> List[EventType]:
        pending = pending_confirmation(tracker)
        if not pending or pending.get("kind") != "remedy":
            dispatcher.utter_message(response="utter_no_remedy_pending")
            return []
        number = pending["number"]
        try:
            proposal = await crm.propose_remedy(number, alternative=True)
        except CRMRejected as rejected:
            if rejected.status != 409:
                raise
            dispatcher.utter_message(response="utter_no_more_remedies")
            return [ask_confirmation("remedy", number=number, kind_offered=pending.get("kind_offered"),
                                     description=pending.get("description"))]
        return await present_remedy(dispatcher, tracker, crm, customer_id, number, proposal)


class RemedyConfirmation:
    """Yes: the CRM carries the remedy out for real. No: a person takes over."""

    async def on_yes(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int, pending: Dict[str, Any]) -> List[EventType]:
        number = pending["number"]
        result = await crm.accept_remedy(number, idempotency_key=f"{number}:accept")
        follow_up = result.get("follow_up") or {}
        when = ""
        if follow_up.get("due_at"):
            due = datetime.fromisoformat(follow_up["due_at"])
            when = f"我们会在 {due.month}月{due.day}日 回访您，确认问题是否真正解决。"
        dispatcher.utter_message(
            text=f"好的，已经为您办理：{result['execution']['summary']}\n{when}"
            f"投诉单号 {number}，有任何问题随时找我。"
        )
        return []

    async def on_no(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                    customer_id: int, pending: Dict[str, Any]) -> List[EventType]:
        number = pending["number"]
        await crm.refuse_remedy(number, reason="客户不接受方案")
        return await hand_off(dispatcher, tracker, crm, customer_id, "remedy_refused", number,
                              lead_in="非常抱歉这个方案没能让您满意。")


class ActionComplaintStop(HonestAction, Action):
    """The customer stops in the middle: let go politely, nothing is logged, and what they told
    us is kept as a draft the next complaint in this conversation starts from."""

    def name(self) -> Text:
        return "action_complaint_stop"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_complaint_stopped")
        draft = draft_of(_words(tracker), _known(tracker))
        return cleared_complaint_slots() + [SlotSet(DRAFT_SLOT, draft)]


class ActionRemindRemedy(HonestAction, Action):
    """After a question asked while a remedy waits for an answer: offer the remedy again."""

    def name(self) -> Text:
        return "action_remind_remedy"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        pending = pending_confirmation(tracker)
        if not pending or pending.get("kind") != "remedy" or not pending.get("description"):
            return [SlotSet(REMEDY_PENDING_SLOT, False)]
        dispatcher.utter_message(response="utter_remind_remedy", remedy=pending["description"])
        return []
