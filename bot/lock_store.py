"""Rasa's Redis lock store made safe for several Rasa servers (endpoints.scale-out.yml).

Rasa 3.6's `RedisLockStore` keeps a conversation's ticket lock as one JSON value and changes it
by GET, edit, SET. Two servers issuing a ticket for one conversation at the same moment both read
the same queue and both write it back with "their" next ticket, so both hold ticket N and both
run the conversation at once (rasa#9213; Rasa's fix, a concurrent lock store, was withdrawn from
the open-source edition). Here every read-modify-write of a lock runs under Redis's WATCH/MULTI/
EXEC and is redone when another server changed the lock in between: tickets stay unique and
first come, first served, whichever server issues them. The lock's logic (TicketLock, expiry,
waiting) stays Rasa's own; the key also expires with its last ticket, so a server killed while
holding a lock leaves nothing behind for longer than the lock's lifetime. A message waiting
behind another of its conversation looks every 50 ms (Rasa: every second) whether its turn came.
"""

import json
import logging
import time
from typing import AsyncContextManager, Callable, Optional, Text, Tuple, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

Result = TypeVar("Result")

# A lock key outlives its last ticket's expiry by this much (seconds), then Redis drops it.
KEY_GRACE_SECONDS = 60

# How often a waiting message looks whether its turn has come (Rasa's default: every second,
# which adds up to a second to a message that waits behind another of its conversation).
POLL_SECONDS = 0.05

Change = Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], Result]]


class AtomicRedisLockStore(RedisLockStore):
    """`lock_store: type: bot.lock_store.AtomicRedisLockStore` with RedisLockStore's settings."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url or "localhost", **endpoint_config.kwargs)

    def _change(self, conversation_id: Text, change: Change) -> Result:
        """Read the lock, apply `change` and write the result (or delete the key when no ticket
        is left) in one optimistic transaction, retried while other servers interfere."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    changed, result = change(lock)
                    pipe.multi()
                    if changed is None or not changed.tickets:
                        pipe.delete(key)
                    else:
                        # A lifetime relative to this process's clock: Redis's own clock may
                        # differ (another host, a test's faked clock).
                        left = max(ticket.expires for ticket in changed.tickets) - time.time()
                        pipe.set(key, changed.dumps(),
                                 ex=int(max(left, 0)) + KEY_GRACE_SECONDS)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue

    def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
             wait_time_in_seconds: float = POLL_SECONDS) -> AsyncContextManager[TicketLock]:
        """Rasa's lock, looking every POLL_SECONDS whether a waiting message may go."""
        return super().lock(conversation_id, lock_lifetime, wait_time_in_seconds)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """The next ticket of the conversation's queue, unique across servers."""

        def issue(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, issue)
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        """Drop expired tickets (a server that died holding one)."""

        def expire(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, expire)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        """Remove the served ticket; the key goes with the last one."""

        def finish(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Rasa's cleanup deletes the lock when it saw nobody waiting, a check apart from the
        delete: a ticket issued in between would be deleted with it. Here the delete happens in
        the same transaction, only when no ticket is left."""
        self.finish_serving(conversation_id, ticket_number)
