"""Not understood: ask to rephrase once; twice in a row, offer a person and show what works.

"Twice" counts a message the model only guessed at (low confidence) as not understood, whatever
it guessed: a customer who was vague twice gets a person offered (bot/dialogue/vague_twice.py
brings a second guess here even when the NLU did not give up on it)."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.failures import HonestAction
from bot.vagueness import vague_twice


class ActionFallback(HonestAction, Action):
    def name(self) -> Text:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if vague_twice(tracker.events):
            dispatcher.utter_message(response="utter_fallback_offer_person")
        else:
            dispatcher.utter_message(response="utter_fallback_rephrase")
        return []
