"""Where an order really stands for a customer who says it is late or missing: a code the remedy
rules read and a sentence the bot says. Plain functions; the thresholds are orders.toml's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Optional

from crm_backend.core.time import BEIJING
from crm_backend.core.vocabulary import order_status_label

# The codes remedies.toml may name in a rule's `situations`.
SITUATIONS = ("awaiting_payment", "awaiting_shipment", "late_shipment", "in_transit", "stalled",
              "delivered", "signed_not_received", "closed")


# A customer saying a signed-for order never reached them.
NOT_RECEIVED = ("没收到", "没有收到", "未收到", "没拿到", "没有拿到", "没见到", "根本没收", "不是我签",
                "没人签", "没签收", "我没签", "谁签的", "被签收")


@dataclass(frozen=True)
class Scan:
    """The latest carrier scan of a shipment."""

    at: datetime
    location: str
    description: str


@dataclass(frozen=True)
class Situation:
    """A situation code and the Chinese sentence that states it."""

    code: str
    sentence: str

    def as_json(self) -> Dict[str, Any]:
        return {"code": self.code, "sentence": self.sentence}


def _day(moment: datetime) -> str:
    """"11月3日" in Beijing time."""
    local = moment.astimezone(BEIJING)
    return f"{local.month}月{local.day}日"


def _days_between(start: datetime, end: datetime) -> int:
    """Whole days from `start` to `end` (never negative)."""
    return max((end - start).days, 0)


def _age(created_at: datetime, now: datetime) -> str:
    """"3天" or "5小时" since the order was placed."""
    days = _days_between(created_at, now)
    if days >= 1:
        return f"{days}天"
    return f"{max(int((now - created_at).total_seconds() // 3600), 1)}小时"


def delivery_situation(order_no: str, status: str, created_at: datetime, now: datetime,
                       ship_within_hours: int, stalled_after_days: int,
                       carrier: Optional[str] = None, shipped_at: Optional[datetime] = None,
                       last_scan: Optional[Scan] = None) -> Situation:
    """The order's real state as the complaint's first reply states it."""
    if status == "pending_payment":
        return Situation("awaiting_payment",
                         f"订单 {order_no} 还没有付款（待付款），付款后才会安排发货。")
    if status == "pending_shipment":
        waited = (now - created_at).total_seconds() / 3600
        if waited > ship_within_hours:
            return Situation("late_shipment",
                             f"我查了订单 {order_no}：下单已经{_age(created_at, now)}了，到现在还是"
                             f"「待发货」，超过了我们承诺的{ship_within_hours}小时内发货——这是我们的问题。")
        return Situation("awaiting_shipment",
                         f"我查了订单 {order_no}：{_age(created_at, now)}前下的单，目前是「待发货」，"
                         f"还在承诺的{ship_within_hours}小时发货时间内。")
    if status == "shipped":
        sent = f"{_day(shipped_at)}由{carrier or '快递'}发出" if shipped_at else "已发货"
        if last_scan is None:
            return Situation("in_transit", f"我查了订单 {order_no}：{sent}，还没有物流扫描记录。")
        quiet = _days_between(last_scan.at, now)
        if quiet >= stalled_after_days:
            return Situation("stalled",
                             f"我查了订单 {order_no}：{sent}，但物流从{_day(last_scan.at)}"
                             f"（{last_scan.location}）起已经{quiet}天没有更新，包裹可能滞留或丢失了。")
        return Situation("in_transit",
                         f"我查了订单 {order_no}：{sent}，最新物流是{_day(last_scan.at)} "
                         f"{last_scan.location}「{last_scan.description}」。")
    if status == "delivered":
        where = f"（{last_scan.description}）" if last_scan else ""
        when = _day(last_scan.at) if last_scan else "已经"
        return Situation("delivered",
                         f"我查了订单 {order_no}：物流显示{when}已签收{where}。"
                         "如果您并没有收到，我们按未收到处理，不用您去找快递。")
    return Situation("closed", f"我查了订单 {order_no}：目前是「{order_status_label(status)}」。")


def complained_situation(code: str, words: str) -> str:
    """A signed-for order the customer says they never received is its own situation."""
    if code == "delivered" and any(w in words for w in NOT_RECEIVED):
        return "signed_not_received"
    return code
