"""Customer tiering (客户分级): an RFM-style rule as plain functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Optional, Tuple

from .money import fen_to_rounded_yuan

VALUE_STATUSES = frozenset({"pending_shipment", "shipped", "delivered", "refunding"})
TIERS = ("key", "ordinary", "small")
TIER_RANK = {"small": 0, "ordinary": 1, "key": 2}


@dataclass(frozen=True)
class TierThresholds:
    """Parameters of the tier rule (amounts in fen).

    The business edits them in policy/tiers.toml; these defaults equal the packaged file
    and keep the demo seed deterministic whatever the environment points at.
    """

    window_days: int = 365
    key_min_spent_fen: int = 1_000_000
    key_min_orders: int = 8
    ordinary_min_spent_fen: int = 30_000
    ordinary_min_orders: int = 2
    recency_days: int = 180


DEFAULT_TIER_THRESHOLDS = TierThresholds()


def summarise_orders(
    orders: Iterable[Tuple[str, int, datetime]], now: datetime, window_days: int
) -> Tuple[int, int, Optional[datetime]]:
    """Spent fen, order count and last order time over paid, non-refunded orders in the window."""
    since = now - timedelta(days=window_days)
    spent, count, last = 0, 0, None
    for status, total_fen, created_at in orders:
        if status not in VALUE_STATUSES or created_at < since or created_at > now:
            continue
        spent += total_fen
        count += 1
        last = created_at if last is None or created_at > last else last
    return spent, count, last


def compute_tier(
    total_spent_fen: int,
    order_count: int,
    last_order_at: Optional[datetime],
    now: datetime,
    thresholds: TierThresholds = DEFAULT_TIER_THRESHOLDS,
) -> Tuple[str, str]:
    """Grade a customer as key / ordinary / small and explain why in Chinese."""
    if order_count <= 0 or last_order_at is None:
        return "small", "近一年无有效订单"
    summary = f"近一年消费{fen_to_rounded_yuan(total_spent_fen)}，下单{order_count}次"
    days_since = max((now - last_order_at).days, 0)
    if days_since > thresholds.recency_days:
        return "small", f"{summary}，但已{days_since}天未下单"
    if (
        total_spent_fen >= thresholds.key_min_spent_fen
        and order_count >= thresholds.key_min_orders
    ):
        return "key", summary
    if (
        total_spent_fen >= thresholds.ordinary_min_spent_fen
        or order_count >= thresholds.ordinary_min_orders
    ):
        return "ordinary", summary
    return "small", summary


@dataclass(frozen=True)
class TierGap:
    """What is missing to reach the next tier (key needs both, ordinary either)."""

    tier: str
    missing_spent_fen: int
    missing_orders: int


def is_upgrade(old_tier: Optional[str], new_tier: str) -> bool:
    """True when `new_tier` ranks above `old_tier` (a first grading is not an upgrade)."""
    return old_tier is not None and TIER_RANK[new_tier] > TIER_RANK[old_tier]


def next_tier_gap(
    tier: str, total_spent_fen: int, order_count: int,
    thresholds: TierThresholds = DEFAULT_TIER_THRESHOLDS,
) -> Optional[TierGap]:
    """The next tier up and the spend and orders still missing, or None for key customers."""
    if tier == "key":
        return None
    if tier == "ordinary":
        return TierGap(
            "key",
            max(thresholds.key_min_spent_fen - total_spent_fen, 0),
            max(thresholds.key_min_orders - order_count, 0),
        )
    return TierGap(
        "ordinary",
        max(thresholds.ordinary_min_spent_fen - total_spent_fen, 0),
        max(thresholds.ordinary_min_orders - order_count, 1 if order_count == 0 else 0),
    )
