"""Handing a conversation to a person, as plain rules: when, and at which priority."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, Optional

from crm_backend.core.time import BEIJING

PRIORITIES = {"normal": 0, "high": 1, "urgent": 2}


PRIORITY_LABELS = {"normal": "普通", "high": "优先", "urgent": "紧急"}


STATUS_LABELS = {"waiting": "排队中", "assigned": "处理中", "closed": "已结束",
                 "expired": "无人接入（已登记回电）"}


OPEN_STATUSES = ("waiting", "assigned")


# Why the bot handed a conversation over (the codes the bot sends), as the console shows them.
REASON_LABELS = {"customer_request": "客户要求人工", "complaint_escalated": "投诉升级",
                 "remedy_refused": "客户不接受方案", "churn_key_customer": "关键客户流失风险",
                 "winback_unsatisfied": "挽回回访不满意"}


def priority_name(level: int) -> str:
    """The name of a stored priority number."""
    return next(name for name, value in PRIORITIES.items() if value == level)


def handoff_priority(tier: Optional[str], risk_level: Optional[str],
                     severity: Optional[str] = None) -> str:
    """urgent for key customers or high churn risk; high for a severe complaint or medium risk."""
    if tier == "key" or risk_level == "high":
        return "urgent"
    if severity == "high" or risk_level == "medium":
        return "high"
    return "normal"


def claim_refusal(status: str, assigned_staff_id: Optional[int], staff_id: int) -> Optional[str]:
    """Why this person cannot claim the handoff (None: they may, or already hold it)."""
    if status == "assigned" and assigned_staff_id not in (None, staff_id):
        return "taken"
    if status not in OPEN_STATUSES:
        return "closed"
    return None


def may_act(status: str, assigned_staff_id: Optional[int], staff_id: int, is_manager: bool) -> bool:
    """Whether a person may write to or end the conversation: its holder, or a manager."""
    return status == "assigned" and (assigned_staff_id == staff_id or is_manager)


# A conversation's transcript channel → the Rasa output channel that reaches its customer
# (a REST client has none: it reads a person's messages from the transcript).
RASA_OUTPUT_CHANNELS = {"web": "socketio", "wechat": "wechat"}


def in_service_hours(at: datetime, opens: time, closes: time) -> bool:
    """Whether people answer at `at` (aware), by Beijing's clock."""
    local = at.astimezone(BEIJING).time()
    return opens <= local < closes


def expiry_reason(status: str, created_at: datetime, now: datetime, expire_after: timedelta,
                  opens: time, closes: time) -> Optional[str]:
    """Why a handoff returns to the bot now: nobody claimed it in time (`timeout`), or it waits
    outside service hours (`after_hours`); None while it may go on waiting."""
    if status != "waiting":
        return None
    if not in_service_hours(now, opens, closes):
        return "after_hours"
    if now - created_at >= expire_after:
        return "timeout"
    return None



def queue_update_text(ahead: int) -> str:
    """What a waiting customer is told when the queue moves."""
    if ahead <= 0:
        return "排队更新：您已经排到第一位，客服马上接入，请稍候。"
    return f"排队更新：您前面还有 {ahead} 位，请稍候，客服接入后会看到您的全部留言。"


# Channels where a queue update may be pushed (WeChat's replies are counted; REST cannot be pushed).
QUEUE_UPDATE_CHANNELS = ("web",)


def remedy_refusal(kind: str, amount_yuan: float, points: int, role: str,
                   limits: "Any") -> Optional[str]:
    """Why a person of `role` may not carry out this remedy themselves (None: they may): a
    refund or price difference, a coupon or points over the role's limit in policy."""
    if kind in ("refund", "price_difference") and amount_yuan > limits.refund_limit(role):
        return f"退款/差价每次最多 {limits.refund_limit(role)} 元"
    if kind == "coupon" and amount_yuan > limits.coupon_limit(role):
        return f"优惠券每次最多 {limits.coupon_limit(role)} 元"
    if kind == "points" and points > limits.points_limit(role):
        return f"积分每次最多 {limits.points_limit(role)} 分"
    return None
