"""Product search in the database."""

from __future__ import annotations

from typing import List

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.core.models import Product


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


async def all_products(session: AsyncSession) -> List[Product]:
    """The whole catalogue, in a stable order."""
    return list((await session.execute(select(Product).order_by(Product.sku))).scalars())
