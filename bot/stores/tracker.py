"""Rasa's SQL tracker store, without re-reading the whole conversation for every message.

Rasa's `SQLTrackerStore` rebuilds a tracker from the database on every `retrieve` (twice per
message under Kefu's channels): it reads all events of the conversation's latest session, parses
their JSON, creates the event objects and replays them; `save` counts the stored events again to
know which are new. `KefuTrackerStore` (endpoints.yml: `type: bot.stores.tracker.KefuTrackerStore`)
keeps the same table and rows, and keeps the trackers it last read or wrote in memory (a bounded
LRU), each with the version of its conversation in the database: the number of the sender's
event rows and the largest row id. Every `retrieve` and `save` first asks the database for that
version (one indexed query):

- unchanged: the tracker comes from memory (a copy; Rasa's own `tracker.copy()`);
- rows were added (another Rasa server, the HTTP API of another process): only those rows are
  read and applied to the copy, unless one starts a new session (then everything is read again);
- anything else (rows deleted, fewer or more rows than the new ids account for): read again.

The database stays the only truth: what is in memory is used only when the database says it is
current, so several Rasa servers may share one PostgreSQL tracker store, and a restart loses
nothing (memory starts empty). On SQLite the database runs in write-ahead-log mode, so readers
never wait for a writer and a commit costs one sync instead of several.
"""

import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, List, Optional, Text, Tuple

import sqlalchemy as sa
import sqlalchemy.orm
import sqlalchemy.pool
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

DEFAULT_CACHE_SIZE = 500  # conversations kept in memory per Rasa process

Version = Tuple[int, int]  # (number of the sender's event rows, their largest id)


@dataclass
class Cached:
    """A conversation's tracker exactly as stored, and the database version it was read at."""

    tracker: DialogueStateTracker
    version: Version
    stored: int  # how many of the tracker's events are in the database (all of them)


def _sqlite_write_ahead_log(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class KefuTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` with a version-checked in-memory copy of recent conversations."""

    def __init__(self, *args: Any, cache_size: int = DEFAULT_CACHE_SIZE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cache_size = int(cache_size)
        self._cache: "OrderedDict[Text, Cached]" = OrderedDict()
        event = self.SQLEvent
        self._version_query = sa.select(sa.func.count(event.id), sa.func.max(event.id)).where(
            event.sender_id == sa.bindparam("sender_id"))
        if self.engine.dialect.name == "sqlite":
            self._pool_sqlite_connections()

    def _pool_sqlite_connections(self) -> None:
        """SQLAlchemy 1.4 opens and closes a file SQLite connection per session (closing the
        last one checkpoints the log): keep a few open instead, in write-ahead-log mode."""
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, poolclass=sa.pool.QueuePool, pool_size=2,
                                       connect_args={"check_same_thread": False})
        sa.event.listen(self.engine, "connect", _sqlite_write_ahead_log)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    # ------------------------------------------------------------------ reading

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The tracker of the conversation's latest session, as `SQLTrackerStore` returns it."""
        if self.domain is None:
            return await super().retrieve(sender_id)
        with self.session_scope() as session:
            version = self._version(session, sender_id)
            if version[0] == 0:
                self._cache.pop(sender_id, None)
                return None
            cached = self._cache.get(sender_id)
            if cached is not None and len(cached.tracker.events) != cached.stored:
                cached = None  # changed after it was saved (see `save`): not to be trusted
            if cached is not None and cached.version == version:
                self._cache.move_to_end(sender_id)
                return cached.tracker.copy()
            if cached is not None:
                tracker = self._catch_up(session, cached, version)
                if tracker is not None:
                    return tracker
            return self._read_all(session, sender_id, version)

    async def is_paused(self, sender_id: Text) -> bool:
        """Whether the conversation's stored tracker is paused (a person holds it); read from
        memory without a copy while the database says it is current."""
        with self.session_scope() as session:
            version = self._version(session, sender_id)
        cached = self._cache.get(sender_id)
        if cached is not None and cached.version == version and \
                len(cached.tracker.events) == cached.stored:
            return cached.tracker.is_paused()
        tracker = await self.retrieve(sender_id)
        return tracker is not None and tracker.is_paused()

    def _version(self, session: Any, sender_id: Text) -> Version:
        count, last_id = session.execute(self._version_query, {"sender_id": sender_id}).one()
        return int(count or 0), int(last_id or 0)

    def _catch_up(self, session: Any, cached: Cached,
                  version: Version) -> Optional[DialogueStateTracker]:
        """The cached tracker with the rows written since by someone else applied, or None when
        they cannot simply be appended (a new session, rows missing or deleted)."""
        if version[0] <= cached.version[0]:
            return None
        rows = (session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == cached.tracker.sender_id,
                        self.SQLEvent.id > cached.version[1])
                .order_by(self.SQLEvent.id).all())
        if len(rows) != version[0] - cached.version[0] or rows[-1].id != version[1]:
            return None
        if any(row.type_name == SessionStarted.type_name for row in rows):
            return None
        events = _events(rows)
        tracker = cached.tracker.copy()
        for event in events:
            tracker.update(event)
        self._remember(tracker, version, cached.stored + len(events))
        logger.debug("tracker %s: %d events written elsewhere applied", tracker.sender_id,
                     len(events))
        return tracker.copy()

    def _read_all(self, session: Any, sender_id: Text,
                  version: Version) -> Optional[DialogueStateTracker]:
        """The latest session's events up to `version`, as `SQLTrackerStore` reads them."""
        rows = (self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
                .filter(self.SQLEvent.id <= version[1]).all())
        if not rows:
            return None
        tracker = DialogueStateTracker.from_events(sender_id, _events(rows), self.domain.slots)
        self._remember(tracker, version, len(rows))
        return tracker.copy()

    # ------------------------------------------------------------------ writing

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the tracker's new events, as `SQLTrackerStore` does."""
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        with self.session_scope() as session:
            cached = self._cache.get(sender_id)
            version = self._version(session, sender_id)
            if cached is not None and cached.version == version and \
                    len(tracker.events) >= cached.stored:
                stored = cached.stored
            else:
                stored = self._event_query(session, sender_id,
                                           fetch_events_from_all_sessions=False).count()
            new_events = list(tracker.events)[stored:]
            rows = [self._row(sender_id, event) for event in new_events]
            session.add_all(rows)
            session.flush()
            after = (version[0] + len(rows), rows[-1].id if rows else version[1])
            session.commit()
        if any(isinstance(event, SessionStarted) for event in new_events):
            # Reading a new session back gives only that session: read it from the database.
            self._cache.pop(sender_id, None)
        else:
            # Had someone else written meanwhile, the database's version will differ from this
            # one, and the next retrieve catches up or reads everything again. The saved tracker
            # itself is kept, not a copy (Rasa is done with it once saved); should its owner add
            # events after saving, their count no longer matches and it is read again.
            self._remember(tracker, after, stored + len(rows))

    def _row(self, sender_id: Text, event: Event) -> Any:
        data = event.as_dict()
        return self.SQLEvent(sender_id=sender_id, type_name=event.type_name,
                             timestamp=data.get("timestamp"),
                             intent_name=data.get("parse_data", {}).get("intent", {}).get("name"),
                             action_name=data.get("name"), data=json.dumps(data))

    # ------------------------------------------------------------------ memory

    def _remember(self, tracker: DialogueStateTracker, version: Version, stored: int) -> None:
        self._cache[tracker.sender_id] = Cached(tracker, version, stored)
        self._cache.move_to_end(tracker.sender_id)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)


def _events(rows: List[Any]) -> List[Event]:
    return deserialise_events([json.loads(row.data) for row in rows])
