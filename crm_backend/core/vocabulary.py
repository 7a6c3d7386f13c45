"""Status and tier codes with their Chinese labels, defined once."""

from __future__ import annotations

from typing import Dict

ORDER_STATUS_LABELS: Dict[str, str] = {
    "pending_payment": "待付款",
    "pending_shipment": "待发货",
    "shipped": "已发货",
    "delivered": "已签收",
    "cancelled": "已取消",
    "refunding": "退款中",
    "refunded": "已退款",
}


REFUND_STATUS_LABELS: Dict[str, str] = {
    "requested": "待审核",
    "approved": "已同意，退款处理中",
    "completed": "已退款",
    "rejected": "已拒绝",
}


TIER_LABELS: Dict[str, str] = {
    "key": "关键客户",
    "ordinary": "普通客户",
    "small": "小客户",
}


CHANNELS = ("wechat", "web")


def order_status_label(code: str) -> str:
    """Chinese label of an order status code."""
    return ORDER_STATUS_LABELS[code]


def refund_status_label(code: str) -> str:
    """Chinese label of a refund status code."""
    return REFUND_STATUS_LABELS[code]


def tier_label(code: str) -> str:
    """Chinese label of a customer tier code."""
    return TIER_LABELS[code]


TIERS = ("key", "ordinary", "small")


# A bot event written by a person (the agent console) carries who wrote it under this metadata
# key; the channels show such a message as the person's.
PERSON_KEY = "kefu_person"
