"""Who the customer is: a signed token from the channel, or a binding the CRM already confirmed."""

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from bot.actions.crm_client import CRMClient

CUSTOMER_ID_SLOT = "customer_id"
TOKEN_FIELD = "customer_token"


@dataclass(frozen=True)
class Identity:
    customer_id: Optional[int]
    token_rejected: bool = False
    events: List[Dict[str, Any]] = field(default_factory=list)


def customer_token(tracker: Tracker) -> Optional[Any]:
    """The token sent with the latest user message's metadata, if any (may be malformed)."""
    event = tracker.get_last_event_for("user") or {}
    metadata = event.get("metadata") or {}
    return metadata.get(TOKEN_FIELD) if isinstance(metadata, dict) else None


async def resolve_identity(tracker: Tracker, crm: CRMClient) -> Identity:
    """A token in the latest message wins (and is checked by the CRM); else the bound slot."""
    token = customer_token(tracker)
    if token is not None:
        customer = None
        if isinstance(token, str) and token:
            customer = await crm.verify_customer_token(token)
        if customer is None:
            return Identity(None, True, [SlotSet(CUSTOMER_ID_SLOT, None)])
        return Identity(int(customer["id"]), False, [SlotSet(CUSTOMER_ID_SLOT, customer["id"])])
    customer_id = tracker.get_slot(CUSTOMER_ID_SLOT)
    return Identity(int(customer_id) if customer_id is not None else None)
