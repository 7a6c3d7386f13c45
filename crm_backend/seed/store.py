"""Write the deterministic demo plan into the CRM database (idempotent)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import List

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from crm_backend.core.db import create_sessionmaker
from crm_backend.core.migrate import downgrade, upgrade
from crm_backend.core.models import (AfterSalesRequest, AfterSalesStep, Appointment,
                                     ChannelIdentity, Customer, Invoice, InvoiceSend,
                                     InvoiceVersion, Order, OrderItem, PointsEntry, PriceChange,
                                     Product, Refund, Shipment, StaffUser, TrackingEvent)
from crm_backend.seed.after_sales import (AfterSalesPlan, build_after_sales,
                                          seeded_invoice_number)
from crm_backend.seed.catalog import LARGE_PRODUCTS, PRODUCTS
from crm_backend.seed.plan import OrderSpec, SeedPlan, build_plan
from crm_backend.staff.passwords import hash_password

DEMO_STAFF_PASSWORD = "kefu-demo"


POINTS_VALID_DAYS = 365


# Every product the seed writes, in id order: (sku, name, …, bulky, needs_installation).
CATALOGUE = [(*product, False, False) for product in PRODUCTS] + list(LARGE_PRODUCTS)


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
        sku, name = CATALOGUE[item.product_index][0], CATALOGUE[item.product_index][1]
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
                stock=50 + (index * 37) % 400, colours=colours, sizes=sizes, description=desc,
                bulky=bulky, needs_installation=install)
        for index, (sku, name, brand, category, price, colours, sizes, desc, bulky, install)
        in enumerate(CATALOGUE)
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


async def _write_after_sales(session: AsyncSession, plan: SeedPlan, extra: AfterSalesPlan
                             ) -> None:
    """Price changes, after-sales requests with their steps, invoices and appointments."""
    products = list((await session.execute(select(Product).order_by(Product.id))).scalars())
    orders = {o.order_no: o for o in (await session.execute(select(Order))).scalars()}
    items = {(i.order_id, i.product_id): i.id
             for i in (await session.execute(select(OrderItem))).scalars()}
    for change in extra.price_changes:
        product = products[change.product_index]
        session.add(PriceChange(product_id=product.id, old_price_fen=change.old_price_fen,
                                price_fen=change.price_fen, reason=change.reason,
                                changed_at=change.at))
        product.price_fen = change.price_fen
    for spec in extra.requests:
        order = orders[spec.order.order_no]
        item_id = (items[(order.id, products[spec.product].id)]
                   if spec.product is not None else None)
        status, last_at, _note = spec.steps[-1]
        request = AfterSalesRequest(
            number=spec.number, customer_id=order.customer_id, order_id=order.id,
            order_item_id=item_id, kind=spec.kind, status=status, reason=spec.reason,
            reject_reason=spec.reject_reason, refund_fen=spec.refund_fen,
            return_tracking_no=spec.return_tracking_no,
            outbound_carrier=spec.outbound[0] if spec.outbound else None,
            outbound_tracking_no=spec.outbound[1] if spec.outbound else None,
            created_at=spec.steps[0][1], updated_at=last_at)
        request.steps = [AfterSalesStep(status=step, note=note, occurred_at=at)
                         for step, at, note in spec.steps]
        session.add(request)
    for spec in extra.invoices:
        order = orders[spec.order.order_no]
        invoice = Invoice(
            order_id=order.id, customer_id=order.customer_id, kind=spec.kind, title=spec.title,
            tax_no=spec.tax_no, status=spec.status, version=0, reissues=0,
            amount_fen=order.total_fen, email=spec.email, created_at=order.paid_at,
            updated_at=spec.voided_at or spec.issued_at or order.paid_at)
        if spec.issued_at is not None:
            number = seeded_invoice_number(order.id, spec.issued_at)
            invoice.version, invoice.number = 1, number
            invoice.first_issued_at = invoice.issued_at = invoice.sent_at = spec.issued_at
            invoice.versions = [InvoiceVersion(
                version=1, number=number, kind=spec.kind, title=spec.title, tax_no=spec.tax_no,
                reason="签收后自动开具", issued_at=spec.issued_at, voided_at=spec.voided_at)]
        session.add(invoice)
        if spec.issued_at is not None and spec.email:
            await session.flush()
            session.add(InvoiceSend(invoice_id=invoice.id, version=1, email=spec.email,
                                    idempotency_key=f"seed-invoice-send:{order.order_no}",
                                    sent_at=spec.issued_at))
    for booked in extra.appointments:
        order = orders[booked.order.order_no]
        session.add(Appointment(
            order_id=order.id, customer_id=order.customer_id, kind=booked.kind, day=booked.day,
            time_window=booked.window, status="booked", changes=0,
            idempotency_key=f"seed-appointment:{order.order_no}:{booked.kind}",
            created_at=booked.booked_at, updated_at=booked.booked_at))
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
    extra = build_after_sales(plan)
    async with create_sessionmaker(engine)() as session:
        async with session.begin():
            await _write(session, plan)
            await _write_after_sales(session, plan, extra)
    return True
