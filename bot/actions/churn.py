"""A customer says they will leave: the CRM decides the win-back by tier; the bot carries it out."""

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import crm_client
from bot.actions import loyalty_replies as replies
from bot.actions.crm_client import CRMRejected, CRMUnavailable
from bot.actions.failures import HonestAction
from bot.actions.handoff import hand_off
from bot.actions.confirmations import ActionDecline
from bot.actions.idempotency import message_key
from bot.actions.identity import resolve_identity
from bot.actions.pending import pending_confirmation

logger = logging.getLogger(__name__)

# The CRM records a churn-language risk signal with the attempt for this trigger.
TRIGGER = "churn_language"


# The question whose "no" churn words answer: will you keep shopping with us?
ANSWERED_BY_CHURN = "winback"


class ActionChurnResponse(HonestAction, Action):
    """No identity check forced here: an unknown customer gets a sincere reply, never an offer.
    Churn words answering the win-back follow-up's question are its "no", not a new attempt."""

    def name(self) -> Text:
        return "action_churn_response"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        pending = pending_confirmation(tracker)
        if pending is not None and pending.get("kind") == ANSWERED_BY_CHURN:
            return await ActionDecline().run(dispatcher, tracker, domain)
        try:
            async with crm_client.make_crm() as crm:
                identity = await resolve_identity(tracker, crm)
                if identity.customer_id is None:
                    dispatcher.utter_message(text=replies.CHURN_UNKNOWN)
                    return []
                attempt = await crm.winback(
                    identity.customer_id, tracker.sender_id, TRIGGER,
                    message_key(tracker, "winback"),
                    detail=tracker.latest_message.get("text") or "")
                if attempt is None:
                    dispatcher.utter_message(text=replies.CHURN_UNKNOWN)
                    return []
                if attempt.get("action") == "handoff_and_alert":
                    return await hand_off(
                        dispatcher, tracker, crm, identity.customer_id, "churn_key_customer",
                        lead_in=replies.churn_handoff_lead_in(attempt))
                dispatcher.utter_message(text=replies.churn_reply(attempt))
                return []
        except (CRMUnavailable, CRMRejected):
            logger.exception("win-back failed")
            dispatcher.utter_message(text=replies.CHURN_UNKNOWN)
            return []
