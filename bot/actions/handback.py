"""A person hands the conversation back: the bot greets the customer back, asks for a 1–5 score
of the person's help and keeps the answer on the handoff in the CRM."""

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import complaint_text as ct
from bot.actions import crm_client
from bot.actions.failures import HonestAction

logger = logging.getLogger(__name__)

PENDING_SLOT = "handback_rating_pending"


class ActionHandbackWelcome(HonestAction, Action):
    """Triggered by the CRM (`EXTERNAL_handback`) when a person hands the conversation back."""

    def name(self) -> Text:
        return "action_handback_welcome"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_handback_welcome")
        return [SlotSet(PENDING_SLOT, True)]


class ActionHandbackRating(HonestAction, Action):
    """The customer's score after a hand back, kept on the handoff."""

    def name(self) -> Text:
        return "action_handback_rating"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        raw = next(tracker.get_latest_entity_values("score"), None)
        score = ct.parse_score(str(raw or tracker.latest_message.get("text") or ""))
        if score is None:
            # Not a score after all: let it go rather than ask again and again.
            dispatcher.utter_message(response="utter_default")
            return [SlotSet(PENDING_SLOT, False)]
        async with crm_client.make_crm() as crm:
            kept = await crm.record_handoff_satisfaction(tracker.sender_id, score)
        if kept is None:
            logger.info("no handed-back handoff waits for a score in %s", tracker.sender_id)
        dispatcher.utter_message(response="utter_thanks_for_rating")
        return [SlotSet(PENDING_SLOT, False)]
