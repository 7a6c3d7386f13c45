"""Who the customer is, decided afresh for every message: the signed token the channel checked on
this very message, else a binding the CRM holds for this conversation (with its own expiry).

Nothing about identity is kept in the tracker's slots: a token sent once, or one that expired,
does not make later messages of the same sender that customer.
"""

from dataclasses import dataclass
from typing import Any, Dict, Optional

from rasa_sdk import Tracker

from bot.actions.crm_client import CRMClient, CRMUnavailable
from bot.channels.trust import IDENTITY_KEY, SOURCE_KEY


@dataclass(frozen=True)
class Identity:
    customer_id: Optional[int]
    token_rejected: bool = False


def _latest_metadata(tracker: Tracker) -> Dict[str, Any]:
    event = tracker.get_last_event_for("user") or {}
    metadata = event.get("metadata") or {}
    return metadata if isinstance(metadata, dict) else {}


def message_identity(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """What the channel concluded from the token sent with the latest message, if one was sent."""
    claim = _latest_metadata(tracker).get(IDENTITY_KEY)
    return claim if isinstance(claim, dict) else None


def message_source(tracker: Tracker) -> Optional[str]:
    """The client address the channel saw for the latest message (for verification limits)."""
    source = _latest_metadata(tracker).get(SOURCE_KEY)
    return source if isinstance(source, str) and source else None


async def resolve_identity(tracker: Tracker, crm: CRMClient) -> Identity:
    """This message's token wins; without one, the CRM's live binding of the conversation.
    Raises CRMUnavailable when the CRM could not check the token (or be asked for a binding)."""
    claim = message_identity(tracker)
    if claim is not None and claim.get("unverified"):
        raise CRMUnavailable("the channel could not have the customer's token checked")
    if claim is not None:
        customer_id = claim.get("customer_id")
        if isinstance(customer_id, int) and not claim.get("rejected"):
            return Identity(customer_id)
        return Identity(None, token_rejected=True)
    return Identity(await crm.bound_customer(tracker.sender_id))
