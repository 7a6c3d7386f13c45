"""Price protection decisions as plain functions: the window by category, the lowest price since
payment, and every reason a claim is refused."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crm_backend.core.policy_files import PolicyError
from crm_backend.pricing.policy import parse_price_protection_policy
from crm_backend.pricing.rules import ItemFacts, decide, lowest_price, refusal_of

PAID = datetime(2026, 11, 1, 2, 0, tzinfo=timezone.utc)  # 11月1日 10:00 Beijing
POLICY = parse_price_protection_policy({
    "window": {"default_days": 15, "categories": {"数码电子": 30, "食品生鲜": 0}},
    "claim": {"min_difference_yuan": 1, "order_statuses": ["pending_shipment", "shipped",
                                                           "delivered"]}})


def item(**overrides) -> ItemFacts:
    values = dict(name="耳机", category="数码电子", quantity=2, paid_unit_fen=100000)
    values.update(overrides)
    return ItemFacts(**values)


def at(days: float) -> datetime:
    return PAID + timedelta(days=days)


def test_the_window_depends_on_the_category() -> None:
    assert POLICY.window_days("数码电子") == 30
    assert POLICY.window_days("服装") == 15
    assert POLICY.window_days("食品生鲜") == 0


def test_the_lowest_price_counts_only_changes_after_payment_within_the_window() -> None:
    changes = [(80000, at(-1)), (95000, at(2)), (90000, at(5)), (70000, at(40))]
    assert lowest_price(changes, PAID, at(30)) == (90000, at(5))
    assert lowest_price(changes, PAID, at(3)) == (95000, at(2))
    assert lowest_price([], PAID, at(30)) == (None, None)


def test_a_drop_within_the_window_refunds_the_difference_for_every_piece() -> None:
    verdict = decide("KF1", "delivered", PAID, item(), [(90000, at(3))], at(10), POLICY)
    assert verdict.eligible and verdict.code == "eligible"
    assert (verdict.difference_fen, verdict.amount_fen) == (10000, 20000)
    assert verdict.window_ends_at == at(30) and "¥200.00" in verdict.reason


@pytest.mark.parametrize("status, code, words", [
    ("pending_payment", "order_not_paid", "还没有付款"),
    ("cancelled", "order_cancelled", "已取消"),
    ("refunding", "order_refunded", "退款中"),
    ("refunded", "order_refunded", "已退款"),
])
def test_orders_not_paid_or_open_cannot_claim(status: str, code: str, words: str) -> None:
    paid = None if status == "pending_payment" else PAID
    verdict = decide("KF1", status, paid, item(), [(90000, at(3))], at(10), POLICY)
    assert not verdict.eligible and verdict.code == code and words in verdict.reason


def test_each_reason_an_item_cannot_claim() -> None:
    drop = [(90000, at(3))]
    cases = {
        "category_not_protected": decide("KF1", "delivered", PAID, item(category="食品生鲜"),
                                         drop, at(10), POLICY),
        "already_claimed": decide("KF1", "delivered", PAID,
                                  item(claimed_at=at(4), claimed_fen=20000), drop, at(10),
                                  POLICY),
        "item_returned": decide("KF1", "delivered", PAID, item(returned=True), drop, at(10),
                                POLICY),
        "window_passed": decide("KF1", "delivered", PAID, item(), drop, at(31), POLICY),
        "no_price_drop": decide("KF1", "delivered", PAID, item(), [(100000, at(3))], at(10),
                                POLICY),
        "difference_too_small": decide("KF1", "delivered", PAID, item(), [(99950, at(3))],
                                       at(10), POLICY),
    }
    for code, verdict in cases.items():
        assert not verdict.eligible and verdict.code == code, (code, verdict)
    assert "11月5日申请过价保" in cases["already_claimed"].reason
    assert "付款后30天" in cases["window_passed"].reason and "12月1日" in cases["window_passed"].reason
    assert "没有降价" in cases["no_price_drop"].reason


def test_a_refusal_of_several_items_names_each() -> None:
    verdicts = [("A", decide("KF1", "delivered", PAID, item(name="耳机"), [], at(10), POLICY)),
                ("B", decide("KF1", "delivered", PAID, item(name="大米", category="食品生鲜"), [],
                             at(10), POLICY))]
    code, reason = refusal_of(verdicts)
    assert code == "not_eligible" and "耳机" in reason and "大米" in reason


@pytest.mark.parametrize("broken", [
    {"window": {"default_days": -1}, "claim": {"min_difference_yuan": 1,
                                               "order_statuses": ["delivered"]}},
    {"window": {"default_days": 15}, "claim": {"min_difference_yuan": 1,
                                               "order_statuses": ["refunded"]}},
    {"window": {"default_days": 15, "categories": {"服装": 400}},
     "claim": {"min_difference_yuan": 1, "order_statuses": ["delivered"]}},
    {"window": {"default_days": 15}},
])
def test_a_broken_policy_is_refused(broken: dict) -> None:
    with pytest.raises(PolicyError):
        parse_price_protection_policy(broken)
