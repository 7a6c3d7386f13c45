"""Where an order really stands for a late or missing-parcel complaint (plain rules)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crm_backend.orders.situation import Scan, complained_situation, delivery_situation

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=timezone.utc)  # 12:00 in Beijing


def situation(status, placed_days_ago=1.0, scan_days_ago=None, shipped_days_ago=None):
    scan = (Scan(NOW - timedelta(days=scan_days_ago), "杭州转运中心", "已到达")
            if scan_days_ago is not None else None)
    shipped = NOW - timedelta(days=shipped_days_ago) if shipped_days_ago is not None else None
    return delivery_situation("KF202611100001", status, NOW - timedelta(days=placed_days_ago), NOW,
                              ship_within_hours=48, stalled_after_days=3, carrier="顺丰",
                              shipped_at=shipped, last_scan=scan)


def test_waiting_past_the_promise_is_a_late_shipment_said_with_its_age() -> None:
    late = situation("pending_shipment", placed_days_ago=10)
    assert late.code == "late_shipment"
    assert "10天" in late.sentence and "待发货" in late.sentence and "48小时" in late.sentence


def test_within_the_promise_it_is_only_waiting() -> None:
    waiting = situation("pending_shipment", placed_days_ago=1)
    assert waiting.code == "awaiting_shipment" and "还在承诺的48小时" in waiting.sentence
    assert situation("pending_shipment", placed_days_ago=2.1).code == "late_shipment"


def test_a_parcel_without_scans_for_days_is_stalled() -> None:
    stalled = situation("shipped", placed_days_ago=9, shipped_days_ago=8, scan_days_ago=5)
    assert stalled.code == "stalled"
    assert "5天没有更新" in stalled.sentence and "杭州转运中心" in stalled.sentence
    moving = situation("shipped", placed_days_ago=3, shipped_days_ago=2, scan_days_ago=1)
    assert moving.code == "in_transit" and "已到达" in moving.sentence and "顺丰" in moving.sentence


@pytest.mark.parametrize("status,code", [("delivered", "delivered"), ("pending_payment",
                                          "awaiting_payment"), ("refunded", "closed")])
def test_other_states_are_said_plainly(status, code) -> None:
    found = situation(status, scan_days_ago=2)
    assert found.code == code and "KF202611100001" in found.sentence


def test_signed_for_but_not_received_is_its_own_situation() -> None:
    assert complained_situation("delivered", "显示签收了可我根本没收到") == "signed_not_received"
    assert complained_situation("delivered", "包装压坏了") == "delivered"
    assert complained_situation("shipped", "还没收到") == "shipped"
