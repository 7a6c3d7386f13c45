"""Exactly-once inserts keyed by an idempotency key, safe under concurrent duplicates."""

from __future__ import annotations

from typing import Any, Optional, Type, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

Row = TypeVar("Row")


async def by_key(session: AsyncSession, model: Type[Row], key: str) -> Optional[Row]:
    """The row of `model` carrying this idempotency key, if any."""
    stmt = select(model).where(model.idempotency_key == key)  # type: ignore[attr-defined]
    return (await session.execute(stmt)).scalar_one_or_none()


async def insert_once(session: AsyncSession, row: Any) -> tuple:
    """Insert `row` unless its key exists; returns (stored row, created?).

    A duplicate that slips in concurrently hits the unique constraint inside a SAVEPOINT,
    which is rolled back alone before the winner's row is read back.
    """
    model, key = type(row), row.idempotency_key
    existing = await by_key(session, model, key)
    if existing is not None:
        return existing, False
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        existing = await by_key(session, model, key)
        if existing is None:
            raise
        return existing, False
    return row, True
