"""Risk flags to the JSON shape of the API."""

from __future__ import annotations

from typing import Any, Dict

from crm_backend.core.models import Customer, RiskFlag
from crm_backend.core.time import beijing_iso
from crm_backend.core.vocabulary import tier_label
from crm_backend.risk.rules import LEVEL_LABELS


def flag_json(flag: RiskFlag, customer: Customer) -> Dict[str, Any]:
    """One risk flag with its customer."""
    return {
        "id": flag.id,
        "customer": {"id": customer.id, "name": customer.name, "tier": customer.tier,
                     "tier_label": tier_label(customer.tier)},
        "score": flag.score,
        "level": flag.level,
        "level_label": LEVEL_LABELS.get(flag.level, flag.level),
        "reasons": list(flag.reasons or []),
        "updated_at": beijing_iso(flag.updated_at),
    }
