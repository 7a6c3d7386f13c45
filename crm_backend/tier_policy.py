"""The tier policy (policy/tiers.toml): thresholds and per-tier member benefits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Tuple

from .config import CRMConfig
from .policy_files import PolicyError, integer, read_policy, table
from .tiers import TIERS, TierThresholds


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


def current_tier_policy() -> TierPolicy:
    """The tier policy named by the environment (CRM_TIERS_POLICY)."""
    return load_tier_policy(CRMConfig.from_env().tiers_policy_path)
