"""A private database and fresh customers, products and orders for the after-sales API tests
(price protection, after-sales requests, invoices, appointments), which write rows the seed
invariants must not see."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import datetime, timedelta
from typing import List, Optional, Sequence, Tuple

from sqlalchemy import select

from crm_backend.core.db import create_engine, create_sessionmaker
from crm_backend.core.models import Customer, Order, OrderItem, Product, Refund

from .databases import SEED_NOW, count, key, own_seeded_database  # noqa: F401 (re-exported)

NOW = SEED_NOW


# A seeded database of their own on each backend (overrides the shared one).
database = own_seeded_database("crm-aftersales")


async def make_product(url: str, category: str = "数码电子", price_fen: int = 100000,
                       bulky: bool = False, needs_installation: bool = False) -> str:
    """A product of its own for one test (so no other test's price changes touch it); its SKU."""
    sku = f"T-{uuid.uuid4().hex[:10]}"
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as db:
            db.add(Product(sku=sku, name=f"测试商品{sku[-4:]}", brand="测试", category=category,
                           price_fen=price_fen, stock=10, colours=[], sizes=[], description="",
                           bulky=bulky, needs_installation=needs_installation))
            await db.commit()
    finally:
        await engine.dispose()
    return sku


async def make_order(url: str, lines: Sequence[Tuple[str, int, int]], status: str = "delivered",
                     paid_days_ago: float = 5, delivered_days_ago: Optional[float] = 3,
                     customer_id: Optional[int] = None) -> Tuple[int, str]:
    """An order of (sku, quantity, unit price fen) lines for a new customer (or `customer_id`),
    paid and delivered so many days before NOW; (customer_id, order_no)."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as db:
            if customer_id is None:
                customer = Customer(name="测试客户", phone="13800002222", tier="ordinary",
                                    tier_reason="测试", created_at=NOW - timedelta(days=300))
                db.add(customer)
                await db.flush()
                customer_id = customer.id
            total = sum(q * p for _, q, p in lines)
            paid = NOW - timedelta(days=paid_days_ago) if status != "pending_payment" else None
            delivered = (NOW - timedelta(days=delivered_days_ago)
                         if delivered_days_ago is not None and status in (
                             "delivered", "refunding", "refunded") else None)
            order_no = f"KF{uuid.uuid4().int % 10**12:012d}"
            order = Order(order_no=order_no, customer_id=customer_id, status=status,
                          items_total_fen=total, total_fen=total, receiver_name="测试",
                          receiver_phone="13800002222", address="上海市浦东新区测试路1号",
                          created_at=(paid or NOW) - timedelta(minutes=5), paid_at=paid,
                          delivered_at=delivered)
            db.add(order)
            await db.flush()
            for sku, quantity, price in lines:
                product = await db.scalar(select(Product).where(Product.sku == sku))
                db.add(OrderItem(order_id=order.id, product_id=product.id, sku=sku,
                                 name=product.name, quantity=quantity, unit_price_fen=price))
            await db.commit()
            return customer_id, order_no
    finally:
        await engine.dispose()


async def add_refund(url: str, order_no: str, amount_fen: int) -> None:
    """An approved refund of part of an order, as a complaint's remedy would leave it."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as db:
            order = await db.scalar(select(Order).where(Order.order_no == order_no))
            db.add(Refund(order_id=order.id, amount_fen=amount_fen, status="approved",
                          reason="部分退款", idempotency_key=key("refund"), created_at=NOW,
                          updated_at=NOW))
            await db.commit()
    finally:
        await engine.dispose()


async def rows(url: str, stmt) -> List[tuple]:
    """The rows a statement selects."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return [tuple(row) for row in await conn.execute(stmt)]
    finally:
        await engine.dispose()


async def post(client, auth: dict, path: str, body: dict) -> Tuple[int, dict]:
    """POST a JSON body; (status, JSON answer)."""
    resp = await client.post(path, json=body, headers=auth)
    return resp.status, await resp.json()


async def get(client, auth: dict, path: str) -> Tuple[int, dict]:
    """GET; (status, JSON answer)."""
    resp = await client.get(path, headers=auth)
    return resp.status, await resp.json()


async def at_once(client, auth: dict, path: str, bodies: Sequence[dict]) -> List[Tuple[int, dict]]:
    """Every body POSTed to `path` at the same time."""
    return list(await asyncio.gather(*(post(client, auth, path, body) for body in bodies)))


def statuses(results: Sequence[Tuple[int, dict]]) -> Counter:
    """How many answers had each HTTP status."""
    return Counter(status for status, _ in results)


def iso(moment: datetime) -> str:
    """An aware moment as ISO text for a request body."""
    return moment.isoformat()
