"""Cancel and modify rules as plain functions (packaged orders policy)."""

from __future__ import annotations

import pytest

from crm_backend.core.config import POLICY_DIR
from crm_backend.orders.policy import load_order_rules
from crm_backend.orders.rules import (cancel_decision, check_value, modify_decision, parse_spec,
                                      refund_decision, refundable_fen, refunded_fen)

RULES = load_order_rules(POLICY_DIR / "orders.toml")


@pytest.mark.parametrize("status,allowed,refund,reason", [
    ("pending_payment", True, False, ""),
    ("pending_shipment", True, True, ""),
    ("shipped", False, False, "订单已发货，无法取消，可以在签收后申请退货"),
    ("delivered", False, False, "订单已签收，无法取消；签收后7天内可以申请退货退款"),
    ("cancelled", False, False, "订单已经取消了，无需重复操作"),
    ("refunding", False, False, "订单正在退款中，无法取消"),
    ("refunded", False, False, "订单已退款完成，无需取消"),
])
def test_cancel(status, allowed, refund, reason) -> None:
    decision = cancel_decision(status, RULES)
    assert (decision.allowed, decision.refund, decision.reason) == (allowed, refund, reason)


@pytest.mark.parametrize("status,field,allowed,start", [
    ("pending_payment", "address", True, ""),
    ("pending_shipment", "spec", True, ""),
    ("pending_shipment", "delivery_time", True, ""),
    ("shipped", "address", False, "订单已发货，无法修改收货地址"),
    ("shipped", "phone", False, "订单已发货，无法修改联系电话"),
    ("delivered", "spec", False, "订单已签收，无法修改规格"),
    ("cancelled", "delivery_time", False, "订单已取消，无法修改配送时间"),
    ("refunding", "phone", False, "订单正在退款中"),
    ("pending_payment", "colour", False, "暂不支持在线修改"),
])
def test_modify(status, field, allowed, start) -> None:
    decision = modify_decision(status, field, RULES)
    assert decision.allowed is allowed and decision.reason.startswith(start)


@pytest.mark.parametrize("field,value,ok", [
    ("phone", "13912345678", True), ("phone", "12345678901", False), ("phone", "1391234567", False),
    ("phone", "139-1234-5678", False), ("address", "北京市海淀区中关村", True),
    ("address", "北京", False), ("delivery_time", "周六", True), ("delivery_time", "早", False),
    ("spec", "黑色 L", True),
])
def test_values(field, value, ok) -> None:
    assert (check_value(field, value) is None) is ok


@pytest.mark.parametrize("value,expected", [
    ("黑色 L", ("黑色", "L")), ("换成白色", ("白色", None)), ("XL码", (None, "XL")),
    ("深灰色XL", ("深灰色", "XL")), ("l", (None, "L")), ("红色", (None, None)),
    ("XXL", (None, "XXL")),
])
def test_parse_spec(value, expected) -> None:
    assert parse_spec(value, ["黑色", "白色", "深灰色", "灰色"], ["S", "M", "L", "XL", "XXL"]) == expected


@pytest.mark.parametrize("status,refunded,amount,code", [
    ("delivered", 0, 19900, ""),
    ("delivered", 1990, 17910, ""),
    ("pending_shipment", 3980, 1990, ""),
    ("delivered", 1990, 19900, "refund_exceeds_order"),
    ("cancelled", 19900, 1, "refund_exceeds_order"),
    ("refunding", 0, 1990, "order_already_refunded"),
    ("refunded", 0, 19900, "order_already_refunded"),
])
def test_refund_decision(status, refunded, amount, code) -> None:
    decision = refund_decision("KF202611200001", status, 19900, refunded, amount)
    assert (decision.allowed, decision.code) == (code == "", code)
    if code:
        assert "KF202611200001" in decision.reason and "人工客服" in decision.reason


def test_refund_refusals_say_why_in_chinese() -> None:
    assert refund_decision("KF1", "refunding", 19900, 19900, 100).reason.startswith(
        "订单 KF1 正在全额退款中，不能重复退款")
    over = refund_decision("KF1", "delivered", 19900, 1990, 19900).reason
    assert "实付 ¥199.00" in over and "已退款 ¥19.90" in over and "再退 ¥199.00" in over


def test_refunded_counts_every_refund_not_rejected() -> None:
    refunds = [("approved", 1990), ("rejected", 19900), ("completed", 500), ("requested", 10)]
    assert refunded_fen(refunds) == 2500
    assert refundable_fen(19900, 2500) == 17400 and refundable_fen(19900, 20000) == 0
