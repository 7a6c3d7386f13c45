"""Orders, shipments and refunds to the JSON shapes of the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional

from crm_backend.core.models import Order, OrderItem, Refund, Shipment
from crm_backend.core.money import fen_to_yuan
from crm_backend.core.time import beijing_iso
from crm_backend.core.vocabulary import order_status_label, refund_status_label
from crm_backend.customers.views import mask_phone
from crm_backend.orders.policy import OrderRules
from crm_backend.orders.rules import cancel_decision
from crm_backend.orders.situation import Scan, Situation, delivery_situation


def item_summary(items: List[OrderItem]) -> str:
    """Short Chinese description of an order's contents, e.g. "纯棉T恤 等2件"."""
    if not items:
        return ""
    first = items[0]
    pieces = sum(item.quantity for item in items)
    if len(items) == 1:
        return first.name if pieces == 1 else f"{first.name} ×{pieces}"
    return f"{first.name} 等{pieces}件"


def order_summary_json(order: Order, rules: OrderRules) -> Dict[str, Any]:
    """The OrderSummary shape (needs `items` loaded), with what the customer may still do to it
    as the CRM's policy decides (the bot renders these, it does not re-derive them)."""
    return {
        "order_no": order.order_no,
        "status": order.status,
        "status_label": order_status_label(order.status),
        "created_at": beijing_iso(order.created_at),
        "total_yuan": fen_to_yuan(order.total_fen),
        "item_summary": item_summary(order.items),
        "can_cancel": cancel_decision(order.status, rules).allowed,
        "can_modify": order.status in rules.modify_allowed,
    }


def shipment_json(shipment: Optional[Shipment]) -> Optional[Dict[str, Any]]:
    """Carrier, tracking number and scans newest first."""
    if shipment is None:
        return None
    events = sorted(shipment.events, key=lambda e: (e.occurred_at, e.id), reverse=True)
    return {
        "carrier": shipment.carrier,
        "tracking_no": shipment.tracking_no,
        "events": [
            {
                "time": beijing_iso(e.occurred_at),
                "location": e.location,
                "description": e.description,
            }
            for e in events
        ],
    }


def refund_json(refunds: List[Refund]) -> Optional[Dict[str, Any]]:
    """The latest refund of an order, if any."""
    if not refunds:
        return None
    refund = max(refunds, key=lambda r: (r.created_at, r.id))
    return {
        "status": refund.status,
        "status_label": refund_status_label(refund.status),
        "amount_yuan": fen_to_yuan(refund.amount_fen),
        "reason": refund.reason,
        "created_at": beijing_iso(refund.created_at),
    }


def order_detail_json(order: Order, rules: OrderRules) -> Dict[str, Any]:
    """The OrderDetail shape (needs items, shipment.events and refunds loaded)."""
    detail = order_summary_json(order, rules)
    detail["items"] = [
        {
            "sku": item.sku,
            "name": item.name,
            "quantity": item.quantity,
            "unit_price_yuan": fen_to_yuan(item.unit_price_fen),
        }
        for item in order.items
    ]
    detail["shipment"] = shipment_json(order.shipment)
    detail["refund"] = refund_json(order.refunds)
    detail["expedited_at"] = beijing_iso(order.expedited_at) if order.expedited_at else None
    return detail


def changed_order_json(order: Order, rules: OrderRules) -> Dict[str, Any]:
    """Order detail plus what the customer may change (address, phone, delivery time, specs)."""
    detail = order_detail_json(order, rules)
    detail.update(address=order.address, receiver_name=order.receiver_name,
                  receiver_phone_masked=mask_phone(order.receiver_phone),
                  delivery_time=order.delivery_time)
    for line, item in zip(detail["items"], order.items):
        line.update(colour=item.colour, size=item.size)
    return detail


def order_situation(order: Order, now: datetime, rules: OrderRules) -> Situation:
    """Where the order really stands (needs shipment.events loaded)."""
    shipment = order.shipment
    last = None
    if shipment is not None and shipment.events:
        event = max(shipment.events, key=lambda e: (e.occurred_at, e.id or 0))
        last = Scan(event.occurred_at, event.location, event.description)
    return delivery_situation(order.order_no, order.status, order.paid_at or order.created_at, now,
                              rules.ship_within_hours, rules.stalled_after_days,
                              carrier=shipment.carrier if shipment else None,
                              shipped_at=order.shipped_at, last_scan=last)
