"""The question a yes/no answer will refer to, kept in the `pending_confirmation` slot."""

from typing import Any, Dict, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

PENDING_SLOT = "pending_confirmation"

# True while a remedy waits for the customer's answer: a featurised slot the rules read to offer
# the remedy again after a question in between (the pending slot itself is not featurised).
REMEDY_PENDING_SLOT = "remedy_pending"


def ask_confirmation(kind: str, **data: Any) -> SlotSet:
    """The event that makes the next yes/no answer go to `kind`'s handler."""
    return SlotSet(PENDING_SLOT, {"kind": kind, **data})


def clear_confirmation() -> SlotSet:
    return SlotSet(PENDING_SLOT, None)


def pending_confirmation(tracker: Tracker) -> Optional[Dict[str, Any]]:
    pending = tracker.get_slot(PENDING_SLOT)
    return pending if isinstance(pending, dict) and pending.get("kind") else None
