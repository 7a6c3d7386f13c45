"""Async engine and session factory built from a database URL."""

from __future__ import annotations

from pathlib import Path
import asyncio
from typing import Any, Awaitable, Callable, Dict, TypeVar

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import AsyncAdaptedQueuePool


def insert_for(session: AsyncSession) -> Callable[..., Any]:
    """The session's dialect's INSERT, which has ON CONFLICT (PostgreSQL and SQLite spell it
    alike)."""
    return (postgresql if session.bind.dialect.name == "postgresql" else sqlite).insert


def is_sqlite(url: str) -> bool:
    """True when the URL points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_directory(url: str) -> None:
    """Create the parent directory of a file-based SQLite database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


SQLITE_BUSY_TIMEOUT_SECONDS = 30

# File SQLite has one writer at a time (every write session begins with BEGIN IMMEDIATE). Write
# sessions share one kept connection and wait for it in the pool, first come first served: with
# a connection each, they waited in SQLite's busy handler, which sleeps 1, 2, 5 … 100 ms between
# tries, so a burst of customer messages waited seconds for a lock held a millisecond at a time
# (first messages of 40 customers at once: p95 6.0 s, now 0.7 s). Read-only sessions never wait
# for the writer (write-ahead log) and have connections of their own (`create_read_engine`).
SQLITE_WRITERS = 1
SQLITE_READ_POOL_SIZE = 5


# Execution option of the engine behind read-only sessions (`create_read_sessionmaker`).
READ_ONLY = "kefu_read_only"


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on, write-ahead log (readers never wait for the writer), and no implicit
    BEGIN from the driver: `_begin` emits it."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _begin(connection: Connection) -> None:
    """Start every SQLite transaction that may write holding the write lock, so transactions
    that read then write (a balance, then a debit) run one at a time (SAVEPOINTs nest inside);
    read-only sessions begin without it and read a consistent snapshot."""
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _sqlite_engine(url: str, pooling: Dict[str, Any]) -> AsyncEngine:
    engine = create_async_engine(url, future=True,
                                 connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}, **pooling)
    event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
    event.listen(engine.sync_engine, "begin", _begin)
    return engine


def _is_sqlite_file(url: str) -> bool:
    return is_sqlite(url) and make_url(url).database not in (None, "", ":memory:")


def create_engine(url: str) -> AsyncEngine:
    """Create an async engine; SQLite gets foreign keys, transactions serialised at BEGIN and,
    for a file, its writers queued in-process on one connection."""
    ensure_sqlite_directory(url)
    if not is_sqlite(url):
        return create_async_engine(url, future=True, pool_pre_ping=True)
    if not _is_sqlite_file(url):
        return _sqlite_engine(url, {})
    return _sqlite_engine(url, {"poolclass": AsyncAdaptedQueuePool, "pool_size": SQLITE_WRITERS,
                                "max_overflow": 0,
                                "pool_timeout": SQLITE_BUSY_TIMEOUT_SECONDS})


def create_read_engine(url: str, engine: AsyncEngine) -> AsyncEngine:
    """The engine for read-only sessions: for a SQLite file, connections of their own (kept
    open, more opened when all are busy); otherwise `engine` itself."""
    if not _is_sqlite_file(url):
        return engine
    return _sqlite_engine(url, {"poolclass": AsyncAdaptedQueuePool,
                                "pool_size": SQLITE_READ_POOL_SIZE, "max_overflow": -1})


def create_sessionmaker(engine: AsyncEngine) -> sessionmaker:
    """Session factory producing `AsyncSession`s that keep objects usable after commit."""
    return sessionmaker(engine, class_=AsyncSession, expire_on_commit=False, future=True)


def create_read_sessionmaker(engine: AsyncEngine) -> sessionmaker:
    """Sessions for requests that only read: on SQLite they do not take the write lock."""
    return create_sessionmaker(engine.execution_options(**{READ_ONLY: True}))


Result = TypeVar("Result")


def run_in_session(url: str, work: Callable[[AsyncSession], Awaitable[Result]]) -> Result:
    """For the command line: `work(session)` in a fresh event loop, committed, the engine
    disposed of afterwards."""

    async def run() -> Result:
        engine = create_engine(url)
        try:
            async with create_sessionmaker(engine)() as session:
                result = await work(session)
                await session.commit()
                return result
        finally:
            await engine.dispose()

    return asyncio.run(run())
