"""A tracker copied by copying its state, not by replaying the whole conversation.

Rasa 3.6's `DialogueStateTracker.copy()` builds a fresh tracker and applies every event of the
conversation to it again; Rasa copies the tracker before every action it runs, so each action
cost the conversation's length again (about a twelfth of the Rasa process's time under load).
The state those events leave is the tracker's own, so `copy_tracker` copies it: the same event
objects in a new list, each slot copied as replay would leave it, the active loop and latest
action as new objects, and what replay starts afresh (the model id, the sender's source) left
unset as replay leaves it. Trackers of other classes (training) are still replayed.
"""

from __future__ import annotations

import copy
from collections import deque
from typing import Any, Iterable

from rasa.shared.constants import DEFAULT_SENDER_ID
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

RASAS = DialogueStateTracker.copy


def _one_of(value: Any, events: Iterable[Any]) -> bool:
    return any(event is value for event in events)


def copy_tracker(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """What `tracker.copy()` returns (a replay of its events into a fresh tracker)."""
    if type(tracker) is not DialogueStateTracker or type(tracker.slots) is not dict:
        return RASAS(tracker)
    new = DialogueStateTracker.__new__(DialogueStateTracker)
    new.__dict__.update(tracker.__dict__)
    new.sender_id = tracker.sender_id or DEFAULT_SENDER_ID
    new.sender_source = None
    new.model_id = None
    new.assistant_id = None
    new.events = deque(tracker.events, tracker._max_event_history)
    new.slots = {name: copy.copy(slot) for name, slot in tracker.slots.items()}
    new.latest_action = dict(tracker.latest_action) if tracker.latest_action is not None \
        else None
    new.active_loop = copy.copy(tracker.active_loop)
    # Replay shares the conversation's own events; an empty message is made afresh.
    if not _one_of(tracker.latest_message, reversed(tracker.events)):
        new.latest_message = UserUttered.empty()
    if not _one_of(tracker.latest_bot_utterance, reversed(tracker.events)):
        new.latest_bot_utterance = BotUttered.empty()
    return new


def install() -> None:
    """Make every plain tracker of this process copy this way."""
    DialogueStateTracker.copy = copy_tracker  # type: ignore[assignment]
