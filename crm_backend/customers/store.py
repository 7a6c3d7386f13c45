"""Customers in the database: lookups and staff marking a customer bad-faith."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.core.models import Customer


async def mark_bad_faith(session: AsyncSession, customer: Customer, *, is_bad_faith: bool,
                         reason: Optional[str], staff: str, now: datetime
                         ) -> Customer:
    """Set the flag with its reason and the staff member; the caller commits."""
    customer.is_bad_faith = is_bad_faith
    customer.bad_faith_reason = reason if is_bad_faith else None
    customer.bad_faith_marked_by = staff
    customer.bad_faith_marked_at = now
    await session.flush()
    return customer


async def customer_by_id(session: AsyncSession, customer_id: int) -> Optional[Customer]:
    """The customer with this id, if any."""
    return await session.get(Customer, customer_id)
