"""Transactions as core/db.py sets them up, on both databases: a SAVEPOINT belongs to the
transaction around it, and concurrent writers wait for each other instead of failing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from crm_backend.core.db import (create_engine, create_read_engine, create_read_sessionmaker,
                                 create_sessionmaker)
from crm_backend.core.idempotency import insert_once
from crm_backend.core.models import Coupon

from .databases import TestDatabase
from .loyalty_support import NOW, key, new_customer, sessions


def _coupon(customer_id: int, code: str, idempotency_key: str) -> Coupon:
    return Coupon(customer_id=customer_id, code=code, value_fen=500, min_spend_fen=0,
                  status="active", reason="测试", idempotency_key=idempotency_key,
                  expires_at=NOW + timedelta(days=30), created_at=NOW)


async def _coupons(url: str, *keys: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return int(await conn.scalar(
                select(func.count(Coupon.id)).where(Coupon.idempotency_key.in_(keys))))
    finally:
        await engine.dispose()


async def test_a_savepoint_belongs_to_the_transaction_around_it(database: TestDatabase) -> None:
    async for db in sessions(database.url):
        customer = await new_customer(db)
        code, first, second = f"T{key()[-12:]}", key("first"), key("second")
        _, created = await insert_once(db, _coupon(customer.id, code, first))
        assert created
        with pytest.raises(IntegrityError):
            await insert_once(db, _coupon(customer.id, code, second))
        assert await db.scalar(select(Coupon.id).where(Coupon.idempotency_key == first))
        await db.rollback()
    assert await _coupons(database.url, first, second) == 0


async def test_concurrent_writers_wait_for_each_other(database: TestDatabase) -> None:
    async for db in sessions(database.url):
        customer = await new_customer(db)
    engine = create_engine(database.url)
    factory = create_sessionmaker(engine)
    keys = [key("writer") for _ in range(12)]

    async def write(idempotency_key: str) -> None:
        async with factory() as session:
            await session.scalar(select(func.count(Coupon.id)))
            await asyncio.sleep(0.01)
            session.add(_coupon(customer.id, f"T{idempotency_key[-12:]}", idempotency_key))
            await session.commit()

    try:
        await asyncio.gather(*(write(k) for k in keys))
    finally:
        await engine.dispose()
    assert await _coupons(database.url, *keys) == len(keys)


async def test_sqlite_connections_are_kept_between_sessions(tmp_path) -> None:
    """A file SQLite session reuses an open connection instead of opening (a thread, the
    pragmas) and closing one (a log checkpoint) per session; what one commits the next reads."""
    from sqlalchemy import event, text

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'pool.sqlite3'}")
    opened = []
    event.listen(engine.sync_engine, "connect", lambda *_: opened.append(1))
    factory = create_sessionmaker(engine)
    try:
        async with factory() as session:
            await session.execute(text("CREATE TABLE t (n INTEGER)"))
            await session.commit()
        for n in range(30):
            async with factory() as session:
                await session.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
                await session.commit()
        async with factory() as session:
            assert await session.scalar(text("SELECT count(*) FROM t")) == 30
            assert await session.scalar(text("PRAGMA journal_mode")) == "wal"
    finally:
        await engine.dispose()
    assert len(opened) == 1


async def test_sqlite_writers_take_turns_in_arrival_order_while_readers_go_on(tmp_path) -> None:
    """Write sessions on a SQLite file queue in-process, first come first served (not in
    SQLite's busy handler, which lets them in in no order after sleeps); a read-only session
    reads the last committed state while a writer holds its transaction open."""
    from sqlalchemy import text

    url = f"sqlite+aiosqlite:///{tmp_path / 'turns.sqlite3'}"
    engine = create_engine(url)
    readers = create_read_engine(url, engine)
    writes, reads = create_sessionmaker(engine), create_read_sessionmaker(readers)
    try:
        async with writes() as session:
            await session.execute(text("CREATE TABLE t (n INTEGER)"))
            await session.commit()
        holding, release = asyncio.Event(), asyncio.Event()

        async def first() -> None:
            async with writes() as session:
                await session.execute(text("INSERT INTO t VALUES (-1)"))
                holding.set()
                await release.wait()
                await session.commit()

        async def write(n: int) -> None:
            async with writes() as session:
                await session.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
                await asyncio.sleep(0.002)
                await session.commit()

        holder = asyncio.create_task(first())
        await holding.wait()
        waiting = []
        for n in range(20):
            waiting.append(asyncio.create_task(write(n)))
            await asyncio.sleep(0)
        async with reads() as session:
            assert await session.scalar(text("SELECT count(*) FROM t")) == 0
        assert not any(task.done() for task in waiting)
        release.set()
        await asyncio.gather(holder, *waiting)
        async with reads() as session:
            order = list(await session.scalars(text("SELECT n FROM t ORDER BY rowid")))
        assert order == [-1, *range(20)]
    finally:
        await engine.dispose()
        await readers.dispose()
