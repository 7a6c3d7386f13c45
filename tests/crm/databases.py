"""Helpers that create, migrate, seed and drop throwaway test databases."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator, List, Tuple

import psycopg2
import pytest
from sqlalchemy import func, select

from crm_backend.core.db import create_engine, create_sessionmaker
from crm_backend.core.migrate import upgrade
from crm_backend.core.models import Order
from crm_backend.core.time import BEIJING
from crm_backend.seed.store import seed

PG_ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
PG_URL_TEMPLATE = "postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
ANCHOR = date(2026, 11, 20)
# "Now" for the CRM in these tests: three days after the seed's anchor, 15:00 Beijing, so the
# seeded history is recent whatever the machine's date is.
SEED_NOW = datetime.combine(ANCHOR + timedelta(days=3), time(15, 0), tzinfo=BEIJING)


class PostgresUnavailable(RuntimeError):
    """PostgreSQL on 127.0.0.1:5432 cannot be reached."""


@dataclass(frozen=True)
class TestDatabase:
    """A migrated, seeded database and how to reach it."""

    __test__ = False
    backend: str
    url: str


def sqlite_url(directory: Path) -> str:
    """URL of a fresh SQLite file in `directory`."""
    return f"sqlite+aiosqlite:///{directory / 'crm.sqlite3'}"


def _admin(sql: str) -> None:
    """Run one statement on the PostgreSQL maintenance database."""
    try:
        conn = psycopg2.connect(PG_ADMIN_DSN)
    except psycopg2.OperationalError as exc:
        raise PostgresUnavailable(str(exc)) from exc
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def create_pg_database() -> Tuple[str, str]:
    """Create a uniquely named empty database; returns (name, url)."""
    name = f"kefu_crm_test_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}"')
    return name, PG_URL_TEMPLATE.format(name=name)


def drop_pg_database(name: str) -> None:
    """Drop a database created by `create_pg_database`."""
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _migrate_and_seed(url: str) -> None:
    """Upgrade to head and load the demo data."""
    engine = create_engine(url)
    try:
        await upgrade(engine)
        await seed(engine, ANCHOR)
    finally:
        await engine.dispose()


def prepare(url: str) -> None:
    """Migrate and seed synchronously (own event loop, safe in session fixtures)."""
    asyncio.run(_migrate_and_seed(url))


def database_on(backend: str, directory_factory: Callable[[], Path],
                prepare_url: Callable[[str], None]) -> Iterator[str]:
    """The URL of a fresh database on `backend`, made ready by `prepare_url`, for a fixture to
    yield; PostgreSQL is skipped when unreachable and dropped afterwards."""
    if backend == "sqlite":
        url = sqlite_url(directory_factory())
        prepare_url(url)
        yield url
        return
    try:
        name, url = create_pg_database()
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is unreachable: {exc}")
    try:
        prepare_url(url)
        yield url
    finally:
        drop_pg_database(name)


def seeded_database(backend: str, directory_factory: Callable[[], Path]) -> Iterator[TestDatabase]:
    """A migrated, seeded database on `backend` for a fixture to yield."""
    for url in database_on(backend, directory_factory, prepare):
        yield TestDatabase(backend, url)


def own_seeded_database(directory: str, scope: str = "session") -> Any:
    """A `database` fixture of a module's own (overriding the shared one), for tests whose
    writes would change what other tests read."""
    @pytest.fixture(scope=scope, params=["sqlite", "postgresql"])
    def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[TestDatabase]:
        yield from seeded_database(request.param, lambda: tmp_path_factory.mktemp(directory))
    return database


def key(prefix: str = "t") -> str:
    """A unique idempotency key."""
    return f"{prefix}-{uuid.uuid4().hex}"


async def order_fingerprint(url: str) -> List[Tuple[str, str, int, int]]:
    """(order_no, status, customer_id, total_fen) of every order, by order number."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(Order.order_no, Order.status, Order.customer_id, Order.total_fen).order_by(
                    Order.order_no
                )
            )
            return [tuple(row) for row in rows]
    finally:
        await engine.dispose()


async def count(url: str, model, *conditions) -> int:
    """Rows of `model` matching the conditions."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as db:
            return int(await db.scalar(select(func.count(model.id)).where(*conditions)) or 0)
    finally:
        await engine.dispose()
