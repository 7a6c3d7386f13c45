"""The price-protection policy (policy/price_protection.toml): the window after payment, by
category, and which orders may claim."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Tuple

from crm_backend.core.policy_files import PolicyError, integer, read_policy, table
from crm_backend.core.vocabulary import ORDER_STATUS_LABELS

MAX_WINDOW_DAYS = 365


@dataclass(frozen=True)
class PriceProtectionPolicy:
    """price_protection.toml: days after payment a drop counts (per category, 0 = none), the
    smallest difference per piece, and the order statuses that may claim."""

    default_days: int
    category_days: Dict[str, int]
    min_difference_fen: int
    order_statuses: Tuple[str, ...]

    def window_days(self, category: str) -> int:
        """The window of a product category (0: it takes no part in price protection)."""
        return self.category_days.get(category, self.default_days)


def _days(doc: Mapping[str, Any], name: str) -> int:
    """A window in days, 0 to a year."""
    days = integer(doc, name)
    if days > MAX_WINDOW_DAYS:
        raise PolicyError(f"policy setting {name} must be at most {MAX_WINDOW_DAYS} days")
    return days


def parse_price_protection_policy(doc: Mapping[str, Any]) -> PriceProtectionPolicy:
    """Validate a parsed price_protection.toml document."""
    window, claim = table(doc, "window"), table(doc, "claim")
    categories = window.get("categories", {})
    if not isinstance(categories, Mapping):
        raise PolicyError("policy table [window.categories] must map categories to days")
    statuses = claim.get("order_statuses")
    if (not isinstance(statuses, list) or not statuses
            or any(s not in ORDER_STATUS_LABELS for s in statuses)):
        raise PolicyError("policy setting order_statuses must list known order statuses")
    if any(s in ("pending_payment", "cancelled", "refunding", "refunded") for s in statuses):
        raise PolicyError("policy setting order_statuses may list only paid, open orders")
    return PriceProtectionPolicy(
        default_days=_days(window, "default_days"),
        category_days={str(name): _days(categories, name) for name in categories},
        min_difference_fen=integer(claim, "min_difference_yuan", 0) * 100,
        order_statuses=tuple(statuses),
    )


def load_price_protection_policy(path: Path) -> PriceProtectionPolicy:
    """Read and validate the price-protection policy file."""
    return parse_price_protection_policy(read_policy(path))
