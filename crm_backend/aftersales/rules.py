"""After-sales requests as plain decisions: the steps of each kind, which step may follow which,
and what the customer must do next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Dict, Optional, Tuple

from crm_backend.core.money import fen_to_yuan
from crm_backend.core.time import BEIJING

KIND_LABELS: Dict[str, str] = {"return": "退货退款", "exchange": "换货", "repair": "维修"}

STATUS_LABELS: Dict[str, str] = {
    "submitted": "已提交",
    "approved": "审核通过",
    "rejected": "已驳回",
    "awaiting_return": "待寄回",
    "sent_back": "已寄回",
    "received": "商家已收货",
    "refunding": "退款中",
    "repairing": "维修中",
    "repaired_sent": "维修完成已寄回",
    "replacement_sent": "换新已发出",
    "completed": "已完成",
}

# Which step may follow which, for every kind; then what each kind does once the item is back.
COMMON_NEXT: Dict[str, Tuple[str, ...]] = {
    "submitted": ("approved", "rejected"),
    "approved": ("awaiting_return",),
    "awaiting_return": ("sent_back", "received"),
    "sent_back": ("received",),
}
KIND_NEXT: Dict[str, Dict[str, Tuple[str, ...]]] = {
    "return": {"received": ("refunding",), "refunding": ("completed",)},
    "exchange": {"received": ("replacement_sent",), "replacement_sent": ("completed",)},
    "repair": {"received": ("repairing",), "repairing": ("repaired_sent",),
               "repaired_sent": ("completed",)},
}
FINAL = ("rejected", "completed")
OPEN_STATUSES = tuple(s for s in STATUS_LABELS if s not in FINAL)
# The step that sends something to the customer names its carrier and tracking number.
OUTBOUND = ("repaired_sent", "replacement_sent")


def next_statuses(kind: str, status: str) -> Tuple[str, ...]:
    """The steps that may follow `status` for a request of `kind`."""
    return COMMON_NEXT.get(status) or KIND_NEXT[kind].get(status, ())


def transition_refusal(kind: str, status: str, new: str) -> Optional[str]:
    """Why `new` may not follow `status` (Chinese), or None when it may."""
    if new == status:
        return None
    allowed = next_statuses(kind, status)
    if new in allowed:
        return None
    if not allowed:
        return f"售后申请已{STATUS_LABELS[status]}，不能再变更"
    names = "、".join(STATUS_LABELS[s] for s in allowed)
    return f"售后申请当前为「{STATUS_LABELS[status]}」，下一步只能是：{names}"


def apply_refusal(kind: str, order_status: str, delivered_at: Optional[datetime], now: datetime,
                  statuses: Tuple[str, ...], within_days: Dict[str, int]) -> Optional[str]:
    """Why a request of `kind` may not be made for this order now (Chinese), or None."""
    if order_status not in statuses or delivered_at is None:
        return "订单签收后才能申请售后"
    days = within_days[kind]
    if now > delivered_at + timedelta(days=days):
        return f"{KIND_LABELS[kind]}需在签收后 {days} 天内申请，这笔订单已超过期限"
    return None


def day_text(moment: datetime) -> str:
    """'11月27日' in Beijing time."""
    local = moment.astimezone(BEIJING)
    return f"{local.month}月{local.day}日"


@dataclass(frozen=True)
class StepFacts:
    """What the next-step wording may refer to."""

    kind: str
    status: str
    status_at: datetime
    reject_reason: Optional[str] = None
    refund_fen: Optional[int] = None
    return_tracking_no: Optional[str] = None
    outbound_carrier: Optional[str] = None
    outbound_tracking_no: Optional[str] = None


def next_step(facts: StepFacts, wording: Dict[str, str], deadlines: Dict[str, int],
              address: str) -> str:
    """What the customer must do (or wait for) next, in the policy's words."""
    template = wording.get(f"{facts.status}.{facts.kind}") or wording[facts.status]
    deadline = facts.status_at + timedelta(days=deadlines["return_ship_days"])
    return template.format(
        review_hours=deadlines["review_hours"], deadline=day_text(deadline), address=address,
        refund_yuan=fen_to_yuan(facts.refund_fen or 0), refund_days=deadlines["refund_days"],
        repair_days=deadlines["repair_days"], carrier=facts.outbound_carrier or "快递",
        tracking_no=facts.outbound_tracking_no or facts.return_tracking_no or "见订单详情",
        reject_reason=facts.reject_reason or "未注明")
