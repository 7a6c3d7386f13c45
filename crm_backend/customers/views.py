"""Customers to the JSON shapes of the API."""

from __future__ import annotations

from typing import Any, Dict

from crm_backend.core.models import Customer
from crm_backend.core.vocabulary import tier_label


def mask_phone(phone: str) -> str:
    """138****1234 style masking (keeps the first 3 and last 4 digits)."""
    if len(phone) < 8:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


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
