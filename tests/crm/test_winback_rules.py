"""Unit tests of the win-back decision by tier."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from crm_backend.core.config import POLICY_DIR
from crm_backend.core.policy_files import PolicyError
from crm_backend.loyalty.policy import (RetentionOffer, load_rewards_policy, parse_rewards_policy,
                                        read_policy)
from crm_backend.winback.rules import decide_winback, follow_up_at

POLICY = load_rewards_policy(POLICY_DIR / "rewards.toml")
NOW = datetime(2026, 11, 20, 4, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("tier, bad, action, kind, alert", [
    ("key", False, "handoff_and_alert", "coupon", True),
    ("ordinary", False, "retention_offer", "coupon", False),
    ("small", False, "light_offer", "points", False),
    ("key", True, "none", None, False),
    ("ordinary", True, "none", None, False),
    ("small", True, "none", None, False),
])
def test_decision_per_tier(tier, bad, action, kind, alert) -> None:
    decision = decide_winback(tier, bad, POLICY)
    assert decision.action == action and decision.alert_staff is alert
    assert decision.hand_off is alert
    assert (decision.offer.kind if decision.offer else None) == kind
    assert decision.tier_used == tier and decision.bad_faith_used is bad


def test_offer_amounts_come_from_policy() -> None:
    assert decide_winback("ordinary", False, POLICY).offer.value_fen == 2000
    assert decide_winback("key", False, POLICY).offer.value_fen == 5000
    assert decide_winback("small", False, POLICY).offer.points == 100


def test_business_can_withdraw_the_key_offer() -> None:
    retention = dict(POLICY.retention, key=RetentionOffer(action="handoff_and_alert", kind="none"))
    policy = dataclasses.replace(POLICY, retention=retention)
    decision = decide_winback("key", False, policy)
    assert decision.offer is None and decision.alert_staff


@pytest.mark.parametrize("tier, bad, days", [
    ("ordinary", False, 7), ("key", False, 0), ("small", False, 0), ("ordinary", True, 0),
])
def test_only_the_ordinary_offer_is_followed_up(tier, bad, days) -> None:
    decision = decide_winback(tier, bad, POLICY)
    assert decision.follow_up_days == days
    expected = NOW + timedelta(days=days) if days else None
    assert follow_up_at(decision, NOW) == expected


def test_follow_up_delay_override_replaces_only_the_delay() -> None:
    ordinary = decide_winback("ordinary", False, POLICY)
    assert follow_up_at(ordinary, NOW, override_seconds=30) == NOW + timedelta(seconds=30)
    assert follow_up_at(decide_winback("key", False, POLICY), NOW, override_seconds=30) is None


def _with_small(**changes) -> dict:
    doc = read_policy(POLICY_DIR / "rewards.toml")
    doc["retention"]["small"] = {**doc["retention"]["small"], **changes}
    return doc


def test_any_tier_may_ask_for_a_follow_up() -> None:
    policy = parse_rewards_policy(_with_small(follow_up_days=3))
    assert decide_winback("small", False, policy).follow_up_days == 3
    never = parse_rewards_policy(_with_small(follow_up_days=0))
    assert follow_up_at(decide_winback("small", False, never), NOW) is None


@pytest.mark.parametrize("value", [-1, "7", 1.5, True])
def test_bad_follow_up_days_are_refused(value) -> None:
    with pytest.raises(PolicyError):
        parse_rewards_policy(_with_small(follow_up_days=value))
