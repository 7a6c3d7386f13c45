"""Shared helpers for the loyalty, risk and win-back tests: sessions and fresh customers."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, AsyncIterator, Optional

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from crm_backend.core.db import create_engine, create_sessionmaker
from crm_backend.core.models import Customer, Order

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=timezone.utc)


def key(prefix: str = "t") -> str:
    """A unique idempotency key."""
    return f"{prefix}-{uuid.uuid4().hex}"


async def sessions(url: str) -> AsyncIterator[AsyncSession]:
    """A session on the test database; the engine is disposed afterwards."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            yield session
    finally:
        await engine.dispose()


async def read_value(session: AsyncSession, stmt: Select) -> Any:
    """One value, its transaction ended at once: an open SQLite transaction holds the write lock
    the live server's requests wait for."""
    value = await session.scalar(stmt)
    await session.commit()
    return value


async def new_customer(session: AsyncSession, *, tier: str = "ordinary", bad_faith: bool = False,
                       owner_staff_id: Optional[int] = None, name: str = "测试客户") -> Customer:
    """Insert and commit a customer with no history."""
    customer = Customer(
        name=name, phone="13800000000", tier=tier, tier_reason="测试", is_bad_faith=bad_faith,
        bad_faith_reason="测试恶意" if bad_faith else None, owner_staff_id=owner_staff_id,
        created_at=NOW - timedelta(days=400),
    )
    session.add(customer)
    await session.commit()
    return customer


async def add_order(session: AsyncSession, customer_id: int, total_fen: int, created_at: datetime,
                    status: str = "delivered") -> Order:
    """Insert and commit a bare order (no items); delete it after: seed tests see all orders."""
    order = Order(
        order_no=f"KF{uuid.uuid4().int % 10**12:012d}", customer_id=customer_id, status=status,
        items_total_fen=total_fen, total_fen=total_fen, receiver_name="测试",
        receiver_phone="13800000000", address="测试地址", created_at=created_at,
    )
    session.add(order)
    await session.commit()
    return order
