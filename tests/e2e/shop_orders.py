"""Orders a shop system adds to the running stack's CRM database, and its rows read back: for
stories that need an order of a given age or state the seed does not hold."""

import asyncio
import uuid
from datetime import datetime, timedelta, timezone
from typing import Optional, Tuple

from sqlalchemy import select

from crm_backend.core.db import create_engine, create_sessionmaker
from crm_backend.core.models import Customer, Order, OrderItem, Product
from tests.e2e.conftest import RunningStack


async def _customer_with_order(url: str, status: str, placed_days_ago: float,
                               delivered_days_ago: Optional[float]) -> Tuple[int, str]:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as db:
            now = datetime.now(timezone.utc)
            placed = now - timedelta(days=placed_days_ago)
            customer = Customer(name="周敏", phone=f"139{uuid.uuid4().int % 10**8:08d}",
                                tier="ordinary", tier_reason="测试", created_at=placed)
            db.add(customer)
            await db.flush()
            product = (await db.execute(select(Product).where(Product.name.like("%T恤%"))
                                        .order_by(Product.id))).scalars().first()
            delivered = (now - timedelta(days=delivered_days_ago)
                         if delivered_days_ago is not None else None)
            # 7000 + the new customer's id: never a seeded number, never one of another test.
            order = Order(order_no=f"KF{placed:%Y%m%d}{7000 + customer.id % 1000:04d}",
                          customer_id=customer.id, status=status, items_total_fen=12900,
                          total_fen=12900, receiver_name="周敏", receiver_phone=customer.phone,
                          address="杭州市西湖区文三路100号", created_at=placed, paid_at=placed,
                          shipped_at=placed + timedelta(days=1) if status != "pending_shipment"
                          else None, delivered_at=delivered)
            db.add(order)
            await db.flush()
            db.add(OrderItem(order_id=order.id, product_id=product.id, sku=product.sku,
                             name=product.name, colour=(product.colours or [None])[0],
                             size=(product.sizes or [None])[0], quantity=1, unit_price_fen=12900))
            await db.commit()
            return customer.id, order.order_no
    finally:
        await engine.dispose()


def customer_with_order(stack: RunningStack, status: str = "pending_shipment",
                        placed_days_ago: float = 6,
                        delivered_days_ago: Optional[float] = None) -> Tuple[int, str]:
    """A new customer with one ¥129 T-shirt order in `status` (as the shop's system adds it)."""
    return asyncio.run(_customer_with_order(stack.config.crm_database_url, status,
                                            placed_days_ago, delivered_days_ago))


def rows(stack: RunningStack, model, *conditions) -> int:
    """How many rows of `model` the CRM holds that match the conditions."""
    async def counted() -> int:
        engine = create_engine(stack.config.crm_database_url)
        try:
            async with create_sessionmaker(engine)() as db:
                return len((await db.execute(select(model).where(*conditions))).scalars().all())
        finally:
            await engine.dispose()
    return asyncio.run(counted())
