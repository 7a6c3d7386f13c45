"""Idempotency keys fit the CRM's limit whatever the conversation id's length."""

from rasa_sdk import Tracker

from bot.actions.idempotency import MAX_KEY_CHARS, bounded_key, message_key


def _tracker(sender: str, stamp: float) -> Tracker:
    events = [{"event": "user", "timestamp": stamp, "text": "转人工"}]
    return Tracker(sender, {}, {}, events, False, None, {}, "action_listen")


def test_a_short_key_is_readable_as_it_was() -> None:
    assert message_key(_tracker("abc", 1.5), "handoff", "x") == "abc:1.5:handoff:x"


def test_a_long_conversation_id_gives_a_bounded_stable_key() -> None:
    sender = "w" * 128
    first = message_key(_tracker(sender, 1700000000.123456), "handoff", "TS202612010001")
    again = message_key(_tracker(sender, 1700000000.123456), "handoff", "TS202612010001")
    later = message_key(_tracker(sender, 1700000001.0), "handoff", "TS202612010001")
    other = message_key(_tracker("v" + sender[1:], 1700000000.123456), "handoff", "TS202612010001")
    assert len(first) <= MAX_KEY_CHARS
    assert first == again
    assert len({first, later, other}) == 3


def test_a_key_exactly_at_the_limit_is_kept() -> None:
    key = bounded_key("a" * 96, "abc")
    assert key == "a" * 96 + ":abc" and len(key) == MAX_KEY_CHARS
    assert bounded_key("a" * 97, "abc").startswith("sha256:")
