"""Order cancellation, modification and refund rules as plain functions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence, Tuple

from crm_backend.core.money import fen_to_yuan
from crm_backend.core.vocabulary import ORDER_STATUS_LABELS
from crm_backend.orders.policy import OrderRules

FIELD_LABELS = {"address": "收货地址", "phone": "联系电话", "spec": "规格",
                "delivery_time": "配送时间"}


PHONE_PATTERN = re.compile(r"1[3-9]\d{9}", re.ASCII)


ADDRESS_LENGTH = (5, 255)


DELIVERY_TIME_LENGTH = (2, 64)


FULLY_REFUNDED_STATUSES = ("refunding", "refunded")


@dataclass(frozen=True)
class Decision:
    """Allowed or not; when not, the Chinese reason for the customer."""

    allowed: bool
    reason: str = ""
    refund: bool = False


def cancel_decision(status: str, rules: OrderRules) -> Decision:
    """May an order in `status` be cancelled, and is a refund owed?"""
    if status in rules.cancel_allowed:
        return Decision(True, refund=status in rules.refund_when)
    default = f"订单当前状态为{ORDER_STATUS_LABELS.get(status, status)}，无法取消"
    return Decision(False, rules.cancel_refusals.get(status, default))


def modify_decision(status: str, field: str, rules: OrderRules) -> Decision:
    """May `field` of an order in `status` be changed?"""
    label = FIELD_LABELS.get(field, field)
    if field not in rules.modify_fields:
        return Decision(False, f"暂不支持在线修改{label}")
    if status in rules.modify_allowed:
        return Decision(True)
    default = f"订单当前状态为{ORDER_STATUS_LABELS.get(status, status)}，无法修改{label}"
    return Decision(False, rules.modify_refusals.get(status, default).format(field=label))


@dataclass(frozen=True)
class RefundDecision:
    """May a refund be added to an order; when not, a code and the reason the customer hears."""

    allowed: bool
    code: str = ""
    reason: str = ""


def refunded_fen(refunds: Iterable[Tuple[str, int]]) -> int:
    """What an order's refunds give back: the amounts of every (status, amount) not rejected."""
    return sum(amount for status, amount in refunds if status != "rejected")


def refundable_fen(total_fen: int, refunded: int) -> int:
    """What is left to refund of an order's total."""
    return max(total_fen - refunded, 0)


def refund_decision(order_no: str, status: str, total_fen: int, refunded: int, amount_fen: int
                    ) -> RefundDecision:
    """No refund on an order already refunding or refunded in full, and none that would take its
    refunds past what was paid."""
    if status in FULLY_REFUNDED_STATUSES:
        state = "正在全额退款中" if status == "refunding" else "已经全额退款"
        return RefundDecision(False, "order_already_refunded",
                              f"订单 {order_no} {state}，不能重复退款；"
                              "如还有问题，可以为您转接人工客服处理")
    if refunded + amount_fen > total_fen:
        return RefundDecision(False, "refund_exceeds_order",
                              f"订单 {order_no} 实付 ¥{fen_to_yuan(total_fen)}，已退款 "
                              f"¥{fen_to_yuan(refunded)}，再退 ¥{fen_to_yuan(amount_fen)} "
                              "会超过实付金额，无法办理；可以为您转接人工客服核实处理")
    return RefundDecision(True)


def check_value(field: str, value: str) -> Optional[str]:
    """Why a new address, phone or delivery time is unusable (Chinese), or None when fine."""
    text = value.strip()
    if field == "phone":
        return None if PHONE_PATTERN.fullmatch(text) else "手机号应为 11 位数字，以 1 开头"
    bounds = ADDRESS_LENGTH if field == "address" else DELIVERY_TIME_LENGTH
    if field in ("address", "delivery_time") and not bounds[0] <= len(text) <= bounds[1]:
        return f"{FIELD_LABELS[field]}应为 {bounds[0]} 到 {bounds[1]} 个字"
    return None


def parse_spec(value: str, colours: Sequence[str], sizes: Sequence[str]
               ) -> Tuple[Optional[str], Optional[str]]:
    """The colour and size named in `value`, picked from the product's own lists (longest match)."""
    text = value.strip().upper()
    colour = max((c for c in colours if c.upper() in text), key=len, default=None)
    rest = text.replace(colour.upper(), " ") if colour else text
    size = max((s for s in sizes if re.search(rf"(?<![A-Z0-9]){re.escape(s.upper())}(?![A-Z0-9])",
                                              rest)), key=len, default=None)
    return colour, size
