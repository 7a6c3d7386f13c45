"""KefuTrackerStore against real databases: what Rasa's own SQLTrackerStore reads back from the
same table is what Kefu's store returns, with several stores (Rasa servers) on one database and
after a restart; SQLite and PostgreSQL (skipped when 127.0.0.1:5432 is unreachable)."""

import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List

import psycopg2
import pytest
from rasa.core.agent import Agent
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, BotUttered, ConversationPaused, Event,
                                     SessionStarted, SlotSet, UserUttered)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.gate import resume_if_paused, wrapped_store
from bot.stores.tracker import KefuTrackerStore

REPO = Path(__file__).resolve().parents[2]
PG_ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO / "domain.yml"))


def _pg_admin(sql: str) -> None:
    conn = psycopg2.connect(PG_ADMIN_DSN)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_args(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Dict[str, Any]]:
    """How endpoints.yml would configure a store on a fresh database of each kind."""
    if request.param == "sqlite":
        yield {"dialect": "sqlite", "db": str(tmp_path / "tracker.sqlite3")}
        return
    name = f"kefu_tracker_test_{uuid.uuid4().hex[:12]}"
    try:
        _pg_admin(f'CREATE DATABASE "{name}"')
    except psycopg2.OperationalError as exc:
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is unreachable: {exc}")
    stores: List[Any] = []
    yield {"dialect": "postgresql", "host": "127.0.0.1", "port": 5432, "db": name,
           "username": "postgres", "_stores": stores}
    for store in stores:
        store.engine.dispose()
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def kefu_store(domain: Domain, store_args: Dict[str, Any], **extra: Any) -> KefuTrackerStore:
    args = {k: v for k, v in store_args.items() if k != "_stores"}
    store = KefuTrackerStore(domain=domain, **args, **extra)
    store_args.get("_stores", []).append(store)
    return store


def rasa_store(domain: Domain, store_args: Dict[str, Any]) -> SQLTrackerStore:
    args = {k: v for k, v in store_args.items() if k != "_stores"}
    store = SQLTrackerStore(domain=domain, **args)
    store_args.get("_stores", []).append(store)
    return store


def turn(text: str, intent: str, reply: str, at: float) -> List[Event]:
    """A customer's message and the bot's answer, as Rasa logs them."""
    return [UserUttered(text, {"name": intent, "confidence": 0.97}, timestamp=at),
            ActionExecuted("utter_greet", timestamp=at + 0.1),
            BotUttered(reply, timestamp=at + 0.2),
            ActionExecuted("action_listen", timestamp=at + 0.3)]


def session_start(at: float) -> List[Event]:
    return [ActionExecuted("action_session_start", timestamp=at),
            SessionStarted(timestamp=at + 0.01),
            ActionExecuted("action_listen", timestamp=at + 0.02)]


def dumped(tracker: DialogueStateTracker) -> List[Dict[str, Any]]:
    return [event.as_dict() for event in tracker.events]


async def new_conversation(store: Any, sender: str, at: float) -> DialogueStateTracker:
    """What Rasa does for a first message: an empty tracker saved, then the session started."""
    tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
    for event in session_start(at):
        tracker.update(event)
    return tracker


async def test_round_trip_matches_rasas_own_store_and_survives_a_restart(domain, store_args):
    sender = f"s-{uuid.uuid4().hex[:8]}"
    store = kefu_store(domain, store_args)
    tracker = await new_conversation(store, sender, 1000.0)
    for event in turn("我的快递到哪了", "ask_order_status", "您的包裹已发货", 1001.0):
        tracker.update(event)
    tracker.update(SlotSet("order_no", "KF202611180009", timestamp=1001.5))
    await store.save(tracker)

    expected = dumped(await rasa_store(domain, store_args).retrieve(sender))
    assert expected == dumped(tracker)[1:]  # Rasa reads from `session_started` on
    read = await store.retrieve(sender)
    assert dumped(read) == expected
    assert read.get_slot("order_no") == "KF202611180009"
    assert read.latest_message.text == "我的快递到哪了"
    assert dumped(await store.retrieve(sender)) == expected  # from memory this time

    restarted = kefu_store(domain, store_args)
    assert dumped(await restarted.retrieve(sender)) == expected


async def test_each_save_appends_only_the_new_events(domain, store_args):
    sender = f"s-{uuid.uuid4().hex[:8]}"
    store = kefu_store(domain, store_args)
    tracker = await new_conversation(store, sender, 2000.0)
    await store.save(tracker)
    for index in range(5):
        tracker = await store.retrieve(sender)
        for event in turn(f"第{index}个问题", "greet", f"回答{index}", 2001.0 + index):
            tracker.update(event)
        await store.save(tracker)

    rasa = rasa_store(domain, store_args)
    full = await rasa.retrieve_full_tracker(sender)
    assert len(full.events) == 3 + 5 * 4  # no event stored twice
    assert dumped(await store.retrieve(sender)) == dumped(await rasa.retrieve(sender))
    assert [e.text for e in full.events if isinstance(e, BotUttered)] == \
        [f"回答{i}" for i in range(5)]


async def test_events_added_after_a_save_never_come_back_unsaved(domain, store_args):
    """The store keeps the tracker it saved (no copy): events its owner adds afterwards without
    saving are not what the next retrieve returns, and the conversation goes on from what was
    stored."""
    sender = f"s-{uuid.uuid4().hex[:8]}"
    store = kefu_store(domain, store_args)
    tracker = await new_conversation(store, sender, 2500.0)
    for event in turn("在吗", "greet", "您好", 2501.0):
        tracker.update(event)
    await store.save(tracker)
    saved = dumped(tracker)[1:]
    for event in turn("还没保存", "greet", "这句不在库里", 2502.0):
        tracker.update(event)
    assert dumped(await store.retrieve(sender)) == saved
    again = await store.retrieve(sender)
    for event in turn("现在保存", "greet", "好的", 2503.0):
        again.update(event)
    await store.save(again)
    rasa = rasa_store(domain, store_args)
    assert dumped(await store.retrieve(sender)) == dumped(await rasa.retrieve(sender))
    assert dumped(await rasa.retrieve(sender)) == saved + dumped(again)[len(saved):]
    assert "这句不在库里" not in str(dumped(await rasa.retrieve_full_tracker(sender)))


async def test_whether_a_conversation_is_paused_is_told_from_memory_or_the_database(
        domain, store_args):
    sender = f"s-{uuid.uuid4().hex[:8]}"
    store, other = kefu_store(domain, store_args), kefu_store(domain, store_args)
    assert not await store.is_paused(sender)
    tracker = await new_conversation(store, sender, 2700.0)
    await store.save(tracker)
    assert not await store.is_paused(sender) and not await other.is_paused(sender)
    paused = await other.retrieve(sender)
    paused.update(ConversationPaused(timestamp=2701.0))
    await other.save(paused)
    assert await other.is_paused(sender) and await store.is_paused(sender)
    assert await kefu_store(domain, store_args).is_paused(sender)


class CountingStore(KefuTrackerStore):
    """Kefu's store, counting the trackers it hands out whole."""

    retrieved = 0

    async def retrieve(self, sender_id: str) -> Any:
        self.retrieved += 1
        return await super().retrieve(sender_id)


async def test_the_gate_asks_the_store_inside_rasas_wrapper_whether_a_conversation_is_paused(
        domain, store_args):
    sender = f"s-{uuid.uuid4().hex[:8]}"
    args = {k: v for k, v in store_args.items() if k != "_stores"}
    store = CountingStore(domain=domain, **args)
    store_args.get("_stores", []).append(store)
    agent = Agent(domain=domain, tracker_store=store, lock_store=InMemoryLockStore())
    assert wrapped_store(agent.tracker_store) is store
    await store.save(await new_conversation(store, sender, 2800.0))
    tracker = await store.retrieve(sender)
    for event in turn("你好", "greet", "您好", 2800.5):
        tracker.update(event)
    await store.save(tracker)
    store.retrieved = 0
    await resume_if_paused(agent, sender)
    assert store.retrieved == 0  # told from memory: nothing read or copied
    paused = await kefu_store(domain, store_args).retrieve(sender)
    paused.update(ConversationPaused(timestamp=2801.0))
    await kefu_store(domain, store_args).save(paused)
    await resume_if_paused(agent, sender)
    resumed = await rasa_store(domain, store_args).retrieve(sender)
    assert not resumed.is_paused() and resumed.latest_action_name == "action_listen"


async def test_a_store_sees_what_another_server_wrote(domain, store_args):
    sender = f"s-{uuid.uuid4().hex[:8]}"
    one, two = kefu_store(domain, store_args), kefu_store(domain, store_args)
    tracker = await new_conversation(one, sender, 3000.0)
    for event in turn("你好", "greet", "您好", 3001.0):
        tracker.update(event)
    await one.save(tracker)
    assert len((await one.retrieve(sender)).events) == 6  # now in server one's memory

    elsewhere = await two.retrieve(sender)
    for event in turn("积分有多少", "ask_points", "您有 120 积分", 3002.0):
        elsewhere.update(event)
    elsewhere.update(SlotSet("order_no", "KF1", timestamp=3002.5))
    await two.save(elsewhere)

    seen = await one.retrieve(sender)
    assert dumped(seen) == dumped(elsewhere)
    assert seen.get_slot("order_no") == "KF1"

    for event in turn("谢谢", "thank", "不客气", 3003.0):
        seen.update(event)
    await one.save(seen)
    expected = dumped(seen)
    assert dumped(await two.retrieve(sender)) == expected
    assert dumped(await rasa_store(domain, store_args).retrieve(sender)) == expected


async def test_rasas_own_store_writing_meanwhile_is_seen_too(domain, store_args):
    sender = f"s-{uuid.uuid4().hex[:8]}"
    kefu, rasa = kefu_store(domain, store_args), rasa_store(domain, store_args)
    tracker = await new_conversation(kefu, sender, 4000.0)
    await kefu.save(tracker)
    await kefu.retrieve(sender)

    other = await rasa.retrieve(sender)
    for event in turn("在吗", "greet", "在的", 4001.0):
        other.update(event)
    await rasa.save(other)
    mine = await kefu.retrieve(sender)
    assert dumped(mine) == dumped(other)

    for event in turn("再见", "goodbye", "再见", 4002.0):
        mine.update(event)
    await kefu.save(mine)
    assert dumped(await rasa.retrieve(sender)) == dumped(mine)


async def test_a_new_session_reads_back_like_rasas_store(domain, store_args):
    sender = f"s-{uuid.uuid4().hex[:8]}"
    store, rasa = kefu_store(domain, store_args), rasa_store(domain, store_args)
    tracker = await new_conversation(store, sender, 5000.0)
    for event in turn("你好", "greet", "您好", 5001.0):
        tracker.update(event)
    await store.save(tracker)

    later = await store.retrieve(sender)
    for event in session_start(9000.0) + turn("又来了", "greet", "欢迎回来", 9001.0):
        later.update(event)
    await store.save(later)

    mine, theirs = await store.retrieve(sender), await rasa.retrieve(sender)
    assert dumped(mine) == dumped(theirs)
    assert mine.events[0].timestamp >= 9000.0  # only the latest session, as Rasa reads it
    full = await rasa.retrieve_full_tracker(sender)
    assert len(full.events) == 7 + 7


async def test_unknown_sender_and_a_small_memory(domain, store_args):
    store = kefu_store(domain, store_args, cache_size=2)
    assert await store.retrieve("nobody-" + uuid.uuid4().hex) is None
    senders = [f"s-{uuid.uuid4().hex[:8]}" for _ in range(4)]
    for index, sender in enumerate(senders):
        tracker = await new_conversation(store, sender, 6000.0 + index)
        for event in turn(f"问题{index}", "greet", f"回答{index}", 6000.5 + index):
            tracker.update(event)
        await store.save(tracker)
    for index, sender in enumerate(senders):
        read = await store.retrieve(sender)
        assert [e.text for e in read.events if isinstance(e, BotUttered)] == [f"回答{index}"]
