"""Dialogue states from the kept progress (bot/dialogue_states.py) equal Rasa's own, computed on
the project's stories and rules as conversations that grow event by event, for every kind of
request the policies make; also after a rewind and for conversations taking turns."""

import random
from typing import Any, Dict, List, Optional

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, ActionReverted, ActiveLoop, Restarted,
                                     UserUtteranceReverted)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.dialogue_states import _applied_events, states_for_tracker_history

from .project_data import domain_and_conversations

RASAS = Domain.states_for_tracker_history


@pytest.fixture(scope="module")
def project() -> Dict[str, Any]:
    domain, trackers = domain_and_conversations()
    rule_only = {"slots": ["pending_confirmation"], "active_loops": ["complaint_form"]}
    return {"domain": domain, "trackers": trackers, "rule_only": rule_only}


KINDS = [(False, False, None), (True, False, None), (False, True, "rule_only"),
         (True, True, "rule_only")]


def _grown(tracker: DialogueStateTracker, sender: str, length: int) -> DialogueStateTracker:
    """The conversation as it stood after `length` events (the same event objects)."""
    events = list(tracker.events)[:length]
    grown = DialogueStateTracker(sender, tracker.slots.values(), is_rule_tracker=False)
    for event in events:
        grown.update(event)
    return grown


def _both(domain: Domain, tracker: DialogueStateTracker, omit: bool, ignore: bool,
          rule_only: Optional[Dict[str, Any]]) -> List[Any]:
    ours = states_for_tracker_history(domain, tracker, omit, ignore, rule_only)
    theirs = RASAS(domain, tracker, omit, ignore, rule_only)
    return [ours, theirs]


def test_growing_conversations_get_rasas_states(project) -> None:
    domain, trackers = project["domain"], project["trackers"]
    assert len(trackers) > 50
    compared = 0
    for number, story in enumerate(trackers):
        for omit, ignore, rule_only in KINDS:
            data = project[rule_only] if rule_only else None
            for length in range(1, len(story.events) + 1):
                ours, theirs = _both(domain, _grown(story, f"c{number}", length), omit, ignore,
                                     data)
                assert ours == theirs, (story.sender_id, length, omit, ignore)
                compared += 1
    assert compared > 1000


def test_rewinds_and_interleaved_conversations_get_rasas_states(project) -> None:
    domain, trackers = project["domain"], project["trackers"]
    rng = random.Random(7)
    stories = [t for t in trackers if len(t.events) > 6][:40]
    for _ in range(600):
        number = rng.randrange(len(stories))
        story = stories[number]
        tracker = _grown(story, f"mix{number}", rng.randrange(1, len(story.events) + 1))
        if rng.random() < 0.2:
            tracker.update(UserUtteranceReverted())
        omit, ignore, rule_only = rng.choice(KINDS)
        ours, theirs = _both(domain, tracker, omit, ignore, project[rule_only] if rule_only
                             else None)
        assert ours == theirs


def test_the_caller_may_edit_its_states(project) -> None:
    domain, story = project["domain"], max(project["trackers"], key=lambda t: len(t.events))
    tracker = _grown(story, "edited", len(story.events))
    first = states_for_tracker_history(domain, tracker)
    for state in first:
        for sub_state in state.values():
            sub_state.clear()
    assert states_for_tracker_history(domain, tracker) == RASAS(domain, tracker)


def test_applied_events_grown_event_by_event_are_rasas(project) -> None:
    """Also with reverts, restarts, and a loop whose name first appears after it ran (which
    changes how its earlier runs count); and an answer once given never changes afterwards."""
    domain, trackers = project["domain"], project["trackers"]
    rng = random.Random(3)

    def loop_run() -> List[Any]:
        name = f"loop_{rng.randrange(4)}"
        return [ActionExecuted(name), ActionExecuted(name)]

    extras = [lambda: [UserUtteranceReverted()], lambda: [ActionReverted()], lambda: [Restarted()],
              lambda: [ActiveLoop(f"loop_{rng.randrange(4)}")], lambda: [ActiveLoop(None)],
              loop_run, loop_run]
    compared = 0
    for number, story in enumerate(trackers[:60]):
        tracker = DialogueStateTracker(f"applied{number}", story.slots.values())
        given = []
        for event in story.events:
            events = [event] + (rng.choice(extras)() if rng.random() < 0.3 else [])
            for added in events:
                tracker.update(added)
                ours = _applied_events(domain, tracker)
                expected = tracker.applied_events()
                assert ours == expected
                given.append((ours, list(expected)))
                compared += 1
        assert all(ours == expected for ours, expected in given)
    assert compared > 300
