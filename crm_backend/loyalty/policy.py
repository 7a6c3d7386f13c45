"""The tier and rewards policies (policy/tiers.toml, policy/rewards.toml) as typed, immutable values."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

from crm_backend.core.policy_files import PolicyError, integer, per_tier, read_policy, table
from crm_backend.core.vocabulary import TIERS


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


@dataclass(frozen=True)
class TierPolicy:
    """Thresholds of the tier rule and the benefits shown for each tier."""

    thresholds: TierThresholds
    benefits: Dict[str, Tuple[str, ...]]


def _benefits(raw: Mapping[str, Any]) -> Dict[str, Tuple[str, ...]]:
    """One list of Chinese benefit lines per tier."""
    result = {}
    for tier in TIERS:
        lines = raw.get(tier)
        if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
            raise PolicyError(f"[benefits] {tier} must be a list of strings")
        result[tier] = tuple(lines)
    return result


def parse_tier_policy(doc: Mapping[str, Any]) -> TierPolicy:
    """Validate a parsed tiers.toml document."""
    key, ordinary = table(doc, "key"), table(doc, "ordinary")
    thresholds = TierThresholds(
        window_days=integer(doc, "window_days", 1),
        recency_days=integer(doc, "recency_days", 1),
        key_min_spent_fen=integer(key, "min_spent_yuan") * 100,
        key_min_orders=integer(key, "min_orders", 1),
        ordinary_min_spent_fen=integer(ordinary, "min_spent_yuan") * 100,
        ordinary_min_orders=integer(ordinary, "min_orders", 1),
    )
    return TierPolicy(thresholds=thresholds, benefits=_benefits(table(doc, "benefits")))


def load_tier_policy(path: Path) -> TierPolicy:
    """Read and validate the tier policy file."""
    return parse_tier_policy(read_policy(path))


WINBACK_ACTIONS = ("handoff_and_alert", "retention_offer", "light_offer", "none")


OFFER_KINDS = ("coupon", "points", "none")


@dataclass(frozen=True)
class CatalogueReward:
    """A reward points can be redeemed for (always a coupon)."""

    id: str
    title: str
    points_cost: int
    value_fen: int
    min_spend_fen: int
    valid_days: int


@dataclass(frozen=True)
class RetentionOffer:
    """What a win-back attempt does for one tier (or for bad-faith customers)."""

    action: str
    kind: str
    title: str = ""
    value_fen: int = 0
    min_spend_fen: int = 0
    valid_days: int = 30
    points: int = 0
    follow_up_days: int = 0


@dataclass(frozen=True)
class RewardsPolicy:
    """Points earning, expiry, milestone rewards, retention offers and the catalogue."""

    points_per_yuan: int
    expiry_months: int
    expiring_notice_days: int
    tier_upgrade_bonus: Dict[str, int]
    birthday_points: Dict[str, int]
    anniversary_points: Dict[str, int]
    retention: Dict[str, RetentionOffer]
    catalogue: Tuple[CatalogueReward, ...]

    def reward(self, reward_id: str) -> Optional[CatalogueReward]:
        """The catalogue entry with this id, if any."""
        return next((r for r in self.catalogue if r.id == reward_id), None)


def _retention(name: str, raw: Mapping[str, Any]) -> RetentionOffer:
    """One `[retention.<name>]` table."""
    action, kind = raw.get("action"), raw.get("kind", "none")
    if action not in WINBACK_ACTIONS or kind not in OFFER_KINDS:
        raise PolicyError(f"[retention.{name}] has an unknown action or kind")
    return RetentionOffer(
        action=action,
        kind=kind,
        title=str(raw.get("title", "")),
        value_fen=integer(raw, "value_yuan") * 100 if kind == "coupon" else 0,
        min_spend_fen=integer(raw, "min_spend_yuan") * 100 if kind == "coupon" else 0,
        valid_days=integer(raw, "valid_days", 1) if kind == "coupon" else 30,
        points=integer(raw, "points", 1) if kind == "points" else 0,
        follow_up_days=integer(raw, "follow_up_days") if "follow_up_days" in raw else 0,
    )


def _catalogue(items: Any) -> Tuple[CatalogueReward, ...]:
    """The `[[catalogue]]` array, ids unique."""
    if not isinstance(items, list):
        raise PolicyError("policy array [[catalogue]] is missing")
    rewards = tuple(
        CatalogueReward(
            id=str(item["id"]),
            title=str(item["title"]),
            points_cost=integer(item, "points_cost", 1),
            value_fen=integer(item, "value_yuan", 1) * 100,
            min_spend_fen=integer(item, "min_spend_yuan") * 100,
            valid_days=integer(item, "valid_days", 1),
        )
        for item in items
    )
    if len({r.id for r in rewards}) != len(rewards):
        raise PolicyError("catalogue reward ids must be unique")
    return rewards


def parse_rewards_policy(doc: Mapping[str, Any]) -> RewardsPolicy:
    """Validate a parsed rewards.toml document."""
    retention = table(doc, "retention")
    return RewardsPolicy(
        points_per_yuan=integer(doc, "points_per_yuan"),
        expiry_months=integer(doc, "expiry_months", 1),
        expiring_notice_days=integer(doc, "expiring_notice_days", 1),
        tier_upgrade_bonus=per_tier(doc, "tier_upgrade_bonus"),
        birthday_points=per_tier(doc, "birthday_points"),
        anniversary_points=per_tier(doc, "anniversary_points"),
        retention={name: _retention(name, table(retention, name))
                   for name in ("key", "ordinary", "small", "bad_faith")},
        catalogue=_catalogue(doc.get("catalogue")),
    )


def load_rewards_policy(path: Path) -> RewardsPolicy:
    """Read and validate the rewards policy file."""
    return parse_rewards_policy(read_policy(path))
