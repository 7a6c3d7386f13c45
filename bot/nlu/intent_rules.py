"""Shared base of the rule components that correct the classifier's intent after DIET."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


class IntentRule(GraphComponent):
    """A stateless, untrained component; subclasses decide per message in `process`."""

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "IntentRule":
        return cls(config)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "IntentRule":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        raise NotImplementedError


def set_top_intent(message: Message, intent: Dict[Text, Any]) -> None:
    """Make `intent` the message's intent and the head of its ranking.

    The other intents share what confidence is left, so the FallbackClassifier's ambiguity check
    does not undo the decision when the classifier was confident about something else.
    """
    rest = 1.0 - float(intent["confidence"])
    ranking = [{**r, "confidence": float(r.get("confidence") or 0.0) * rest}
               for r in message.get(INTENT_RANKING_KEY) or []
               if r.get(INTENT_NAME_KEY) != intent[INTENT_NAME_KEY]]
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)
