"""The remedy rule table and descriptions as plain functions (packaged policy file)."""

from __future__ import annotations

import pytest

from crm_backend.complaints.remedies.policy import load_remedy_table, parse_remedy_table
from crm_backend.complaints.remedies.rules import (History, Remedy, alternatives_left, amount_fen,
                                                   asks_for_compensation, description,
                                                   execution_summary, free_resend_sequence,
                                                   propose_remedies, title, wishes)
from crm_backend.core.config import POLICY_DIR
from crm_backend.core.policy_files import PolicyError

TABLE = load_remedy_table(POLICY_DIR / "remedies.toml")
DELIVERED = History(order_status="delivered")


def kinds(category, severity, tier, bad_faith=False, history=DELIVERED):
    return [(r.kind, r.percent or r.value_fen or r.points) for r in
            propose_remedies(category, severity, tier, bad_faith, history, TABLE)]


@pytest.mark.parametrize("category,severity,tier,expected", [
    ("product_quality", "high", "key", [("escalate", 0)]),
    ("delivery", "high", "key", [("escalate", 0)]),
    ("product_quality", "medium", "key", [("resend", 0), ("refund", 100)]),
    ("product_quality", "high", "ordinary", [("refund", 100), ("resend", 0)]),
    ("wrong_or_missing", "medium", "small", [("resend", 0), ("refund", 100)]),
    ("product_quality", "low", "ordinary", [("refund", 20), ("resend", 0)]),
    ("product_quality", "low", "small", [("refund", 10), ("resend", 0)]),
    ("delivery", "high", "small", [("resend", 0), ("refund", 100)]),
    ("delivery", "low", "key", [("points", 500), ("coupon", 3000)]),
    ("delivery", "medium", "ordinary", [("coupon", 2000), ("points", 200)]),
    ("delivery", "low", "small", [("coupon", 1000), ("points", 100)]),
    ("service_attitude", "high", "small", [("coupon", 3000), ("escalate", 0)]),
    ("service_attitude", "low", "key", [("coupon", 5000), ("points", 500)]),
    ("service_attitude", "medium", "small", [("points", 100), ("coupon", 1000)]),
    ("price", "low", "ordinary", [("price_difference", 10), ("coupon", 2000)]),
    ("price", "low", "small", [("price_difference", 10), ("coupon", 1000)]),
    ("after_sales", "high", "small", [("refund", 100), ("escalate", 0)]),
    ("after_sales", "low", "small", [("coupon", 1000), ("escalate", 0)]),
    ("other", "low", "ordinary", [("coupon", 2000), ("escalate", 0)]),
    ("other", "low", "small", [("points", 100), ("escalate", 0)]),
])
def test_rule_table(category, severity, tier, expected) -> None:
    assert kinds(category, severity, tier) == expected


@pytest.mark.parametrize("category,tier,expected", [
    ("delivery", "ordinary", [("coupon", 3000), ("points", 300)]),
    ("delivery", "small", [("coupon", 3000), ("points", 300)]),
    ("service_attitude", "small", [("coupon", 3000), ("points", 300)]),
    ("delivery", "key", [("points", 500), ("coupon", 3000)]),
])
def test_repeat_complainant_gets_more(category, tier, expected) -> None:
    history = History(recent_complaints=1, order_status="delivered")
    assert kinds(category, "low", tier, history=history) == expected


@pytest.mark.parametrize("category,severity,expected", [
    ("product_quality", "high", [("refund", 100), ("resend", 0)]),
    ("delivery", "low", [("escalate", 0)]),
    ("service_attitude", "low", [("escalate", 0)]),
    ("price", "low", [("escalate", 0)]),
    ("after_sales", "high", [("escalate", 0)]),
    ("other", "low", [("escalate", 0)]),
])
def test_bad_faith_only_what_is_owed(category, severity, expected) -> None:
    assert kinds(category, severity, "ordinary", bad_faith=True) == expected


def test_bad_faith_asking_compensation_goes_to_a_person() -> None:
    history = History(order_status="delivered", asks_compensation=True)
    assert kinds("product_quality", "high", "small", True, history) == [("escalate", 0)]
    assert kinds("delivery", "low", "small", False, history) == [("coupon", 1000), ("points", 100)]


@pytest.mark.parametrize("status,expected", [
    (None, [("escalate", 0)]),
    ("pending_payment", [("escalate", 0)]),
    ("pending_shipment", [("refund", 100), ("points", 100)]),
    ("shipped", [("refund", 100), ("resend", 0)]),
    ("refunded", [("escalate", 0)]),
])
def test_order_bound_remedies_need_a_suitable_order(status, expected) -> None:
    assert kinds("product_quality", "high", "small", history=History(order_status=status)) == expected


@pytest.mark.parametrize("category,refunded,expected", [
    ("product_quality", 0, [("refund", 100), ("resend", 0)]),
    ("product_quality", 1990, [("resend", 0), ("points", 100)]),
    ("price", 17910, [("price_difference", 10), ("coupon", 2000)]),
    ("price", 18000, [("coupon", 2000), ("points", 100)]),
])
def test_money_back_must_fit_what_the_order_has_left(category, refunded, expected) -> None:
    history = History(order_status="delivered", order_total_fen=19900, order_refunded_fen=refunded)
    assert kinds(category, "high", "ordinary", history=history) == expected


@pytest.mark.parametrize("text,expected", [
    ("要求赔偿", True), ("给点补偿吧", True), ("送我优惠券", True), ("换一件", False),
    ("compensation", True), ("refund", False), ("replacement", False),
    ("退货退款", False), (None, False), ("", False),
])
def test_asks_for_compensation(text, expected) -> None:
    assert asks_for_compensation(text) is expected


@pytest.mark.parametrize("index,count,max_alt,expected", [
    (0, 2, 1, 1), (1, 2, 1, 0), (0, 1, 1, 0), (0, 3, 1, 1), (1, 3, 1, 0), (0, 3, 2, 2),
    (2, 3, 2, 0), (0, 2, 0, 0),
])
def test_alternatives_left(index, count, max_alt, expected) -> None:
    assert alternatives_left(index, count, max_alt) == expected


def test_amounts_and_wording() -> None:
    refund = Remedy("r", "refund", 3, percent=30)
    assert amount_fen(refund, 19999) == 5999
    assert amount_fen(Remedy("c", "coupon", 0, value_fen=2000), 19999) is None
    assert title(refund) == "部分退款（30%）" and title(Remedy("f", "refund", 3, percent=100)) == "全额退款"
    assert description(Remedy("s", "resend", 3), None) == "为您补发一件同款，无需额外付费，预计3天内发出"
    assert "¥59.99" in description(refund, 5999) and "3个工作日" in description(refund, 5999)
    coupon = Remedy("c", "coupon", 0, value_fen=2000, min_spend_fen=10000, valid_days=30)
    assert "¥20.00" in description(coupon, None) and "满 ¥100.00" in description(coupon, None)
    assert "KFQ1" in execution_summary(coupon, None, coupon_code="KFQ1")
    assert "KF202611209001" in execution_summary(Remedy("s", "resend", 3), None, "KF202611209001")
    assert "48小时" in description(Remedy("e", "escalate", 2), None)


def test_every_description_is_chinese() -> None:
    for remedy in TABLE.options.values():
        text = description(remedy, 1000)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), remedy


@pytest.mark.parametrize("broken", [
    {"options": {"x": {"kind": "teleport", "due_days": 1}}},
    {"options": {"x": {"kind": "refund", "percent": 150, "due_days": 1}}},
    {"rules": [{"options": ["missing"]}]},
    {"rules": [{"options": ["refund_full"], "tiers": ["gold"]}]},
    {"rules": [{"options": ["refund_full"], "repeat": "yes"}]},
    {"rules": []},
    {"follow_up": {"after_due_hours": 1, "contact_start_hour": 20, "contact_end_hour": 10,
                   "max_attempts": 1, "retry_backoff_seconds": 1}},
])
def test_broken_policy_is_refused(broken) -> None:
    import tomllib
    with open(POLICY_DIR / "remedies.toml", "rb") as handle:
        doc = tomllib.load(handle)
    doc.update(broken)
    with pytest.raises(PolicyError):
        parse_remedy_table(doc)


def test_resend_numbers_fill_the_day_from_9000_then_below_and_run_out() -> None:
    assert free_resend_sequence([]) == 9000
    assert free_resend_sequence([9000, 9001, 1, 2]) == 9002
    assert free_resend_sequence(range(9000, 10000)) == 8999
    assert free_resend_sequence(list(range(9000, 10000)) + [8999]) == 8998
    assert free_resend_sequence(range(1, 10000)) is None


def late(words: str = "", expectation=None, status: str = "pending_shipment",
         situation: str = "late_shipment") -> History:
    return History(order_status=status, order_total_fen=19900, situation=situation,
                   wishes=wishes(expectation, words))


@pytest.mark.parametrize("words,expectation,expected", [
    # "ship it now and compensate me" is never met with a refund first
    ("十天了还不发货，赶紧给我发货，还要补偿", "compensation", [("expedite", 2000), ("refund", 100)]),
    ("拖了这么久，马上发", None, [("expedite", 2000), ("refund", 100)]),
    ("不发就算了，我要退款", "refund", [("refund", 100), ("expedite", 2000)]),
    ("到底什么时候发货", None, [("expedite", 2000), ("refund", 100)]),
])
def test_a_late_shipment_is_rushed_out_or_refunded_as_the_customer_wishes(words, expectation,
                                                                         expected) -> None:
    for tier in ("ordinary", "small"):
        assert kinds("delivery", "medium", tier, history=late(words, expectation)) == expected


@pytest.mark.parametrize("situation,status", [("stalled", "shipped"),
                                              ("signed_not_received", "delivered")])
def test_a_lost_parcel_is_resent_or_refunded_not_paid_off_with_a_coupon(situation, status) -> None:
    history = late("物流五天没动了", None, status, situation)
    assert kinds("delivery", "medium", "small", history=history) == [("resend", 0), ("refund", 100)]
    refund_first = late("我要退款", "refund", status, situation)
    assert kinds("delivery", "low", "ordinary", history=refund_first) == [("refund", 100), ("resend", 0)]


def test_a_parcel_on_its_way_keeps_the_delivery_rows() -> None:
    history = late("怎么还没到", None, "shipped", "in_transit")
    assert kinds("delivery", "medium", "ordinary", history=history) == [("coupon", 2000), ("points", 200)]


def test_another_option_comes_from_the_next_rule_when_the_first_has_only_one() -> None:
    history = History(order_status="pending_shipment", order_total_fen=19900,
                      situation="awaiting_shipment")
    assert kinds("delivery", "high", "small", history=history) == [("refund", 100), ("coupon", 1000)]


@pytest.mark.parametrize("expectation,words,expected", [
    ("refund", "", {"refund"}),
    (None, "不要退款，赶紧发货，再给点补偿", {"ship", "compensation"}),
    ("赶紧发货并赔偿", "", {"ship", "compensation"}),
    (None, "别补发了，直接退钱", {"refund"}),
    (None, "东西坏了", set()),
])
def test_wishes_read_from_the_wish_and_the_words(expectation, words, expected) -> None:
    assert wishes(expectation, words) == frozenset(expected)


def test_expedite_wording() -> None:
    remedy = TABLE.options["expedite_coupon_20"]
    assert title(remedy) == "加急发货并补偿"
    assert "24小时内为您发出" in description(remedy, None) and "¥20.00" in description(remedy, None)
    summary = execution_summary(remedy, None, coupon_code="KFQ9")
    assert "24小时内发出" in summary and "KFQ9" in summary
