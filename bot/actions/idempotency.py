"""Idempotency keys: the same user message retried gives the same key, a new message a new one."""

from rasa_sdk import Tracker


def message_key(tracker: Tracker, *parts: object) -> str:
    """`<conversation>:<timestamp of the latest user message>:<parts>`."""
    event = tracker.get_last_event_for("user") or {}
    stamp = event.get("timestamp", "")
    return ":".join(str(p) for p in (tracker.sender_id, stamp, *parts))
