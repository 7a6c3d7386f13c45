"""How a customer who asks for their money back on an order gets it, as the order stands now:
cancel it, refuse the parcel, return it, or why not. Plain rules; the bot renders them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Dict, Optional, Tuple

from crm_backend.core.money import fen_to_yuan

# The routes the bot knows how to carry on with.
ROUTES = ("cancel", "refuse_parcel", "return", "window_passed", "in_progress", "refunded",
          "nothing_paid", "cancelled")


@dataclass(frozen=True)
class RefundRoute:
    """The route's code and the Chinese sentence that explains it."""

    route: str
    sentence: str

    def as_json(self) -> Dict[str, Any]:
        return {"route": self.route, "sentence": self.sentence}


def refund_route(order_no: str, status: str, total_fen: int, delivered_at: Optional[datetime],
                 now: datetime, cancel_refund_statuses: Tuple[str, ...],
                 return_within_days: int) -> RefundRoute:
    """What asking for a refund on this order leads to."""
    amount = f"¥{fen_to_yuan(total_fen)}"
    if status == "pending_payment":
        return RefundRoute("nothing_paid", f"订单 {order_no} 还没有付款，不会扣您的钱；不想要的话直接取消就好。")
    if status in cancel_refund_statuses:
        return RefundRoute("cancel", f"订单 {order_no} 还没有发货，取消订单后 {amount} 会全额原路退回。")
    if status == "shipped":
        return RefundRoute("refuse_parcel",
                           f"订单 {order_no} 已经发货，现在取消不了。快递送到时直接拒收，包裹退回仓库后"
                           f"{amount} 会全额退回；或者签收后 {return_within_days} 天内申请退货退款。")
    if status == "delivered":
        if delivered_at is not None and now <= delivered_at + timedelta(days=return_within_days):
            return RefundRoute("return", f"订单 {order_no} 签收还不到 {return_within_days} 天，"
                                         "可以申请退货退款，商品寄回验收后原路退款。")
        return RefundRoute("window_passed",
                           f"订单 {order_no} 签收已经超过 {return_within_days} 天，过了无理由退货期。"
                           "如果是商品有质量问题，跟我说说具体情况，我帮您登记处理。")
    if status == "refunding":
        return RefundRoute("in_progress", f"订单 {order_no} 已经在退款中了，不用重复申请。")
    if status == "refunded":
        return RefundRoute("refunded", f"订单 {order_no} 已经退款完成了。")
    return RefundRoute("cancelled", f"订单 {order_no} 已经取消；如果付过款，退款会自动原路退回。")
