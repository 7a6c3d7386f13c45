"""The demo page's reads: the customers it offers to sign in as, and an order to verify with."""

from __future__ import annotations

from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.core.models import Customer, Order


async def demo_customers(session: AsyncSession, limit: int) -> List[Customer]:
    """The first customers of the seed (those shaped for demos)."""
    result = await session.execute(select(Customer).order_by(Customer.id).limit(limit))
    return list(result.scalars())


async def latest_order(session: AsyncSession, customer_id: int) -> Optional[Order]:
    """The customer's most recent order, for the anonymous visitor's example."""
    result = await session.execute(
        select(Order).where(Order.customer_id == customer_id)
        .order_by(Order.created_at.desc(), Order.id.desc()).limit(1))
    return result.scalars().first()
