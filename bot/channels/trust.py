"""What a customer channel lets through to Rasa, as plain rules: which messages are refused, and
which metadata keys only the channel may write (the client's address and whose signed token came
with the message; the token itself is never stored)."""

from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional

TOKEN_KEY = "customer_token"

# Written by the channel only; a client sending them has them dropped.
IDENTITY_KEY = "kefu_identity"
SOURCE_KEY = "kefu_source"
RESERVED_KEYS = (TOKEN_KEY, IDENTITY_KEY, SOURCE_KEY, "is_external")

# Intents only the CRM may trigger (through Rasa's authenticated HTTP API).
EXTERNAL_PREFIX = "/external_"

MAX_SENDER_CHARS = 128


@dataclass(frozen=True)
class Refusal:
    """Why a message is not passed to Rasa: a code for clients and the domain.yml response."""

    code: str
    response: str
    status: int


TOO_LONG = Refusal("message_too_long", "utter_message_too_long", 413)
NO_SENDER = Refusal("sender_required", "utter_sender_required", 400)
NO_TEXT = Refusal("message_required", "utter_message_required", 400)
RESERVED = Refusal("reserved_intent", "utter_reserved_intent", 400)


def refusal(sender: Any, text: Any, max_chars: int) -> Optional[Refusal]:
    """The reason to refuse this message, or None when it may go to Rasa."""
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        return NO_SENDER
    if not isinstance(text, str) or not text.strip():
        return NO_TEXT
    if len(text) > max_chars:
        return TOO_LONG
    if text.lstrip().lower().startswith(EXTERNAL_PREFIX):
        return RESERVED
    return None


# The claim when the CRM could not be asked about a token: actions say the system is busy.
UNVERIFIED = {"unverified": True}
REJECTED = {"rejected": True}


def presented_token(raw: Any) -> Optional[Any]:
    """The token field the client sent with the message (possibly malformed), else None."""
    return raw.get(TOKEN_KEY) if isinstance(raw, dict) else None


def trusted_metadata(raw: Any, source: Optional[str],
                     claim: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """The client's metadata without the reserved keys, plus what the channel vouches for: the
    client's address and, when a token came with the message, whose it is per the CRM (the token
    itself is dropped, so it never reaches the tracker or a log)."""
    given: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
    metadata = {key: value for key, value in given.items() if key not in RESERVED_KEYS}
    if source:
        metadata[SOURCE_KEY] = source
    if claim is not None:
        metadata[IDENTITY_KEY] = claim
    return metadata
