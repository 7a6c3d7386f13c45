"""When a customer's message was not understood: the NLU gave up (nlu_fallback), or its intent was
only a guess. Plain functions over Rasa's event dicts, shared by the dialogue policy that offers a
person after two vague messages (Rasa process) and the fallback action (action server)."""

from typing import Any, Dict, List

FALLBACK_INTENT = "nlu_fallback"


# Below this confidence the model's intent was a guess (the FallbackClassifier's own bar is lower).
GUESS_BELOW = 0.6


def not_understood(event: Dict[str, Any]) -> bool:
    """A user event the NLU gave up on or only guessed at (a tapped button is never a guess)."""
    intent = (event.get("parse_data") or {}).get("intent") or {}
    confidence = intent.get("confidence")
    return intent.get("name") == FALLBACK_INTENT or (
        isinstance(confidence, (int, float)) and confidence < GUESS_BELOW)


def user_events(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [e for e in events if e.get("event") == "user"]


def vague_twice(events: List[Dict[str, Any]]) -> bool:
    """The latest user message and the one before were both not understood, whatever the
    model guessed for either."""
    users = user_events(events)
    return len(users) >= 2 and not_understood(users[-1]) and not_understood(users[-2])
