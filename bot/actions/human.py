"""The customer asks for a person: a CRM handoff, known customer or not."""

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import crm_client
from bot.actions.crm_client import CRMRejected, CRMUnavailable
from bot.actions.failures import HonestAction
from bot.actions.handoff import hand_off
from bot.actions.identity import resolve_identity

logger = logging.getLogger(__name__)


class ActionRequestHuman(HonestAction, Action):
    def name(self) -> Text:
        return "action_request_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        try:
            async with crm_client.make_crm() as crm:
                identity = await resolve_identity(tracker, crm)
                return await hand_off(
                    dispatcher, tracker, crm, identity.customer_id, "customer_request",
                    lead_in="好的，马上为您安排人工客服。")
        except (CRMUnavailable, CRMRejected):
            logger.exception("handoff failed")
            dispatcher.utter_message(response="utter_handoff_failed")
            return []
