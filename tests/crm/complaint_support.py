"""A private database, fresh customers and orders for the complaint and order-change API tests.

These tests add orders, refunds and cancellations the seed invariants (tests/crm/test_seed.py)
must not see, so each test module that imports `database` from here gets its own seeded copy.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Optional

from sqlalchemy import select, update

from crm_backend.core.db import create_engine, create_sessionmaker
from crm_backend.core.models import Complaint, Customer, FollowUp, Order, OrderItem, Product

from .databases import SEED_NOW, count, key, own_seeded_database  # noqa: F401 (re-exported)

NOW = SEED_NOW


# A seeded database of their own on each backend (overrides the shared one).
database = own_seeded_database("crm-complaints")


async def make_customer(url: str, *, tier: str = "ordinary", bad_faith: bool = False,
                        order_status: Optional[str] = "delivered", total_fen: int = 19900
                        ) -> tuple:
    """A customer (and optionally one single-item order); returns (customer_id, order_no)."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as db:
            customer = Customer(name="测试客户", phone="13800001111", tier=tier, tier_reason="测试",
                                is_bad_faith=bad_faith, created_at=NOW - timedelta(days=30))
            db.add(customer)
            await db.flush()
            order_no = None
            if order_status is not None:
                products = (await db.execute(select(Product).order_by(Product.id))).scalars()
                product = next(p for p in products if p.colours and p.sizes)
                order_no = f"KF{uuid.uuid4().int % 10**12:012d}"
                order = Order(order_no=order_no, customer_id=customer.id, status=order_status,
                              items_total_fen=total_fen, total_fen=total_fen, receiver_name="测试",
                              receiver_phone="13800001111", address="上海市浦东新区测试路1号",
                              created_at=NOW - timedelta(days=5), paid_at=NOW - timedelta(days=5))
                db.add(order)
                await db.flush()
                db.add(OrderItem(order_id=order.id, product_id=product.id, sku=product.sku,
                                 name=product.name, colour=(product.colours or [None])[0],
                                 size=(product.sizes or [None])[0], quantity=1,
                                 unit_price_fen=total_fen))
            await db.commit()
            return customer.id, order_no
    finally:
        await engine.dispose()


def complaint_body(customer_id: int, order_no: Optional[str], **overrides) -> dict:
    """A valid POST /api/complaints body."""
    body = {"idempotency_key": key("complaint"), "customer_id": customer_id, "order_no": order_no,
            "category": "product_quality", "severity": "medium",
            "customer_words": ["衣服洗了一次就破了！", "太失望了"], "expectation": "希望换一件",
            "channel": "rest", "conversation_id": f"conv-{uuid.uuid4().hex[:8]}",
            "vented_at": (NOW - timedelta(minutes=3)).isoformat()}
    body.update(overrides)
    return body


async def mark_follow_up_sent(url: str, number: str) -> None:
    """Put the complaint's follow-up in the state the scheduler leaves it after Rasa was told."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as db:
            complaint_id = await db.scalar(select(Complaint.id).where(Complaint.number == number))
            await db.execute(update(FollowUp).where(FollowUp.complaint_id == complaint_id)
                             .values(status="fired", fired_at=NOW))
            await db.commit()
    finally:
        await engine.dispose()
