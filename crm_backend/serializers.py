"""ORM objects to the JSON shapes of the API contract."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from .labels import order_status_label, refund_status_label, tier_label
from .models import Customer, Order, OrderItem, Product, Refund, Shipment
from .money import fen_to_yuan
from .timeutil import beijing_iso


def mask_phone(phone: str) -> str:
    """138****1234 style masking (keeps the first 3 and last 4 digits)."""
    if len(phone) < 8:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


def item_summary(items: List[OrderItem]) -> str:
    """Short Chinese description of an order's contents, e.g. "纯棉T恤 等2件"."""
    if not items:
        return ""
    first = items[0]
    pieces = sum(item.quantity for item in items)
    if len(items) == 1:
        return first.name if pieces == 1 else f"{first.name} ×{pieces}"
    return f"{first.name} 等{pieces}件"


def customer_json(customer: Customer) -> Dict[str, Any]:
    """The Customer shape."""
    return {
        "id": customer.id,
        "name": customer.name,
        "phone_masked": mask_phone(customer.phone),
        "tier": customer.tier,
        "tier_label": tier_label(customer.tier),
        "tier_reason": customer.tier_reason,
        "is_bad_faith": bool(customer.is_bad_faith),
    }


def order_summary_json(order: Order) -> Dict[str, Any]:
    """The OrderSummary shape (needs `items` loaded)."""
    return {
        "order_no": order.order_no,
        "status": order.status,
        "status_label": order_status_label(order.status),
        "created_at": beijing_iso(order.created_at),
        "total_yuan": fen_to_yuan(order.total_fen),
        "item_summary": item_summary(order.items),
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


def order_detail_json(order: Order) -> Dict[str, Any]:
    """The OrderDetail shape (needs items, shipment.events and refunds loaded)."""
    detail = order_summary_json(order)
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
    return detail


def product_json(product: Product) -> Dict[str, Any]:
    """A product for the catalogue search."""
    return {
        "sku": product.sku,
        "name": product.name,
        "brand": product.brand,
        "category": product.category,
        "price_yuan": fen_to_yuan(product.price_fen),
        "stock": product.stock,
        "colours": list(product.colours or []),
        "sizes": list(product.sizes or []),
        "description": product.description,
    }
