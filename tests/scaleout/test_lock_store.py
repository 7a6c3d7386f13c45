"""The conversation lock of several Rasa servers, on the real Redis (127.0.0.1:6379): Rasa 3.6's
RedisLockStore hands one ticket to two servers (rasa#9213), bot/lock_store.py does not."""

import asyncio
import threading
import uuid
from typing import Iterator, List

import pytest
import redis
from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import AtomicRedisLockStore
from tests.scaleout.services import REDIS_HOST, REDIS_PORT, require_redis


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of the test's own; its keys are removed afterwards."""
    require_redis()
    name = "kefutest" + uuid.uuid4().hex[:12]
    yield name
    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT)
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)


def atomic_store(prefix: str) -> AtomicRedisLockStore:
    """One Rasa server's lock store, as endpoints.scale-out.yml configures it."""
    return AtomicRedisLockStore(EndpointConfig(url=REDIS_HOST, port=REDIS_PORT, db=0,
                                               key_prefix=prefix))


def stock_store(prefix: str) -> RedisLockStore:
    return RedisLockStore(host=REDIS_HOST, port=REDIS_PORT, db=0, key_prefix=prefix)


def test_rasas_own_redis_lock_store_gives_two_servers_the_same_ticket(prefix: str) -> None:
    """The race, step by step: server A reads the lock, server B issues a ticket, A writes
    back what it read plus its ticket. Both now hold ticket 0, so both run the conversation."""
    server_a, server_b = stock_store(prefix), stock_store(prefix)
    lock_a = server_a.get_or_create_lock("c1")
    ticket_b = server_b.issue_ticket("c1")
    ticket_a = lock_a.issue_ticket(60)
    server_a.save_lock(lock_a)

    lock = server_a.get_lock("c1")
    assert ticket_a == ticket_b == 0
    assert not lock.is_locked(ticket_a) and not lock.is_locked(ticket_b)


def test_a_ticket_issued_by_another_server_meanwhile_is_kept(prefix: str) -> None:
    """The same interleaving against the atomic store: A's write notices B's change, reads
    again and takes the next ticket."""
    server_a, server_b = atomic_store(prefix), atomic_store(prefix)
    interfered: List[int] = []
    real_create = server_a.create_lock

    def create_while_b_issues(conversation_id: str):
        if not interfered:
            interfered.append(server_b.issue_ticket(conversation_id))
        return real_create(conversation_id)

    server_a.create_lock = create_while_b_issues  # type: ignore[method-assign]
    ticket_a = server_a.issue_ticket("c1")

    lock = server_b.get_lock("c1")
    assert interfered == [0] and ticket_a == 1
    assert [t.number for t in lock.tickets] == [0, 1]
    assert not lock.is_locked(0) and lock.is_locked(1)


def test_many_servers_issuing_at_once_get_distinct_tickets_in_one_queue(prefix: str) -> None:
    servers = [atomic_store(prefix) for _ in range(8)]
    tickets: List[int] = []
    guard = threading.Lock()

    def issue(store: AtomicRedisLockStore) -> None:
        for _ in range(25):
            number = store.issue_ticket("c2")
            with guard:
                tickets.append(number)

    threads = [threading.Thread(target=issue, args=(s,)) for s in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(tickets) == list(range(200))
    assert len(servers[0].get_lock("c2").tickets) == 200


def test_the_last_ticket_served_removes_the_lock_and_its_key_expires(prefix: str) -> None:
    server_a, server_b = atomic_store(prefix), atomic_store(prefix)
    first = server_a.issue_ticket("c3", 30)
    second = server_b.issue_ticket("c3", 30)
    key = f"{prefix}:lock:c3"
    assert 0 < redis.Redis(host=REDIS_HOST, port=REDIS_PORT).ttl(key) <= 30 + 61

    server_a.cleanup("c3", first)
    assert [t.number for t in server_b.get_lock("c3").tickets] == [second]
    server_b.cleanup("c3", second)
    assert server_a.get_lock("c3") is None


async def test_a_message_on_another_server_waits_its_turn_and_then_goes(prefix: str) -> None:
    server_a, server_b = atomic_store(prefix), atomic_store(prefix)
    order: List[str] = []
    release = asyncio.Event()

    async def turn(store: AtomicRedisLockStore, name: str) -> None:
        async with store.lock("c4"):
            order.append(f"{name} in")
            if name == "a":
                await release.wait()
            order.append(f"{name} out")

    first = asyncio.create_task(turn(server_a, "a"))
    while order != ["a in"]:
        await asyncio.sleep(0.01)
    second = asyncio.create_task(turn(server_b, "b"))
    while len(server_a.get_lock("c4").tickets) < 2:
        await asyncio.sleep(0.01)
    assert order == ["a in"]
    release.set()
    await asyncio.gather(first, second)
    assert order == ["a in", "a out", "b in", "b out"]
    assert server_a.get_lock("c4") is None
