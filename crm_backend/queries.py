"""Database reads used by the API, each returning ORM objects or None."""

from __future__ import annotations

from typing import List, Optional

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from .models import Customer, Order, Product, Shipment


async def customer_by_id(session: AsyncSession, customer_id: int) -> Optional[Customer]:
    """The customer with this id, if any."""
    return await session.get(Customer, customer_id)


async def order_with_customer(session: AsyncSession, order_no: str) -> Optional[Order]:
    """An order with its customer loaded."""
    stmt = select(Order).where(Order.order_no == order_no).options(selectinload(Order.customer))
    return (await session.execute(stmt)).scalar_one_or_none()


async def customer_orders(
    session: AsyncSession, customer_id: int, limit: int, status: Optional[str]
) -> List[Order]:
    """A customer's orders, newest first, with their items."""
    stmt = (
        select(Order)
        .where(Order.customer_id == customer_id)
        .options(selectinload(Order.items))
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(limit)
    )
    if status is not None:
        stmt = stmt.where(Order.status == status)
    return list((await session.execute(stmt)).scalars())


async def order_detail(session: AsyncSession, order_no: str) -> Optional[Order]:
    """An order with items, shipment scans and refunds."""
    stmt = (
        select(Order)
        .where(Order.order_no == order_no)
        .options(
            selectinload(Order.items),
            selectinload(Order.shipment).selectinload(Shipment.events),
            selectinload(Order.refunds),
        )
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def search_products(session: AsyncSession, query: str, limit: int) -> List[Product]:
    """Products whose name, brand or category contains `query` (all when empty)."""
    stmt = select(Product).order_by(Product.id).limit(limit)
    if query:
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        stmt = stmt.where(
            or_(
                Product.name.ilike(pattern, escape="\\"),
                Product.brand.ilike(pattern, escape="\\"),
                Product.category.ilike(pattern, escape="\\"),
            )
        )
    return list((await session.execute(stmt)).scalars())
