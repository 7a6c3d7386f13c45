"""The after-sales policy (policy/after_sales.toml): when a request may be made, the deadlines,
the return address and what the customer is told to do next at each step."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Tuple

from crm_backend.aftersales.rules import KIND_LABELS, STATUS_LABELS
from crm_backend.core.policy_files import PolicyError, integer, read_policy, table
from crm_backend.core.vocabulary import ORDER_STATUS_LABELS

DEADLINES = ("review_hours", "return_ship_days", "refund_days", "repair_days")
PLACEHOLDERS = {"review_hours": 1, "deadline": "", "address": "", "refund_yuan": "",
                "refund_days": 1, "repair_days": 1, "carrier": "", "tracking_no": "",
                "reject_reason": ""}


@dataclass(frozen=True)
class AfterSalesPolicy:
    """after_sales.toml: order statuses and days after delivery a request may be made in, the
    deadlines, the return address and the next-step wording per status (or status.kind)."""

    order_statuses: Tuple[str, ...]
    within_days: Dict[str, int]
    deadlines: Dict[str, int]
    return_address: str
    next_steps: Dict[str, str]


def _wording(raw: Mapping[str, Any]) -> Dict[str, str]:
    """Every status worded, each key a status or status.kind, each placeholder known."""
    wording = {}
    for key, text in raw.items():
        status, _, kind = str(key).partition(".")
        if status not in STATUS_LABELS or (kind and kind not in KIND_LABELS):
            raise PolicyError(f"policy [next_steps] has an unknown step {key!r}")
        if not isinstance(text, str) or not text.strip():
            raise PolicyError(f"policy [next_steps] {key} must be a non-empty text")
        try:
            text.format(**PLACEHOLDERS)
        except (KeyError, IndexError, ValueError) as exc:
            raise PolicyError(f"policy [next_steps] {key} has an unknown placeholder: {exc}")
        wording[str(key)] = text
    missing = [s for s in STATUS_LABELS if s not in wording
               and not all(f"{s}.{k}" in wording for k in KIND_LABELS)]
    if missing:
        raise PolicyError(f"policy [next_steps] has no wording for {', '.join(missing)}")
    return wording


def parse_after_sales_policy(doc: Mapping[str, Any]) -> AfterSalesPolicy:
    """Validate a parsed after_sales.toml document."""
    apply = table(doc, "apply")
    statuses = apply.get("order_statuses")
    if (not isinstance(statuses, list) or not statuses
            or any(s not in ORDER_STATUS_LABELS for s in statuses)):
        raise PolicyError("policy setting order_statuses must list known order statuses")
    within = table(apply, "within_days")
    deadlines = table(doc, "deadlines")
    address = table(doc, "return_address").get("text")
    if not isinstance(address, str) or not address.strip():
        raise PolicyError("policy setting return_address.text must be a non-empty text")
    return AfterSalesPolicy(
        order_statuses=tuple(statuses),
        within_days={kind: integer(within, kind, 1) for kind in KIND_LABELS},
        deadlines={name: integer(deadlines, name, 1) for name in DEADLINES},
        return_address=address.strip(),
        next_steps=_wording(table(doc, "next_steps")),
    )


def load_after_sales_policy(path: Path) -> AfterSalesPolicy:
    """Read and validate the after-sales policy file."""
    return parse_after_sales_policy(read_policy(path))
