"""Idempotency keys: the same user message retried gives the same key, a new message a new one.

The CRM takes keys of at most `MAX_KEY_CHARS` characters; a conversation id may be up to 128, so
a key that would be longer is replaced by a digest of itself (the same input, the same digest)."""

import hashlib

from rasa_sdk import Tracker

MAX_KEY_CHARS = 100


def bounded_key(*parts: object) -> str:
    """The parts joined with `:`; a `sha256:` digest of that text when it is too long."""
    key = ":".join(str(p) for p in parts)
    if len(key) <= MAX_KEY_CHARS:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def message_key(tracker: Tracker, *parts: object) -> str:
    """`<conversation>:<timestamp of the latest user message>:<parts>`, bounded."""
    event = tracker.get_last_event_for("user") or {}
    stamp = event.get("timestamp", "")
    return bounded_key(tracker.sender_id, stamp, *parts)
