"""Appointments as plain decisions: the bookable slots, which kinds an order may book, and when a
booking may change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Dict, List, Optional, Sequence, Tuple

from crm_backend.appointments.policy import AppointmentPolicy
from crm_backend.core.time import BEIJING
from crm_backend.core.vocabulary import ORDER_STATUS_LABELS

KIND_LABELS: Dict[str, str] = {"delivery": "大件送货上门", "installation": "上门安装",
                               "pickup": "退货上门取件"}
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Slot:
    """A day and a time window ("09:00-12:00"), Beijing time."""

    day: date
    window: str

    @property
    def starts_at(self) -> datetime:
        """The window's start as an aware moment."""
        hour, minute = (int(part) for part in self.window[:5].split(":"))
        return datetime.combine(self.day, time(hour, minute), tzinfo=BEIJING)

    @property
    def label(self) -> str:
        """'11月24日（周二）09:00-12:00'."""
        return f"{self.day.month}月{self.day.day}日（周{WEEKDAYS[self.day.weekday()]}）{self.window}"


def slots(kind: str, now: datetime, policy: AppointmentPolicy) -> List[Slot]:
    """Every bookable slot of `kind`, earliest first."""
    today = now.astimezone(BEIJING).date()
    days = [today + timedelta(days=n) for n in range(policy.lead_days, policy.days_ahead + 1)]
    found = [Slot(day, window) for day in days for window in policy.kinds[kind].windows]
    return [slot for slot in found if slot.starts_at > now]


def slot_refusal(kind: str, slot: Slot, now: datetime, policy: AppointmentPolicy
                 ) -> Optional[str]:
    """Why this slot cannot be booked (Chinese), or None."""
    if slot in slots(kind, now, policy):
        return None
    windows = "、".join(policy.kinds[kind].windows)
    return (f"这个时间约不了：可以预约 {policy.lead_days} 到 {policy.days_ahead} 天内的"
            f" {windows}")


@dataclass(frozen=True)
class OrderFacts:
    """What decides which appointments an order may have."""

    order_no: str
    status: str
    delivered_at: Optional[datetime]
    bulky: bool
    needs_installation: bool
    after_sales_statuses: Sequence[str] = ()


def kind_refusal(kind: str, order: OrderFacts, now: datetime, policy: AppointmentPolicy
                 ) -> Optional[str]:
    """Why the order may not book `kind` now (Chinese), or None."""
    rules = policy.kinds[kind]
    status = ORDER_STATUS_LABELS.get(order.status, order.status)
    if kind == "pickup":
        if any(s in rules.after_sales_statuses for s in order.after_sales_statuses):
            return None
        return f"订单 {order.order_no} 没有等待寄回的售后申请，不需要预约上门取件"
    flagged = order.bulky if kind == "delivery" else order.needs_installation
    if not flagged:
        what = "大件商品" if kind == "delivery" else "需要安装的商品"
        return f"订单 {order.order_no} 里没有{what}，不需要预约{KIND_LABELS[kind]}"
    if order.status not in rules.order_statuses:
        return f"订单 {order.order_no} 当前状态是「{status}」，不能预约{KIND_LABELS[kind]}"
    if kind == "installation" and order.delivered_at is not None:
        limit = order.delivered_at + timedelta(days=rules.within_days_of_delivery)
        if now > limit:
            return (f"上门安装需在签收后 {rules.within_days_of_delivery} 天内预约，"
                    f"订单 {order.order_no} 已超过期限")
    return None


def allowed_kinds(order: OrderFacts, now: datetime, policy: AppointmentPolicy) -> List[str]:
    """The kinds the order may book now."""
    return [kind for kind in KIND_LABELS if kind_refusal(kind, order, now, policy) is None]


def change_refusal(current: Slot, changes: int, now: datetime, policy: AppointmentPolicy
                   ) -> Optional[Tuple[str, str]]:
    """(code, reason) when a booking may not move now, else None."""
    if changes >= policy.max_changes:
        return "too_many_changes", (f"这个预约已经改过 {changes} 次，最多只能改 "
                                    f"{policy.max_changes} 次；如确需调整，可以说「转人工」")
    if current.starts_at - now < timedelta(hours=policy.change_before_hours):
        return "too_late_to_change", (f"距离预约的上门时间（{current.label}）已不足 "
                                      f"{policy.change_before_hours} 小时，不能再改；"
                                      "如确需调整，可以说「转人工」")
    return None
