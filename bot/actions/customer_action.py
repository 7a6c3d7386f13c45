"""Base for actions that answer from the customer's own CRM data: identity first, always."""

import inspect
import logging
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.utils import all_subclasses

from bot.actions import crm_client, order_replies
from bot.actions.crm_client import CRMClient, CRMUnavailable
from bot.actions.failures import HonestAction
from bot.actions.identity import message_source, resolve_identity
from bot.actions.parsing import extract_order_no, extract_phone_tail

logger = logging.getLogger(__name__)

LOOKUP_FORM = "order_lookup_form"
PENDING_INQUIRY_SLOT = "pending_inquiry"


def slot_text(tracker: Tracker, name: str) -> str:
    value = tracker.get_slot(name)
    return value if isinstance(value, str) else ""


def slot_order_no(tracker: Tracker) -> Optional[str]:
    return extract_order_no(slot_text(tracker, "order_no"))


class CustomerAction(HonestAction, Action, ABC):
    """Resolves who is asking; unknown customers verify by order number + phone tail first.

    Subclasses implement `answer`; after verification the same action runs again.
    """

    @abstractmethod
    async def answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        crm: CRMClient,
        customer_id: int,
    ) -> List[EventType]:
        """Reply to the identified customer; the events to apply."""

    def when_identity_unknown(self, dispatcher: CollectingDispatcher,
                              tracker: Tracker) -> Optional[List[EventType]]:
        """What to do when the CRM cannot tell who is asking; None: say the system is busy."""
        return None

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        async with crm_client.make_crm() as crm:
            try:
                identity = await resolve_identity(tracker, crm)
            except CRMUnavailable:
                events = self.when_identity_unknown(dispatcher, tracker)
                if events is None:
                    raise
                return events
            if identity.token_rejected:
                dispatcher.utter_message(text=order_replies.TOKEN_REJECTED)
                return []
            if identity.customer_id is None:
                return [SlotSet(PENDING_INQUIRY_SLOT, self.name()), FollowupAction(LOOKUP_FORM)]
            return await self.answer(dispatcher, tracker, crm, identity.customer_id)


def customer_actions() -> Dict[str, CustomerAction]:
    """Every concrete customer-data action by name, to resume the one that asked for identity."""
    return {
        action.name(): action
        for action in (cls() for cls in all_subclasses(CustomerAction) if not inspect.isabstract(cls))
    }


class ActionVerifyLookup(HonestAction, Action):
    """After the lookup form: let the CRM confirm order number + phone tail, then answer.

    The pending inquiry is answered here rather than through a follow-up action, so the
    dialogue rule that ran the form also ends the turn.
    """

    def name(self) -> Text:
        return "action_verify_lookup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        order_no = slot_order_no(tracker)
        phone_tail = extract_phone_tail(slot_text(tracker, "phone_tail"))
        pending = customer_actions().get(tracker.get_slot(PENDING_INQUIRY_SLOT) or "")
        events: List[EventType] = [SlotSet("phone_tail", None), SlotSet(PENDING_INQUIRY_SLOT, None)]
        try:
            async with crm_client.make_crm() as crm:
                customer = None
                if order_no and phone_tail:
                    customer = await crm.bind_by_order(order_no, phone_tail, tracker.sender_id,
                                                       message_source(tracker),
                                                       tracker.get_latest_input_channel())
                if customer is None:
                    dispatcher.utter_message(text=order_replies.BIND_FAILED)
                    return events + [SlotSet("order_no", None)]
                customer_id = int(customer["id"])
                if pending is not None:
                    events += await pending.answer(dispatcher, tracker, crm, customer_id)
        except CRMUnavailable:
            logger.exception("CRM unavailable while verifying a lookup")
            dispatcher.utter_message(response="utter_crm_unavailable")
        return events
