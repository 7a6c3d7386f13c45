"""Unit tests of the tier policy file, next-tier gaps, upgrades and the membership view."""

from __future__ import annotations

import pytest

from crm_backend.core.config import POLICY_DIR
from crm_backend.core.policy_files import PolicyError
from crm_backend.loyalty.policy import load_tier_policy, parse_tier_policy
from crm_backend.loyalty.rules import (DEFAULT_TIER_THRESHOLDS, TierGap, is_upgrade,
                                       membership_view, next_tier_gap)

POLICY = load_tier_policy(POLICY_DIR / "tiers.toml")


def test_packaged_file_holds_the_documented_thresholds() -> None:
    assert POLICY.thresholds == DEFAULT_TIER_THRESHOLDS
    assert set(POLICY.benefits) == {"key", "ordinary", "small"}
    assert all(POLICY.benefits[t] for t in POLICY.benefits)


@pytest.mark.parametrize("old, new, expected", [
    ("small", "ordinary", True), ("small", "key", True), ("ordinary", "key", True),
    ("key", "ordinary", False), ("ordinary", "small", False), ("key", "key", False),
    (None, "key", False),
])
def test_is_upgrade(old, new, expected) -> None:
    assert is_upgrade(old, new) is expected


@pytest.mark.parametrize("tier, spent, count, gap", [
    ("key", 5_000_000, 30, None),
    ("ordinary", 600_000, 5, TierGap("key", 400_000, 3)),
    ("ordinary", 1_200_000, 3, TierGap("key", 0, 5)),
    ("small", 10_000, 1, TierGap("ordinary", 20_000, 1)),
    ("small", 0, 0, TierGap("ordinary", 30_000, 2)),
    ("small", 50_000, 5, TierGap("ordinary", 0, 0)),
])
def test_next_tier_gap(tier, spent, count, gap) -> None:
    assert next_tier_gap(tier, spent, count, DEFAULT_TIER_THRESHOLDS) == gap


def test_membership_view_for_ordinary_customer() -> None:
    view = membership_view("ordinary", "近一年消费¥6,000，下单5次", 600_000, 5, 820, POLICY)
    assert view["tier_label"] == "普通客户" and view["points_balance"] == 820
    assert view["benefits"] == list(POLICY.benefits["ordinary"])
    assert view["next_tier"] == {"tier": "key", "tier_label": "关键客户",
                                 "missing_spend_yuan": "4000.00", "missing_orders": 3}


def test_membership_view_for_key_customer_has_no_next_tier() -> None:
    assert membership_view("key", "", 0, 0, 0, POLICY)["next_tier"] is None


def test_bad_tier_policy_is_refused() -> None:
    with pytest.raises(PolicyError):
        parse_tier_policy({"window_days": 365, "recency_days": 180,
                           "key": {"min_spent_yuan": 1, "min_orders": 1},
                           "ordinary": {"min_spent_yuan": 1, "min_orders": 1},
                           "benefits": {"key": ["a"], "ordinary": "b", "small": []}})
