"""The customer's own words of the request an action answers, even a few turns later."""

from typing import Any, Dict, Optional

from rasa_sdk import Tracker


def _intent(event: Dict[str, Any]) -> Optional[str]:
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def request_text(tracker: Tracker, intent: str) -> str:
    """The latest typed message (not a button payload) classified as `intent`: after a "which
    order?" button or an identity check the latest message is something else."""
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        text = event.get("text") or ""
        if _intent(event) == intent and not text.startswith("/"):
            return text
    return ""
