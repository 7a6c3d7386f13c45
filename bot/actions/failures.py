"""Every action ends in a sentence the customer can act on, whatever fails underneath.

A CRM that cannot be reached, a CRM that refuses, or a bug would otherwise make rasa-sdk answer
500 and the customer get no reply at all. `HonestAction` wraps the `run` of every action and form
validator: the failure is logged and the customer told what happened and what to do.
"""

import functools
import logging
from typing import Any, Awaitable, Callable, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.crm_client import CRMRejected, CRMUnavailable

logger = logging.getLogger(__name__)

Run = Callable[[Any, CollectingDispatcher, Tracker, Dict[Text, Any]], Awaitable[List[Dict]]]


def honest(run: Run) -> Run:
    """`run`, but a failure becomes an honest reply instead of silence."""

    @functools.wraps(run)
    async def wrapped(self: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: Dict[Text, Any]) -> List[Dict]:
        try:
            return await run(self, dispatcher, tracker, domain)
        except CRMUnavailable:
            logger.exception("CRM unavailable in %s", self.name())
            dispatcher.utter_message(response="utter_crm_unavailable")
        except CRMRejected as rejected:
            logger.warning("CRM refused %s: %s", self.name(), rejected)
            if rejected.message:
                dispatcher.utter_message(text=rejected.message)
            else:
                dispatcher.utter_message(response="utter_request_refused")
        except Exception:
            logger.exception("action %s failed", self.name())
            dispatcher.utter_message(response="utter_action_failed")
        return []

    return wrapped


class HonestAction:
    """Mixin, listed before rasa-sdk's Action or FormValidationAction: its own `run` and every
    subclass's `run` end in a sentence when something fails."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "run" in cls.__dict__:
            cls.run = honest(cls.__dict__["run"])

    @honest
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict]:
        return await super().run(dispatcher, tracker, domain)  # type: ignore[misc]
