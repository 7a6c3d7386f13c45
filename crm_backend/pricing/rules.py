"""Price protection (价保) as plain decisions: may an order item claim a price drop, and how much."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Optional, Sequence, Tuple

from crm_backend.core.money import fen_to_yuan
from crm_backend.core.time import BEIJING
from crm_backend.pricing.policy import PriceProtectionPolicy

ORDER_REFUSALS = {
    "pending_payment": ("order_not_paid", "订单 {order_no} 还没有付款，付款后如果降价才能申请价保"),
    "cancelled": ("order_cancelled", "订单 {order_no} 已取消，不能申请价保"),
    "refunding": ("order_refunded", "订单 {order_no} 正在退款中，不能申请价保"),
    "refunded": ("order_refunded", "订单 {order_no} 已退款，不能申请价保"),
}


@dataclass(frozen=True)
class ItemFacts:
    """What the CRM knows of one order item for price protection."""

    name: str
    category: str
    quantity: int
    paid_unit_fen: int
    claimed_at: Optional[datetime] = None
    claimed_fen: int = 0
    returned: bool = False


@dataclass(frozen=True)
class Eligibility:
    """The verdict on one item: eligible with the refund, or the code and reason why not."""

    eligible: bool
    code: str
    reason: str
    window_days: int = 0
    window_ends_at: Optional[datetime] = None
    lowest_fen: Optional[int] = None
    lowest_at: Optional[datetime] = None
    difference_fen: int = 0
    amount_fen: int = 0


def day_text(moment: datetime) -> str:
    """A moment as its Beijing calendar day, e.g. "11月20日"."""
    local = moment.astimezone(BEIJING)
    return f"{local.month}月{local.day}日"


def lowest_price(changes: Iterable[Tuple[int, datetime]], after: datetime, until: datetime
                 ) -> Tuple[Optional[int], Optional[datetime]]:
    """The lowest price set after `after` and no later than `until`, and when it was first set."""
    best: Tuple[Optional[int], Optional[datetime]] = (None, None)
    for price, at in sorted(changes, key=lambda change: change[1]):
        if after < at <= until and (best[0] is None or price < best[0]):
            best = (price, at)
    return best


def order_refusal(order_no: str, status: str, paid_at: Optional[datetime],
                  policy: PriceProtectionPolicy) -> Optional[Tuple[str, str]]:
    """(code, reason) when the order as a whole cannot claim, else None."""
    if paid_at is None or status == "pending_payment":
        code, text = ORDER_REFUSALS["pending_payment"]
        return code, text.format(order_no=order_no)
    if status in ORDER_REFUSALS:
        code, text = ORDER_REFUSALS[status]
        return code, text.format(order_no=order_no)
    if status not in policy.order_statuses:
        return "order_not_eligible", f"订单 {order_no} 当前状态不能申请价保"
    return None


def decide(order_no: str, status: str, paid_at: Optional[datetime], item: ItemFacts,
           changes: Sequence[Tuple[int, datetime]], now: datetime,
           policy: PriceProtectionPolicy) -> Eligibility:
    """May this item claim a price drop now: the order paid and open, the category protected,
    not claimed or returned before, within the window, and a drop of at least the minimum."""
    refusal = order_refusal(order_no, status, paid_at, policy)
    if refusal is not None:
        return Eligibility(False, *refusal)
    assert paid_at is not None
    name, days = item.name, policy.window_days(item.category)
    if days == 0:
        return Eligibility(False, "category_not_protected",
                           f"「{name}」属于{item.category}类商品，不参加价保")
    ends = paid_at + timedelta(days=days)
    window = {"window_days": days, "window_ends_at": ends}
    if item.claimed_at is not None:
        return Eligibility(False, "already_claimed",
                           f"「{name}」已于{day_text(item.claimed_at)}申请过价保，退还差价 "
                           f"¥{fen_to_yuan(item.claimed_fen)}，每件商品只能申请一次", **window)
    if item.returned:
        return Eligibility(False, "item_returned", f"「{name}」已申请退货，不能再申请价保",
                           **window)
    if now > ends:
        return Eligibility(False, "window_passed",
                           f"「{name}」的价保期是付款后{days}天，已于{day_text(ends)}结束，"
                           "现在不能再申请了", **window)
    lowest, lowest_at = lowest_price(changes, paid_at, min(now, ends))
    paid = item.paid_unit_fen
    if lowest is None or lowest >= paid:
        return Eligibility(False, "no_price_drop",
                           f"「{name}」付款后没有降价：您支付 ¥{fen_to_yuan(paid)}/件，"
                           f"目前没有更低的价格。价保期到{day_text(ends)}，期间降价可以再来申请",
                           lowest_fen=lowest, lowest_at=lowest_at, **window)
    difference = paid - lowest
    found = {"lowest_fen": lowest, "lowest_at": lowest_at, "difference_fen": difference}
    if difference < policy.min_difference_fen:
        return Eligibility(False, "difference_too_small",
                           f"「{name}」的差价 ¥{fen_to_yuan(difference)} 低于价保的最低受理金额 "
                           f"¥{fen_to_yuan(policy.min_difference_fen)}", **window, **found)
    amount = difference * item.quantity
    return Eligibility(True, "eligible",
                       f"「{name}」{day_text(lowest_at)}降到 ¥{fen_to_yuan(lowest)}，比您支付的 "
                       f"¥{fen_to_yuan(paid)} 低 ¥{fen_to_yuan(difference)}，可退差价 "
                       f"¥{fen_to_yuan(amount)}", **window, **found, amount_fen=amount)


def refusal_of(verdicts: Sequence[Tuple[str, Eligibility]]) -> Tuple[str, str]:
    """(code, reason) of a claim none of whose items may claim: one item's own, or each's."""
    if len(verdicts) == 1:
        return verdicts[0][1].code, verdicts[0][1].reason
    codes = {verdict.code for _, verdict in verdicts}
    code = codes.pop() if len(codes) == 1 else "not_eligible"
    if code.startswith("order_"):
        return code, verdicts[0][1].reason
    return code, "这笔订单没有可以申请价保的商品：" + "；".join(v.reason for _, v in verdicts)
