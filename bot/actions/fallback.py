"""Not understood: ask to rephrase once; twice in a row, offer a person and show what works."""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.failures import HonestAction

FALLBACK_INTENT = "nlu_fallback"


def user_intents(events: List[Dict[str, Any]]) -> List[Optional[str]]:
    """The intent of every user message, oldest first."""
    return [((e.get("parse_data") or {}).get("intent") or {}).get("name")
            for e in events if e.get("event") == "user"]


def misunderstood_twice(events: List[Dict[str, Any]]) -> bool:
    """The latest two user messages were both not understood."""
    intents = user_intents(events)
    return len(intents) >= 2 and intents[-1] == intents[-2] == FALLBACK_INTENT


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
