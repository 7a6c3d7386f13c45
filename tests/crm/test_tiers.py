"""Unit tests of the tier rule."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from crm_backend.loyalty.policy import TierThresholds
from crm_backend.loyalty.rules import DEFAULT_TIER_THRESHOLDS, compute_tier, summarise_orders

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)


def test_big_recent_spender_is_key_with_chinese_reason() -> None:
    tier, reason = compute_tier(1_234_000, 18, NOW - timedelta(days=3), NOW)
    assert tier == "key"
    assert reason == "近一年消费¥12,340，下单18次"


def test_key_needs_both_spend_and_frequency() -> None:
    assert compute_tier(5_000_000, 2, NOW - timedelta(days=3), NOW)[0] == "ordinary"
    assert compute_tier(90_000, 30, NOW - timedelta(days=3), NOW)[0] == "ordinary"


def test_thresholds_are_inclusive() -> None:
    t = DEFAULT_TIER_THRESHOLDS
    last = NOW - timedelta(days=1)
    assert compute_tier(t.key_min_spent_fen, t.key_min_orders, last, NOW)[0] == "key"
    assert compute_tier(t.key_min_spent_fen - 1, t.key_min_orders, last, NOW)[0] == "ordinary"
    assert compute_tier(t.ordinary_min_spent_fen, 1, last, NOW)[0] == "ordinary"
    assert compute_tier(t.ordinary_min_spent_fen - 1, 1, last, NOW)[0] == "small"


def test_no_orders_is_small() -> None:
    assert compute_tier(0, 0, None, NOW) == ("small", "近一年无有效订单")


def test_long_silence_demotes_to_small_and_says_so() -> None:
    tier, reason = compute_tier(2_000_000, 20, NOW - timedelta(days=200), NOW)
    assert tier == "small"
    assert "200天未下单" in reason


def test_thresholds_are_configurable() -> None:
    lenient = TierThresholds(key_min_spent_fen=100, key_min_orders=1)
    assert compute_tier(100, 1, NOW - timedelta(days=1), NOW, lenient)[0] == "key"


def test_summary_counts_only_paid_orders_inside_the_window() -> None:
    orders = [
        ("delivered", 10_000, NOW - timedelta(days=10)),
        ("shipped", 5_000, NOW - timedelta(days=2)),
        ("cancelled", 99_999, NOW - timedelta(days=1)),
        ("pending_payment", 99_999, NOW - timedelta(hours=1)),
        ("refunded", 99_999, NOW - timedelta(days=5)),
        ("delivered", 99_999, NOW - timedelta(days=400)),
    ]
    spent, count, last = summarise_orders(orders, NOW, 365)
    assert (spent, count, last) == (15_000, 2, NOW - timedelta(days=2))
