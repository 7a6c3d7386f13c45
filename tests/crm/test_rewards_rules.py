"""Unit tests of the rewards policy, purchase points, redemption and milestone rules."""

from __future__ import annotations

from datetime import date

import pytest

from crm_backend.core.config import POLICY_DIR
from crm_backend.core.policy_files import PolicyError
from crm_backend.loyalty.policy import load_rewards_policy, parse_rewards_policy, read_policy
from crm_backend.loyalty.rules import decide_debit, milestones_due, purchase_points

POLICY = load_rewards_policy(POLICY_DIR / "rewards.toml")


def test_catalogue_from_policy() -> None:
    ids = [(r.id, r.points_cost, r.value_fen, r.min_spend_fen) for r in POLICY.catalogue]
    assert ids == [("coupon-5", 500, 500, 5000), ("coupon-10", 1000, 1000, 0),
                   ("coupon-30", 3000, 3000, 19900)]
    assert POLICY.reward("coupon-10") is not None and POLICY.reward("nope") is None


@pytest.mark.parametrize("total_fen, points", [(0, 0), (99, 0), (100, 1), (19_950, 199), (-5, 0)])
def test_purchase_points(total_fen, points) -> None:
    assert purchase_points(total_fen, POLICY) == points


@pytest.mark.parametrize("balance, allowed", [(1000, True), (1500, True), (999, False),
                                              (0, False), (-20, False)])
def test_debit_never_takes_the_balance_below_zero(balance, allowed) -> None:
    decision = decide_debit(balance, 1000, "兑换“10元无门槛券”")
    assert decision.allowed is allowed and decision.needed == 1000
    if not allowed:
        assert decision.message.startswith("积分不足：兑换“10元无门槛券”需要1000积分，当前可用")
        assert f"还差{1000 - balance}积分" in decision.message


def test_a_debit_takes_points() -> None:
    with pytest.raises(ValueError):
        decide_debit(500, 0, "兑换")


@pytest.mark.parametrize("birthday, today, kinds", [
    (date(1990, 11, 20), date(2026, 11, 20), ["birthday"]),
    (date(1990, 11, 21), date(2026, 11, 20), []),
    (date(1992, 2, 29), date(2027, 2, 28), ["birthday"]),
    (date(1992, 2, 29), date(2028, 2, 28), []),
    (date(1992, 2, 29), date(2028, 2, 29), ["birthday"]),
    (None, date(2026, 11, 20), []),
])
def test_birthday(birthday, today, kinds) -> None:
    due = milestones_due(7, "ordinary", False, birthday, date(2026, 1, 1), today, POLICY)
    assert [g.kind for g in due] == kinds
    if kinds:
        assert due[0].points == 200 and due[0].idempotency_key == f"birthday:7:{today.year}"


@pytest.mark.parametrize("joined, today, expected", [
    (date(2024, 11, 20), date(2026, 11, 20), "注册2周年积分"),
    (date(2026, 11, 20), date(2026, 11, 20), None),
    (date(2024, 11, 19), date(2026, 11, 20), None),
])
def test_anniversary(joined, today, expected) -> None:
    due = milestones_due(3, "key", False, None, joined, today, POLICY)
    assert [g.reason for g in due] == ([expected] if expected else [])
    if expected:
        assert due[0].points == 300 and due[0].idempotency_key == "anniversary:3:2026"


def test_bad_faith_customers_get_no_milestones() -> None:
    assert milestones_due(1, "key", True, date(1990, 11, 20), date(2020, 11, 20),
                          date(2026, 11, 20), POLICY) == []


def test_duplicate_catalogue_ids_are_refused() -> None:
    doc = read_policy(POLICY_DIR / "rewards.toml")
    doc["catalogue"].append(dict(doc["catalogue"][0]))
    with pytest.raises(PolicyError):
        parse_rewards_policy(doc)
