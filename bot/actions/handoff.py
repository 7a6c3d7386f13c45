"""Hand the conversation to a person: a handoff record in the CRM, then the bot steps back."""

from typing import List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.crm_client import CRMClient
from bot.actions.idempotency import message_key
from bot.actions.pending import REMEDY_PENDING_SLOT


def queue_note(handoff: dict) -> str:
    """How many are waiting ahead, when anyone is."""
    position = handoff.get("queue_position")
    return f"您前面还有 {position - 1} 位，" if isinstance(position, int) and position > 1 else ""


async def hand_off(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    crm: CRMClient,
    customer_id: Optional[int],
    reason: str,
    complaint_number: Optional[str] = None,
    lead_in: str = "",
) -> List[EventType]:
    """Create (or reuse) the conversation's handoff, tell the customer, pause the bot (a remedy
    still waiting for an answer is the person's to settle now)."""
    handoff = await crm.create_handoff(
        conversation_id=tracker.sender_id,
        customer_id=customer_id,
        reason=reason,
        complaint_number=complaint_number,
        idempotency_key=message_key(tracker, "handoff", complaint_number or reason),
    )
    dispatcher.utter_message(response="utter_handed_off", lead_in=lead_in,
                             priority=handoff.get("priority_label") or "普通",
                             queue=queue_note(handoff))
    return [SlotSet(REMEDY_PENDING_SLOT, False), ConversationPaused()]
