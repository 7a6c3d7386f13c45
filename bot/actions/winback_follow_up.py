"""The CRM's win-back follow-up: recall the offer, ask whether they will stay, record the answer."""

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import crm_client
from bot.actions import loyalty_replies as replies
from bot.actions.crm_client import CRMClient, CRMUnavailable
from bot.actions.failures import HonestAction
from bot.actions.handoff import hand_off
from bot.actions.pending import ask_confirmation

logger = logging.getLogger(__name__)

ATTEMPT_ENTITY = "winback_attempt"
# The CRM's outcomes (PATCH /api/winback/{id}) for the two answers.
OUTCOME_ON_YES = "stayed"
OUTCOME_ON_NO = "left"
SETTLED_OUTCOMES = (OUTCOME_ON_YES, OUTCOME_ON_NO)
HANDOFF_REASON = "winback_unsatisfied"


def parse_attempt_id(raw: Any) -> Optional[int]:
    """The attempt id the CRM sent as an entity (a positive integer in text), else None."""
    text = str(raw).strip() if raw is not None else ""
    return int(text) if text.isascii() and text.isdigit() and int(text) > 0 else None


def should_follow_up(attempt: Optional[Dict[str, Any]], conversation_id: str) -> bool:
    """Only in the attempt's own conversation, and only while its outcome is still open."""
    return (attempt is not None and attempt.get("conversation_id") == conversation_id
            and attempt.get("outcome") not in SETTLED_OUTCOMES)


def outcome_for(stays: bool) -> str:
    """The outcome to record for a yes (will keep shopping) or a no (still unhappy)."""
    return OUTCOME_ON_YES if stays else OUTCOME_ON_NO


class ActionWinbackFollowUp(HonestAction, Action):
    """Opens the follow-up of the win-back attempt named by the CRM's trigger."""

    def name(self) -> Text:
        return "action_winback_follow_up"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        number = parse_attempt_id(next(tracker.get_latest_entity_values(ATTEMPT_ENTITY), None))
        if number is None:
            return []
        try:
            async with crm_client.make_crm() as crm:
                attempt = await crm.winback_attempt(number)
        except CRMUnavailable:
            logger.exception("CRM unavailable when following up win-back %s", number)
            return []
        if not should_follow_up(attempt, tracker.sender_id):
            logger.warning("win-back %s is not followed up in conversation %s", number,
                           tracker.sender_id)
            return []
        assert attempt is not None
        dispatcher.utter_message(text=replies.winback_follow_up_text(attempt),
                                 buttons=replies.WINBACK_FOLLOW_UP_BUTTONS)
        return [ask_confirmation("winback", attempt_id=number)]


class WinbackConfirmation:
    """Yes: recorded as stayed, with thanks. No: recorded as left, and a person takes over."""

    async def on_yes(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int, pending: Dict[str, Any]) -> List[EventType]:
        await crm.record_winback_outcome(int(pending["attempt_id"]), outcome_for(True))
        dispatcher.utter_message(text=replies.WINBACK_STAYED)
        return []

    async def on_no(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                    customer_id: int, pending: Dict[str, Any]) -> List[EventType]:
        await crm.record_winback_outcome(int(pending["attempt_id"]), outcome_for(False))
        return await hand_off(dispatcher, tracker, crm, customer_id, HANDOFF_REASON,
                              lead_in=replies.WINBACK_LEFT_LEAD_IN)
