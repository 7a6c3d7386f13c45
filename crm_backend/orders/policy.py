"""The orders policy (policy/orders.toml): which statuses allow cancelling or modifying an order,
the reasons the customer hears when not, and when an order counts as late or stalled."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Tuple

from crm_backend.core.policy_files import PolicyError, integer, read_policy, table
from crm_backend.core.vocabulary import ORDER_STATUS_LABELS

FIELDS = ("address", "phone", "spec", "delivery_time")


@dataclass(frozen=True)
class OrderRules:
    """orders.toml: which statuses allow cancelling or modifying, and the refusal wording."""

    cancel_allowed: Tuple[str, ...]
    refund_when: Tuple[str, ...]
    cancel_refusals: Dict[str, str]
    modify_allowed: Tuple[str, ...]
    modify_fields: Tuple[str, ...]
    modify_refusals: Dict[str, str]
    ship_within_hours: int = 48
    stalled_after_days: int = 3


def _statuses(raw: Mapping[str, Any], name: str) -> Tuple[str, ...]:
    """A list of known order statuses."""
    values = raw.get(name)
    if not isinstance(values, list) or any(v not in ORDER_STATUS_LABELS for v in values):
        raise PolicyError(f"orders policy {name} must list known order statuses")
    return tuple(values)


def parse_order_rules(doc: Mapping[str, Any]) -> OrderRules:
    """Validate a parsed orders.toml document."""
    cancel, modify, delivery = table(doc, "cancel"), table(doc, "modify"), table(doc, "delivery")
    fields = tuple(modify.get("fields", FIELDS))
    if any(f not in FIELDS for f in fields):
        raise PolicyError(f"orders policy modify.fields must be among {FIELDS}")
    return OrderRules(
        cancel_allowed=_statuses(cancel, "allowed"),
        refund_when=_statuses(cancel, "refund_when"),
        cancel_refusals={k: str(v) for k, v in table(cancel, "refusals").items()},
        modify_allowed=_statuses(modify, "allowed"),
        modify_fields=fields,
        modify_refusals={k: str(v) for k, v in table(modify, "refusals").items()},
        ship_within_hours=integer(delivery, "ship_within_hours", 1),
        stalled_after_days=integer(delivery, "stalled_after_days", 1),
    )


def load_order_rules(path: Path) -> OrderRules:
    """Read and validate the orders policy file."""
    return parse_order_rules(read_policy(path))
