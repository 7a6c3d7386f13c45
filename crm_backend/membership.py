"""The member view (tier, benefits, next tier, points) as a plain function."""

from __future__ import annotations

from typing import Any, Dict

from .labels import tier_label
from .money import fen_to_yuan
from .tier_policy import TierPolicy
from .tiers import next_tier_gap


def membership_view(tier: str, tier_reason: str, spent_fen: int, order_count: int,
                    balance: int, policy: TierPolicy) -> Dict[str, Any]:
    """The membership JSON shape for one customer."""
    gap = next_tier_gap(tier, spent_fen, order_count, policy.thresholds)
    next_tier = None if gap is None else {
        "tier": gap.tier,
        "tier_label": tier_label(gap.tier),
        "missing_spend_yuan": fen_to_yuan(gap.missing_spent_fen),
        "missing_orders": gap.missing_orders,
    }
    return {
        "tier": tier,
        "tier_label": tier_label(tier),
        "tier_reason": tier_reason,
        "benefits": list(policy.benefits.get(tier, ())),
        "next_tier": next_tier,
        "points_balance": balance,
    }
