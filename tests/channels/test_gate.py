"""The channel gate's rules and its duplicate handling, without a Rasa server."""

import asyncio

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from bot.channels import trust
from bot.channels.gate import Gate, GateConfig, lost_action

GATE = Gate(GateConfig(crm_url="http://127.0.0.1:9", crm_service_token="t"))


@pytest.mark.parametrize("sender, text, code", [
    (None, "你好", "sender_required"),
    ("   ", "你好", "sender_required"),
    ("s" * 129, "你好", "sender_required"),
    ("a", None, "message_required"),
    ("a", "  ", "message_required"),
    ("a", 42, "message_required"),
    ("a", "长" * 2001, "message_too_long"),
    ("a", '/EXTERNAL_follow_up{"complaint_no":"TS1"}', "reserved_intent"),
    ("a", '  /external_winback_follow_up', "reserved_intent"),
])
def test_refusals(sender, text, code) -> None:
    refused = GATE.refusal(sender, text)
    assert refused is not None and refused.code == code


@pytest.mark.parametrize("text", ["你好", "长" * 2000, '/affirm', '/inform{"order_no":"KF1"}',
                                  "EXTERNAL_follow_up 是什么"])
def test_ordinary_messages_pass(text) -> None:
    assert GATE.refusal("a", text) is None


def test_only_the_channel_writes_trust_keys() -> None:
    raw = {"customer_token": "t", "kefu_identity": {"customer_id": 1}, "kefu_source": "x",
           "is_external": True, "page": "/shop"}
    metadata = trust.trusted_metadata(raw, "10.0.0.1", {"customer_id": 7})
    assert metadata == {"page": "/shop", "kefu_source": "10.0.0.1",
                        "kefu_identity": {"customer_id": 7}}
    assert trust.trusted_metadata(raw, None, None) == {"page": "/shop"}
    assert trust.trusted_metadata(["not", "a", "dict"], None, None) == {}


def test_lost_action_is_the_custom_action_that_left_nothing() -> None:
    custom = {"action_complaint_record", "complaint_form"}
    user = UserUttered("好的")
    lost = [user, ActionExecuted("action_complaint_record"), ActionExecuted("action_listen")]
    assert lost_action(lost, custom) == "action_complaint_record"
    done = [user, ActionExecuted("action_complaint_record"), BotUttered("已为您登记"),
            SlotSet("complaint_number", "TS1"), ActionExecuted("action_listen")]
    assert lost_action(done, custom) is None
    builtin = [user, ActionExecuted("utter_greet"), ActionExecuted("action_listen")]
    assert lost_action(builtin, custom) is None
    assert lost_action([user], custom) is None


async def test_identical_messages_in_flight_are_handled_once() -> None:
    gate = Gate(GateConfig(crm_url="http://127.0.0.1:9", crm_service_token="t"))
    calls = []

    async def handle():
        calls.append(1)
        number = len(calls)
        await asyncio.sleep(0.05)
        return [{"text": f"reply {number}"}]

    first, second = await asyncio.gather(gate.once(("s", "没了"), handle),
                                         gate.once(("s", "没了"), handle))
    assert first == second == [{"text": "reply 1"}] and len(calls) == 1
    assert await gate.once(("s", "没了"), handle) == [{"text": "reply 2"}]
    other = await asyncio.gather(gate.once(("s", "好的"), handle), gate.once(("t", "好的"), handle))
    assert len(calls) == 4 and other[0] != other[1]


async def test_turns_beyond_the_limit_wait_and_are_all_answered() -> None:
    """At most `turns_at_once` Rasa turns run together; the rest wait their turn, none is lost."""
    from types import SimpleNamespace

    from rasa.core.lock_store import InMemoryLockStore
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain

    gate = Gate(GateConfig(crm_url="http://127.0.0.1:9", crm_service_token="t", turns_at_once=2))
    agent = SimpleNamespace(lock_store=InMemoryLockStore(),
                            tracker_store=InMemoryTrackerStore(Domain.empty()))
    running, most = 0, 0

    def run_for(number: int):
        async def run(_metadata):
            nonlocal running, most
            running += 1
            most = max(most, running)
            await asyncio.sleep(0.05)
            running -= 1
            return [{"text": f"reply {number}"}]
        return run

    try:
        replies = await asyncio.gather(*(gate.turn(agent, f"s{n}", "rest", "你好", None,
                                                   run_for(n)) for n in range(6)))
    finally:
        await gate.close()
    assert most == 2
    assert replies == [[{"text": f"reply {n}"}] for n in range(6)]


def test_turns_at_once_comes_from_the_credentials() -> None:
    given = {"crm_url": "http://crm", "crm_service_token": "t"}
    assert GateConfig.from_credentials(given).turns_at_once == 4
    assert GateConfig.from_credentials({**given, "turns_at_once": 8}).turns_at_once == 8
    assert GateConfig.from_credentials({**given, "turns_at_once": 0}).turns_at_once == 1
