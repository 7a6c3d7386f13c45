"""Price-protection verdicts, claims and price changes to the JSON shapes of the API."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from crm_backend.core.models import OrderItem, PriceChange, PriceProtectionClaim
from crm_backend.core.money import fen_to_yuan
from crm_backend.core.time import beijing_iso
from crm_backend.core.vocabulary import order_status_label, refund_status_label
from crm_backend.orders.views import item_summary
from crm_backend.pricing.store import ItemCheck, OrderCheck


def _yuan(fen: Optional[int]) -> Optional[str]:
    return None if fen is None else fen_to_yuan(fen)


def _iso(moment: Any) -> Optional[str]:
    return None if moment is None else beijing_iso(moment)


def claim_json(claim: PriceProtectionClaim, item: Optional[OrderItem]) -> Dict[str, Any]:
    """One claim: the item, the prices compared, the refund it made."""
    refund = claim.refund
    return {
        "sku": item.sku if item else None,
        "name": item.name if item else None,
        "quantity": claim.quantity,
        "paid_unit_yuan": fen_to_yuan(claim.paid_unit_fen),
        "lowest_unit_yuan": fen_to_yuan(claim.lowest_unit_fen),
        "amount_yuan": fen_to_yuan(claim.amount_fen),
        "claimed_at": beijing_iso(claim.created_at),
        "refund": None if refund is None else {
            "status": refund.status, "status_label": refund_status_label(refund.status),
            "amount_yuan": fen_to_yuan(refund.amount_fen)},
    }


def item_check_json(check: ItemCheck) -> Dict[str, Any]:
    """One item's verdict with the prices it rests on."""
    verdict, item = check.verdict, check.item
    return {
        "sku": item.sku,
        "name": item.name,
        "category": check.product.category,
        "quantity": item.quantity,
        "paid_unit_yuan": fen_to_yuan(item.unit_price_fen),
        "current_price_yuan": fen_to_yuan(check.product.price_fen),
        "lowest_unit_yuan": _yuan(verdict.lowest_fen),
        "lowest_at": _iso(verdict.lowest_at),
        "difference_yuan": fen_to_yuan(verdict.difference_fen),
        "amount_yuan": fen_to_yuan(verdict.amount_fen),
        "window_days": verdict.window_days,
        "window_ends_at": _iso(verdict.window_ends_at),
        "eligible": verdict.eligible,
        "code": verdict.code,
        "reason": verdict.reason,
        "claim": claim_json(check.claim, item) if check.claim else None,
    }


def order_check_json(check: OrderCheck) -> Dict[str, Any]:
    """An order's items checked for price protection, with the total a claim would refund."""
    order = check.order
    return {
        "order_no": order.order_no,
        "status": order.status,
        "status_label": order_status_label(order.status),
        "item_summary": item_summary(order.items),
        "paid_at": _iso(order.paid_at),
        "eligible": any(c.verdict.eligible for c in check.items),
        "eligible_total_yuan": fen_to_yuan(check.eligible_fen),
        "items": [item_check_json(c) for c in check.items],
    }


def claims_json(order_no: str, claims: List[PriceProtectionClaim],
                items: List[OrderItem]) -> Dict[str, Any]:
    """The claims of one request and what they refund together."""
    by_id = {item.id: item for item in items}
    return {
        "order_no": order_no,
        "claims": [claim_json(c, by_id.get(c.order_item_id)) for c in claims],
        "refund_total_yuan": fen_to_yuan(sum(c.amount_fen for c in claims)),
    }


def price_change_json(change: PriceChange) -> Dict[str, Any]:
    """One entry of a product's price history."""
    return {
        "old_price_yuan": fen_to_yuan(change.old_price_fen),
        "price_yuan": fen_to_yuan(change.price_fen),
        "reason": change.reason,
        "changed_at": beijing_iso(change.changed_at),
    }
