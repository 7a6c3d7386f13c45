"""Write the deterministic demo plan into the CRM database (idempotent)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import List

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from crm_backend.core.db import create_sessionmaker
from crm_backend.core.migrate import downgrade, upgrade
from crm_backend.core.models import (ChannelIdentity, Customer, Order, OrderItem, PointsEntry,
                                     Product, Refund, Shipment, StaffUser, TrackingEvent)
from crm_backend.seed.catalog import PRODUCTS
from crm_backend.seed.plan import OrderSpec, SeedPlan, build_plan
from crm_backend.staff.passwords import hash_password

DEMO_STAFF_PASSWORD = "kefu-demo"


POINTS_VALID_DAYS = 365


def _order_row(
    spec: OrderSpec, plan: SeedPlan, customer_ids: List[int], product_ids: List[int]
) -> Order:
    """ORM graph of one planned order."""
    customer = plan.customers[spec.customer_index]
    order = Order(
        order_no=spec.order_no,
        customer_id=customer_ids[spec.customer_index],
        status=spec.status,
        items_total_fen=spec.items_total_fen,
        shipping_fen=spec.shipping_fen,
        discount_fen=spec.discount_fen,
        total_fen=spec.total_fen,
        receiver_name=customer.name,
        receiver_phone=customer.phone,
        address=customer.address,
        created_at=spec.created_at,
        paid_at=spec.paid_at,
        shipped_at=spec.shipped_at,
        delivered_at=spec.delivered_at,
        cancelled_at=spec.cancelled_at,
    )
    for item in spec.items:
        sku, name = PRODUCTS[item.product_index][0], PRODUCTS[item.product_index][1]
        order.items.append(
            OrderItem(
                product_id=product_ids[item.product_index],
                sku=sku,
                name=name,
                colour=item.colour,
                size=item.size,
                quantity=item.quantity,
                unit_price_fen=item.unit_price_fen,
            )
        )
    if spec.shipment is not None:
        order.shipment = Shipment(
            carrier=spec.shipment.carrier,
            tracking_no=spec.shipment.tracking_no,
            created_at=spec.shipment.created_at,
            events=[
                TrackingEvent(
                    occurred_at=e.occurred_at, location=e.location, description=e.description
                )
                for e in spec.shipment.events
            ],
        )
    if spec.refund is not None:
        order.refunds.append(
            Refund(
                amount_fen=spec.refund.amount_fen,
                status=spec.refund.status,
                reason=spec.refund.reason,
                idempotency_key=f"seed-refund:{spec.order_no}",
                created_at=spec.refund.created_at,
                updated_at=spec.refund.updated_at,
                completed_at=spec.refund.completed_at,
            )
        )
    return order


def _points_row(spec: OrderSpec, customer_id: int) -> PointsEntry:
    """Purchase points (1 point per yuan) for a delivered order."""
    earned_at = spec.delivered_at or spec.created_at
    return PointsEntry(
        customer_id=customer_id,
        delta=spec.total_fen // 100,
        reason=f"订单{spec.order_no}购物积分",
        source="order",
        idempotency_key=f"order-points:{spec.order_no}",
        expires_at=earned_at + timedelta(days=POINTS_VALID_DAYS),
        created_at=earned_at,
    )


async def _write(session: AsyncSession, plan: SeedPlan) -> None:
    """Insert the plan in a fixed order so ids are the same on every database."""
    staff = [
        StaffUser(
            username=s.username,
            display_name=s.display_name,
            role=s.role,
            password_hash=hash_password(DEMO_STAFF_PASSWORD, salt=s.salt.encode()),
            created_at=plan.now - timedelta(days=900),
        )
        for s in plan.staff
    ]
    session.add_all(staff)
    products = [
        Product(sku=sku, name=name, brand=brand, category=category, price_fen=price,
                stock=50 + (index * 37) % 400, colours=colours, sizes=sizes, description=desc)
        for index, (sku, name, brand, category, price, colours, sizes, desc) in enumerate(PRODUCTS)
    ]
    session.add_all(products)
    await session.flush()
    customers = []
    for spec in plan.customers:
        customer = Customer(
            name=spec.name,
            phone=spec.phone,
            tier=spec.tier,
            tier_reason=spec.tier_reason,
            tier_computed_at=plan.now,
            is_bad_faith=spec.is_bad_faith,
            bad_faith_reason=spec.bad_faith_reason,
            owner_staff_id=staff[spec.owner_index].id if spec.owner_index is not None else None,
            birthday=spec.birthday,
            created_at=spec.created_at,
        )
        session.add(customer)
        await session.flush()
        customers.append(customer)
    for spec, customer in zip(plan.customers, customers):
        if spec.wechat_openid:
            session.add(ChannelIdentity(customer_id=customer.id, channel="wechat",
                                        external_id=spec.wechat_openid, created_at=spec.created_at))
        if spec.web_account:
            session.add(ChannelIdentity(customer_id=customer.id, channel="web",
                                        external_id=spec.web_account, created_at=spec.created_at))
    customer_ids = [c.id for c in customers]
    product_ids = [p.id for p in products]
    for spec in plan.orders:
        session.add(_order_row(spec, plan, customer_ids, product_ids))
        if spec.status == "delivered":
            session.add(_points_row(spec, customer_ids[spec.customer_index]))
    await session.flush()


async def has_customers(engine: AsyncEngine) -> bool:
    """True when the database already holds customers."""
    async with create_sessionmaker(engine)() as session:
        return bool(await session.scalar(select(func.count(Customer.id))))


async def seed(engine: AsyncEngine, anchor: date, reset: bool = False) -> bool:
    """Seed an up-to-date schema; returns False when data existed and `reset` was not asked."""
    if reset:
        await downgrade(engine, "base")
        await upgrade(engine)
    elif await has_customers(engine):
        return False
    plan = build_plan(anchor)
    async with create_sessionmaker(engine)() as session:
        async with session.begin():
            await _write(session, plan)
    return True
