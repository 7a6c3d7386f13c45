"""Products to the JSON shape of the API."""

from __future__ import annotations

from typing import Any, Dict

from crm_backend.core.models import Product
from crm_backend.core.money import fen_to_yuan


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
        "bulky": bool(product.bulky),
        "needs_installation": bool(product.needs_installation),
    }
