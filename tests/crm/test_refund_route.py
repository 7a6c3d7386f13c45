"""Asking for a refund on an order leads where the order's state allows (plain rules)."""

from datetime import datetime, timedelta, timezone

import pytest

from crm_backend.orders.refund_route import refund_route

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=timezone.utc)


def route(status, delivered_days_ago=None):
    delivered = NOW - timedelta(days=delivered_days_ago) if delivered_days_ago is not None else None
    return refund_route("KF202611100001", status, 12900, delivered, NOW, ("pending_shipment",), 7)


@pytest.mark.parametrize("status,delivered,expected,words", [
    ("pending_payment", None, "nothing_paid", "还没有付款"),
    ("pending_shipment", None, "cancel", "¥129.00 会全额原路退回"),
    ("shipped", None, "refuse_parcel", "拒收"),
    ("delivered", 3, "return", "不到 7 天"),
    ("delivered", 7, "return", "退货退款"),
    ("delivered", 8, "window_passed", "超过 7 天"),
    ("refunding", None, "in_progress", "不用重复申请"),
    ("refunded", None, "refunded", "退款完成"),
    ("cancelled", None, "cancelled", "已经取消"),
])
def test_each_state_has_its_route_and_a_sentence(status, delivered, expected, words) -> None:
    found = route(status, delivered)
    assert found.route == expected and words in found.sentence and "KF202611100001" in found.sentence
