"""A tracker copied by its state (bot/tracker_copy.py) is what Rasa's replaying `copy()` gives:
every attribute, slot by slot, for every prefix of the project's conversations (with pauses,
reverts, restarts, loops and a model id set on the way); and the copy has its own slots, loop and
events, so changing it leaves the original as it was."""

import copy
import random
from typing import Any, Dict, List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, ActionReverted, ActiveLoop, BotUttered,
                                     ConversationPaused, ConversationResumed, FollowupAction,
                                     LoopInterrupted, Restarted, SlotSet, UserUttered,
                                     UserUtteranceReverted)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_copy import RASAS, copy_tracker

from .project_data import domain_and_conversations


@pytest.fixture(scope="module")
def project() -> Dict[str, Any]:
    domain, trackers = domain_and_conversations()
    return {"domain": domain, "trackers": trackers}


def _state(tracker: DialogueStateTracker) -> Dict[str, Any]:
    """Every attribute, slots as (kind, value, set or not), events as the objects themselves."""
    state = copy.deepcopy({name: value for name, value in vars(tracker).items()
                           if name not in ("slots", "events")})
    state["slots"] = {name: (type(slot), slot.value, slot.has_been_set)
                      for name, slot in tracker.slots.items()}
    state["events"] = [id(event) for event in tracker.events]
    state["maxlen"] = tracker.events.maxlen
    return state


def _extras(domain: Domain, rng: random.Random) -> List[Any]:
    slot = rng.choice(list(domain.slots)).name
    return rng.choice([
        [ConversationPaused()], [ConversationResumed()], [UserUtteranceReverted()],
        [ActionReverted()], [Restarted()], [FollowupAction("action_listen")],
        [ActiveLoop("complaint_form")], [LoopInterrupted(True)], [ActiveLoop(None)],
        [SlotSet(slot, "KF202611180009")], [SlotSet(slot, None)],
        [UserUttered("在吗", {"name": "greet", "confidence": 0.9}), ActionExecuted("utter_greet"),
         BotUttered("您好")],
    ])


def test_copies_are_rasas_for_every_prefix_of_the_projects_conversations(project) -> None:
    domain, rng = project["domain"], random.Random(5)
    compared = 0
    for number, story in enumerate(project["trackers"]):
        tracker = DialogueStateTracker(f"c{number}", domain.slots,
                                       max_event_history=None if number % 3 else 12)
        tracker.model_id, tracker.sender_source = "model-1", "rest"
        for event in story.events:
            for added in [event] + (_extras(domain, rng) if rng.random() < 0.3 else []):
                tracker.update(added)
                assert _state(copy_tracker(tracker)) == _state(RASAS(tracker))
                compared += 1
    assert compared > 300


def test_a_copy_changes_without_its_original(project) -> None:
    domain = project["domain"]
    tracker = DialogueStateTracker("own", domain.slots)
    for event in [ActionExecuted("action_listen"),
                  UserUttered("我要投诉", {"name": "complain", "confidence": 0.9}),
                  ActiveLoop("complaint_form"), ActionExecuted("complaint_form")]:
        tracker.update(event)
    before = _state(tracker)
    copied = copy_tracker(tracker)
    slot = next(iter(copied.slots))
    copied.slots[slot].value = "changed"
    copied.active_loop.rejected = True
    copied.latest_action["action_name"] = "changed"
    copied.update(LoopInterrupted(True))
    copied.update(ActionExecuted("utter_greet"))
    assert _state(tracker) == before
    assert len(tracker.events) == 4 and not tracker.active_loop.rejected
