"""Dialogue states computed once per conversation turn, not again for every prediction.

Before every prediction Rasa's rule and memoization policies ask the domain for the states of
the whole conversation (`Domain.states_for_tracker_history`): it replays every event of the
session into a fresh tracker and takes a state before each action, so each prediction costs
the length of the conversation again (a fifth of the Rasa process's time under load).

`install()` keeps, per conversation and kind of request, where the last computation stopped:
the events it had applied, the replayed tracker and the states so far, and the conversation's
applied events (`tracker.applied_events()`, itself a pass over every event, continued over the
new events only while no new loop name appears). When the conversation's applied events start
with those same events (the same objects: Rasa appends events, trackers copied from one another
share them), only the new events are replayed; otherwise (a rewind, a new session, another
conversation) everything is computed as Rasa does. The loop is Rasa 3.6's own, step for step,
and the caller gets its own copy of the states (policies edit them).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Hashable, Iterable, List, Optional, Tuple

from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import (ActionExecuted, ActionReverted, ActiveLoop, Event, Restarted,
                                     SessionStarted, UserUttered, UserUtteranceReverted)
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


@dataclass
class Applied:
    """A conversation's events as last seen, the applied ones among them, and its loops."""

    events: List[Event]
    applied: List[Event]
    loop_names: FrozenSet[str]


def _loop_names(events: Iterable[Event]) -> FrozenSet[str]:
    return frozenset(event.name for event in events if isinstance(event, ActiveLoop) and event.name)


def _apply(tracker: DialogueStateTracker, applied: List[Event], events: Iterable[Event],
           loop_names: FrozenSet[str]) -> List[Event]:
    """Rasa 3.6's `DialogueStateTracker.applied_events` loop over `events`, step for step,
    continued from `applied` (which it edits)."""
    for event in events:
        if isinstance(event, (Restarted, SessionStarted)):
            applied = []
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (isinstance(event, ActionExecuted) and event.action_name in loop_names
              and not tracker._first_loop_execution_or_unhappy_path(event.action_name,
                                                                    applied)):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)
    return applied


def _applied_events(domain: Domain, tracker: DialogueStateTracker) -> List[Event]:
    """`tracker.applied_events()`: kept per conversation, and when the conversation's events
    start with the ones last seen (the same objects) and name no loop they did not name (a
    loop's name changes how earlier events count), only the new events are applied."""
    last: "OrderedDict[str, Applied]" = domain.__dict__.setdefault(
        "_kefu_applied_events", OrderedDict())
    events = list(tracker.events)
    entry = last.get(tracker.sender_id)
    if entry is not None and _starts_with(events, entry.events):
        new = events[len(entry.events):]
        if not new:
            last.move_to_end(tracker.sender_id)
            return entry.applied
        if _loop_names(new) <= entry.loop_names:
            applied = _apply(tracker, list(entry.applied), new, entry.loop_names)
            last[tracker.sender_id] = Applied(events, applied, entry.loop_names)
            last.move_to_end(tracker.sender_id)
            return applied
    loop_names = _loop_names(events)
    applied = _apply(tracker, [], events, loop_names)
    last[tracker.sender_id] = Applied(events, applied, loop_names)
    last.move_to_end(tracker.sender_id)
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
