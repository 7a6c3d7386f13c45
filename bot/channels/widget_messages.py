"""What the web widget is sent, as plain functions: one bot reply in the widget's shape, and a
conversation's history rebuilt from its tracker events (the server's record, so a reload or a
new page shows the same conversation as the last one)."""

import re
from typing import Any, Dict, Iterable, List, Mapping, Optional

from crm_backend.core.vocabulary import PERSON_KEY


# The user events Rasa writes for intents the CRM triggers (follow-ups): not the customer's words.
EXTERNAL_TEXT_PREFIX = "EXTERNAL: "

HISTORY_LIMIT = 200

MAX_MESSAGE_ID_CHARS = 64

_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def valid_session_id(value: Any) -> bool:
    """A session id the widget may ask for (its own uuid; anything else gets a new session)."""
    return isinstance(value, str) and bool(_SESSION_ID.match(value))


def valid_message_id(value: Any) -> bool:
    """A client message id usable as a dedupe key (a uuid, with or without dashes)."""
    return isinstance(value, str) and bool(_MESSAGE_ID.match(value))


def _buttons(message: Mapping[str, Any]) -> List[Dict[str, str]]:
    raw = message.get("buttons") or message.get("quick_replies") or []
    buttons = []
    for button in raw if isinstance(raw, list) else []:
        if isinstance(button, Mapping) and button.get("title") and button.get("payload"):
            buttons.append({"title": str(button["title"]), "payload": str(button["payload"])})
    return buttons


def _person(message: Mapping[str, Any]) -> Optional[Dict[str, str]]:
    person = message.get(PERSON_KEY)
    if not isinstance(person, Mapping):
        return None
    return {"name": str(person.get("name") or "客服")}


def widget_message(message: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """One reply as the widget renders it (`text`, `buttons`, `image`, `person`), from a Rasa
    response dict (data and metadata merged, as `BotUttered.message()` gives); None when it
    carries nothing the widget can show."""
    custom = message.get("custom")
    text = message.get("text")
    if not text and isinstance(custom, Mapping):
        text = custom.get("text")
    shown: Dict[str, Any] = {}
    if isinstance(text, str) and text.strip():
        shown["text"] = text
    buttons = _buttons(message)
    if buttons:
        shown["buttons"] = buttons
    image = message.get("image")
    if isinstance(image, str) and image.startswith(("https://", "http://")):
        shown["image"] = image
    if not shown:
        return None
    person = _person(message)
    if person is not None:
        shown["person"] = person
    return shown


def _shown_user_text(text: str, offered: List[Dict[str, str]]) -> str:
    """A tapped button's title instead of its payload."""
    for button in offered:
        if button["payload"] == text:
            return button["title"]
    return text


def history(events: Iterable[Mapping[str, Any]], limit: int = HISTORY_LIMIT) -> List[Dict[str, Any]]:
    """The customer-visible messages of a conversation, oldest first (at most `limit`): the
    customer's own words (a tapped button as its title), the bot's replies and a person's."""
    messages: List[Dict[str, Any]] = []
    offered: List[Dict[str, str]] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            text = event.get("text")
            metadata = event.get("metadata") or {}
            if (not isinstance(text, str) or not text or text.startswith(EXTERNAL_TEXT_PREFIX)
                    or (isinstance(metadata, Mapping) and metadata.get("is_external"))):
                continue
            entry: Dict[str, Any] = {"role": "user", "text": _shown_user_text(text, offered)}
            if event.get("message_id"):
                entry["message_id"] = str(event["message_id"])
            messages.append(_at(entry, event))
            offered = []
        elif kind == "bot":
            merged = {**(event.get("data") or {}), **(event.get("metadata") or {}),
                      "text": event.get("text")}
            shown = widget_message(merged)
            if shown is None:
                continue
            offered = shown.get("buttons") or offered
            role = "person" if "person" in shown else "bot"
            entry = {"role": role, **{k: v for k, v in shown.items() if k != "person"}}
            if role == "person":
                entry["name"] = shown["person"]["name"]
            messages.append(_at(entry, event))
    return messages[-limit:]


def _at(entry: Dict[str, Any], event: Mapping[str, Any]) -> Dict[str, Any]:
    timestamp = event.get("timestamp")
    if isinstance(timestamp, (int, float)):
        entry["at"] = int(timestamp)
    return entry


def has_message(events: Iterable[Mapping[str, Any]], message_id: str) -> bool:
    """Whether the conversation already holds the customer message with this client id."""
    return any(e.get("event") == "user" and e.get("message_id") == message_id for e in events)
