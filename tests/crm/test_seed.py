"""The seeded demo data: size, variety, special customers, determinism, idempotency."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select

from crm_backend.core.db import create_engine, create_sessionmaker
from crm_backend.core.migrate import current_revision, head_revision, upgrade
from crm_backend.core.models import Customer, Order, Product, Refund, Shipment, TrackingEvent
from crm_backend.core.vocabulary import ORDER_STATUS_LABELS
from crm_backend.seed.plan import build_plan
from crm_backend.seed.store import seed

from .databases import ANCHOR, TestDatabase, order_fingerprint, sqlite_url


async def _scalar(url: str, stmt):
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as db:
            return await db.scalar(stmt)
    finally:
        await engine.dispose()


async def _rows(url: str, stmt):
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return list(await conn.execute(stmt))
    finally:
        await engine.dispose()


async def test_volume_and_variety(database: TestDatabase) -> None:
    tiers = Counter(t for (t,) in await _rows(database.url, select(Customer.tier)))
    statuses = Counter(s for (s,) in await _rows(database.url, select(Order.status)))
    assert sum(tiers.values()) >= 60
    assert set(tiers) == {"key", "ordinary", "small"}
    assert sum(statuses.values()) >= 300
    assert set(statuses) == set(ORDER_STATUS_LABELS)
    assert await _scalar(database.url, select(func.count(Product.id))) >= 40
    assert await _scalar(database.url, select(func.count(Customer.id)).where(Customer.is_bad_faith)) >= 2


async def test_order_numbers_follow_the_format(database: TestDatabase) -> None:
    numbers = [n for (n,) in await _rows(database.url, select(Order.order_no))]
    assert all(len(n) == 14 and n.startswith("KF") and n[2:].isdigit() for n in numbers)
    assert all(n[2:10] <= ANCHOR.strftime("%Y%m%d") for n in numbers)


async def test_shipping_orders_have_carrier_and_two_to_six_events(database: TestDatabase) -> None:
    rows = await _rows(
        database.url,
        select(Order.status, Shipment.carrier, func.count(TrackingEvent.id))
        .join(Shipment, Shipment.order_id == Order.id)
        .join(TrackingEvent, TrackingEvent.shipment_id == Shipment.id)
        .group_by(Order.status, Shipment.id, Shipment.carrier),
    )
    assert {status for status, _, _ in rows} >= {"shipped", "delivered", "refunding"}
    assert all(2 <= count <= 6 for _, _, count in rows)
    assert {carrier for _, carrier, _ in rows} <= {"顺丰速运", "中通快递", "圆通速递", "韵达快递", "京东物流", "EMS", "申通快递"}
    unshipped = await _scalar(
        database.url,
        select(func.count(Order.id)).where(
            Order.status.in_(["shipped", "delivered"]), ~Order.shipment.has()
        ),
    )
    assert unshipped == 0


async def test_refund_statuses_match_order_statuses(database: TestDatabase) -> None:
    rows = await _rows(database.url, select(Order.status, Refund.status).join(Refund))
    assert {o for o, _ in rows} == {"refunding", "refunded"}
    assert all((r == "completed") == (o == "refunded") for o, r in rows)


async def test_demo_customers_are_shaped_for_the_story(database: TestDatabase) -> None:
    orders = await _rows(database.url, select(Order.customer_id, Order.status, Order.created_at))
    by_customer = {}
    for customer_id, status, created in orders:
        by_customer.setdefault(customer_id, []).append((status, created))
    tiers = dict(await _rows(database.url, select(Customer.id, Customer.tier)))
    assert tiers[1] == "key"
    assert [s for s, _ in by_customer[1]].count("shipped") == 1
    newest_of_1 = max(by_customer[1], key=lambda o: o[1])
    assert newest_of_1[0] == "shipped"
    assert len([1 for _, c in by_customer[2] if (ANCHOR - c.date()).days <= 14]) >= 5
    assert tiers[3] == "small" and len(by_customer[3]) == 1
    assert 4 not in by_customer and tiers[4] == "small"


def test_plan_is_deterministic_in_memory() -> None:
    first, second = build_plan(ANCHOR), build_plan(ANCHOR)
    assert [(o.order_no, o.status, o.total_fen) for o in first.orders] == [
        (o.order_no, o.status, o.total_fen) for o in second.orders
    ]
    assert [c.phone for c in first.customers] == [c.phone for c in second.customers]


def test_another_anchor_moves_the_timeline() -> None:
    plan = build_plan(date(2027, 3, 1))
    assert max(o.order_no[2:10] for o in plan.orders) <= "20270301"
    assert max(o.order_no[2:10] for o in plan.orders) > "20261120"


async def test_fresh_database_gets_identical_orders(database: TestDatabase, tmp_path) -> None:
    fresh = sqlite_url(tmp_path)
    engine = create_engine(fresh)
    try:
        await upgrade(engine)
        assert await seed(engine, ANCHOR) is True
    finally:
        await engine.dispose()
    assert await order_fingerprint(fresh) == await order_fingerprint(database.url)


async def test_seed_again_is_a_no_op_and_migrate_is_idempotent(database: TestDatabase) -> None:
    before = await order_fingerprint(database.url)
    engine = create_engine(database.url)
    try:
        await upgrade(engine)
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()
        assert await seed(engine, ANCHOR) is False
    finally:
        await engine.dispose()
    assert await order_fingerprint(database.url) == before


async def test_reset_rebuilds_the_same_data(tmp_path) -> None:
    url = sqlite_url(tmp_path)
    engine = create_engine(url)
    try:
        await upgrade(engine)
        await seed(engine, ANCHOR)
        first = await order_fingerprint(url)
        assert await seed(engine, ANCHOR, reset=True) is True
        assert await _scalar(url, select(func.min(Customer.id))) == 1
    finally:
        await engine.dispose()
    assert await order_fingerprint(url) == first
