"""The Chinese wording of order answers, as plain functions of the CRM's data."""

from datetime import datetime
from typing import Any, Dict, List, Tuple

TOKEN_REJECTED = (
    "抱歉，您的登录凭证无效或已过期，小福无法确认您的身份。请重新登录后再试；"
    "也可以直接发送订单号，我会通过手机尾号为您核验。"
)
BIND_FAILED = (
    "抱歉，订单号和手机尾号没有对上，为了保护账户安全我不能显示这笔订单。"
    "请核对后把订单号再发给我一次。"
)
NO_ORDERS = "您的账户下暂时没有查到订单记录。如果是用其他手机号下的单，可以把订单号发给我。"

STATUS_NOTES = {
    "pending_payment": "订单还未付款，完成支付后我们会尽快为您安排发货。",
    "pending_shipment": "商家正在为您备货，发货后会第一时间通知您。",
    "cancelled": "这笔订单已取消，如有疑问可以随时告诉我。",
}


def short_time(iso: str) -> str:
    """'2026-11-19T14:32:00+08:00' → '11月19日 14:32'."""
    moment = datetime.fromisoformat(iso)
    return f"{moment.month}月{moment.day}日 {moment:%H:%M}"


def not_found(order_no: str) -> str:
    return f"在您的账户下没有找到订单 {order_no}，请核对一下订单号（以 KF 开头的 14 位编号）。"


def describe_order(order: Dict[str, Any]) -> str:
    """One message naming the order, its status, carrier and latest tracking event."""
    lines = [
        f"您的订单 {order['order_no']}（{order['item_summary']}，¥{order['total_yuan']}）"
        f"当前状态：{order['status_label']}。"
    ]
    shipment = order.get("shipment")
    if shipment:
        lines.append(f"承运快递：{shipment['carrier']}，运单号 {shipment['tracking_no']}。")
        events = shipment.get("events") or []
        if events:
            latest = events[0]
            lines.append(
                f"最新物流（{short_time(latest['time'])}）：{latest['description']}"
            )
    refund = order.get("refund")
    if refund:
        lines.append(
            f"退款 ¥{refund['amount_yuan']}：{refund['status_label']}"
            f"（申请于 {short_time(refund['created_at'])}）。"
        )
    note = STATUS_NOTES.get(order["status"])
    if note:
        lines.append(note)
    return "\n".join(lines)


def order_button(order: Dict[str, Any], intent: str) -> Dict[str, str]:
    """One order offered as a button that sends `intent` with its number (bot/actions/choices.py
    reads these back when the customer types the answer instead)."""
    return {
        "title": f"{order['order_no']} {order.get('item_summary', '')}（{order.get('status_label', '')}）",
        "payload": f'/{intent}{{"order_no":"{order["order_no"]}"}}',
    }


def choose_order(orders: List[Dict[str, Any]]) -> Tuple[str, List[Dict[str, str]]]:
    """Ask which of several recent orders is meant, offering each as a button."""
    text = "您最近有几笔订单，想查哪一笔呢？点选、回复序号（如「1」）或直接发订单号给我都可以："
    return text, [order_button(o, "order_status") for o in orders]
