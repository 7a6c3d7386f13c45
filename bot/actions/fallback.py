"""Not understood: ask to rephrase once; twice in a row, offer a person and show what works.

"Twice" counts the message before as not understood too when the model only guessed at it (low
confidence), whatever it guessed: a customer who was vague twice gets a person offered."""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.failures import HonestAction

FALLBACK_INTENT = "nlu_fallback"


# Below this confidence the model's intent was a guess (the FallbackClassifier's own bar is lower).
GUESS_BELOW = 0.6


def user_intents(events: List[Dict[str, Any]]) -> List[Optional[str]]:
    """The intent of every user message, oldest first."""
    return [((e.get("parse_data") or {}).get("intent") or {}).get("name")
            for e in events if e.get("event") == "user"]


def _not_understood(event: Dict[str, Any]) -> bool:
    intent = (event.get("parse_data") or {}).get("intent") or {}
    confidence = intent.get("confidence")
    return intent.get("name") == FALLBACK_INTENT or (
        isinstance(confidence, (int, float)) and confidence < GUESS_BELOW)


def misunderstood_twice(events: List[Dict[str, Any]]) -> bool:
    """The latest user message was not understood, and the one before was not either (or was
    only guessed at)."""
    users = [e for e in events if e.get("event") == "user"]
    intents = user_intents(users)
    return len(users) >= 2 and intents[-1] == FALLBACK_INTENT and _not_understood(users[-2])


class ActionFallback(HonestAction, Action):
    def name(self) -> Text:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if misunderstood_twice(tracker.events):
            dispatcher.utter_message(response="utter_fallback_offer_person")
        else:
            dispatcher.utter_message(response="utter_fallback_rephrase")
        return []
