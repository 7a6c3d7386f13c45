"""Issuing coupons exactly once per idempotency key."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from .idempotent import insert_once
from .models import Coupon


def coupon_code(idempotency_key: str) -> str:
    """A stable, unguessable-enough code derived from the key (same key, same code)."""
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest().upper()
    return f"KFQ{digest[:13]}"


async def issue_coupon(
    session: AsyncSession,
    *,
    customer_id: int,
    value_fen: int,
    min_spend_fen: int,
    reason: str,
    idempotency_key: str,
    valid_days: int,
    now: datetime,
) -> Coupon:
    """Issue one coupon per key; a repeat returns the first coupon and writes nothing."""
    if value_fen <= 0 or min_spend_fen < 0 or valid_days <= 0:
        raise ValueError("coupon value and validity must be positive")
    coupon = Coupon(
        customer_id=customer_id,
        code=coupon_code(idempotency_key),
        value_fen=value_fen,
        min_spend_fen=min_spend_fen,
        status="active",
        reason=reason,
        idempotency_key=idempotency_key,
        expires_at=now + timedelta(days=valid_days),
        created_at=now,
    )
    stored, _created = await insert_once(session, coupon)
    return stored
