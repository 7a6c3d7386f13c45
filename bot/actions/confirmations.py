"""Yes/no answers go to whatever is waiting for them: a cancel, a change, a redemption, a remedy,
a win-back follow-up, a price-protection refund, an invoice re-issue, a return request."""

from abc import abstractmethod
from typing import Any, Dict, List, Protocol, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.complaints import ComplaintRetryConfirmation, RemedyConfirmation
from bot.actions.crm_client import CRMClient
from bot.actions.customer_action import CustomerAction
from bot.actions.invoices import InvoiceReissueConfirmation
from bot.actions.loyalty import RedeemConfirmation
from bot.actions.order_changes import CancelConfirmation, ModifyConfirmation
from bot.actions.pending import REMEDY_PENDING_SLOT, clear_confirmation, pending_confirmation
from bot.actions.price_protection import PriceProtectionConfirmation
from bot.actions.refund_requests import ReturnConfirmation
from bot.actions.winback_follow_up import WinbackConfirmation


class Confirmable(Protocol):
    """What a feature does when the customer says yes or no to its question."""

    async def on_yes(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int, pending: Dict[str, Any]) -> List[EventType]: ...

    async def on_no(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                    customer_id: int, pending: Dict[str, Any]) -> List[EventType]: ...


HANDLERS: Dict[str, Confirmable] = {
    "remedy": RemedyConfirmation(),
    "complaint_retry": ComplaintRetryConfirmation(),
    "cancel": CancelConfirmation(),
    "modify": ModifyConfirmation(),
    "redeem": RedeemConfirmation(),
    "winback": WinbackConfirmation(),
    "price_protection": PriceProtectionConfirmation(),
    "invoice_reissue": InvoiceReissueConfirmation(),
    "refund_return": ReturnConfirmation(),
}


class _Answer(CustomerAction):
    """Routes the answer to the pending question's handler; says something sensible if none."""

    yes = True

    @abstractmethod
    def name(self) -> Text:
        """The action's name in the domain."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        pending = pending_confirmation(tracker)
        if pending is None or pending["kind"] not in HANDLERS:
            dispatcher.utter_message(response="utter_anything_else")
            return [clear_confirmation(), SlotSet(REMEDY_PENDING_SLOT, False)]
        return await super().run(dispatcher, tracker, domain)

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int) -> List[EventType]:
        pending = pending_confirmation(tracker)
        assert pending is not None
        handler = HANDLERS[pending["kind"]]
        react = handler.on_yes if self.yes else handler.on_no
        return [clear_confirmation(), SlotSet(REMEDY_PENDING_SLOT, False)] + await react(
            dispatcher, tracker, crm, customer_id, pending)


class ActionConfirm(_Answer):
    def name(self) -> Text:
        return "action_confirm"


class ActionDecline(_Answer):
    yes = False

    def name(self) -> Text:
        return "action_decline"
