"""Points entries, rewards, redemptions and tier results to the JSON shapes of the API."""

from __future__ import annotations

from typing import Any, Dict

from crm_backend.core.models import PointsEntry
from crm_backend.core.money import fen_to_yuan
from crm_backend.core.time import beijing_iso
from crm_backend.core.vocabulary import tier_label
from crm_backend.loyalty.policy import CatalogueReward
from crm_backend.loyalty.store import Redemption, TierResult


def entry_json(entry: PointsEntry) -> Dict[str, Any]:
    """One ledger line."""
    return {"delta": entry.delta, "reason": entry.reason, "source": entry.source,
            "created_at": beijing_iso(entry.created_at)}


def reward_json(reward: CatalogueReward) -> Dict[str, Any]:
    """One catalogue entry."""
    return {"id": reward.id, "title": reward.title, "points_cost": reward.points_cost,
            "value_yuan": fen_to_yuan(reward.value_fen),
            "min_spend_yuan": fen_to_yuan(reward.min_spend_fen)}


def redemption_json(result: Redemption) -> Dict[str, Any]:
    """The coupon received and the balance after."""
    coupon = result.coupon
    return {
        "coupon": {"code": coupon.code, "title": result.title,
                   "value_yuan": fen_to_yuan(coupon.value_fen),
                   "min_spend_yuan": fen_to_yuan(coupon.min_spend_fen),
                   "expires_at": beijing_iso(coupon.expires_at)},
        "balance": result.balance,
    }


def result_json(result: TierResult) -> Dict[str, Any]:
    """One recomputation outcome."""
    return {"customer_id": result.customer_id, "old_tier": result.old_tier,
            "tier": result.tier, "tier_label": tier_label(result.tier),
            "tier_reason": result.reason, "changed": result.changed,
            "computed_at": beijing_iso(result.computed_at)}
