"""Dialogue states computed once per conversation turn, not again for every prediction.

Before every prediction Rasa's rule and memoization policies ask the domain for the states of
the whole conversation (`Domain.states_for_tracker_history`): it replays every event of the
session into a fresh tracker and takes a state before each action, so each prediction costs
the length of the conversation again (a fifth of the Rasa process's time under load).

`install()` keeps, per conversation and kind of request, where the last computation stopped:
the events it had applied, the replayed tracker and the states so far (and the applied events
of the tracker last asked about). When the conversation's applied events start with those same
events (the same objects: Rasa appends events, trackers copied from one another share them), only
the new events are replayed; otherwise (a rewind, a new session, another conversation)
everything is computed as Rasa does. The loop is Rasa 3.6's
own, step for step, and the caller gets its own copy of the states (policies edit them).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Dict, Hashable, List, Optional, Tuple

from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

# Conversations (times kinds of request) whose progress is kept per domain.
MAX_KEPT = 2000


@dataclass
class Progress:
    """States of a conversation's applied events up to `len(events)`, and how the loop stood."""

    events: List[Event]
    replay: DialogueStateTracker
    states: List[State] = field(default_factory=list)
    last_ml_action_sub_state: Any = None
    turn_was_hidden: bool = False


def _step(domain: Domain, progress: Progress, tracker: DialogueStateTracker, hide_rule_turn: bool,
          omit_unset_slots: bool, ignore_rule_only_turns: bool,
          rule_only_data: Optional[Dict[str, Any]]) -> None:
    """One pass of Rasa's loop in `Domain.states_for_tracker_history` for a prior tracker."""
    if ignore_rule_only_turns:
        if not progress.turn_was_hidden:
            progress.last_ml_action_sub_state = domain._get_prev_action_sub_state(tracker)
        if not tracker.followup_action and not tracker.latest_action_name == \
                tracker.active_loop_name:
            progress.turn_was_hidden = hide_rule_turn
        if progress.turn_was_hidden:
            return
    state = domain.get_active_state(tracker, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if progress.states:
            domain._substitute_rule_only_user_input(state, progress.states[-1])
        if progress.last_ml_action_sub_state:
            state[PREVIOUS_ACTION] = progress.last_ml_action_sub_state
    progress.states.append(domain._clean_state(state))


def _copy_states(states: List[State]) -> List[State]:
    return [{kind: dict(sub_state) for kind, sub_state in state.items()} for state in states]


def _starts_with(events: List[Event], prefix: List[Event]) -> bool:
    return len(events) >= len(prefix) and all(a is b for a, b in zip(events, prefix))


def _applied_events(domain: Domain, tracker: DialogueStateTracker) -> List[Event]:
    """`tracker.applied_events()`, computed once for the same events (the rule policy, asked
    twice, and the memoization policy all ask for the same tracker's states)."""
    last: "OrderedDict[str, Tuple[List[Event], List[Event]]]" = domain.__dict__.setdefault(
        "_kefu_applied_events", OrderedDict())
    events = tracker.events
    entry = last.get(tracker.sender_id)
    if entry is not None and len(entry[0]) == len(events) and _starts_with(events, entry[0]):
        last.move_to_end(tracker.sender_id)
        return entry[1]
    applied = tracker.applied_events()
    last[tracker.sender_id] = (list(events), applied)
    while len(last) > MAX_KEPT:
        last.popitem(last=False)
    return applied


def states_for_tracker_history(domain: Domain, tracker: DialogueStateTracker,
                               omit_unset_slots: bool = False,
                               ignore_rule_only_turns: bool = False,
                               rule_only_data: Optional[Dict[str, Any]] = None) -> List[State]:
    """What Rasa's `Domain.states_for_tracker_history` returns, from the kept progress."""
    kept: "OrderedDict[Hashable, Tuple[Any, Progress]]" = domain.__dict__.setdefault(
        "_kefu_state_progress", OrderedDict())
    key = (tracker.sender_id, tracker.is_rule_tracker, omit_unset_slots, ignore_rule_only_turns)
    applied = _applied_events(domain, tracker)
    entry = kept.get(key)
    if entry is not None and entry[0] == rule_only_data and _starts_with(applied, entry[1].events):
        progress = entry[1]
        kept.move_to_end(key)
    else:
        progress = Progress(events=[], replay=tracker.init_copy())
        kept[key] = (rule_only_data, progress)
        while len(kept) > MAX_KEPT:
            kept.popitem(last=False)
    for event in applied[len(progress.events):]:
        if isinstance(event, ActionExecuted):
            _step(domain, progress, progress.replay, event.hide_rule_turn, omit_unset_slots,
                  ignore_rule_only_turns, rule_only_data)
        progress.replay.update(event)
        progress.events.append(event)
    final = Progress(events=progress.events, replay=progress.replay,
                     states=list(progress.states),
                     last_ml_action_sub_state=progress.last_ml_action_sub_state,
                     turn_was_hidden=progress.turn_was_hidden)
    _step(domain, final, progress.replay, False, omit_unset_slots, ignore_rule_only_turns,
          rule_only_data)
    return _copy_states(final.states)


def install() -> None:
    """Make every domain of this process compute dialogue states from the kept progress."""
    Domain.states_for_tracker_history = states_for_tracker_history  # type: ignore[assignment]
