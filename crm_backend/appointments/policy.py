"""The appointment policy (policy/appointments.toml): which days and time windows may be booked
for each kind, and how often and how late a booking may change."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Tuple

from crm_backend.aftersales.rules import STATUS_LABELS as AFTER_SALES_STATUSES
from crm_backend.core.policy_files import PolicyError, integer, read_policy, table
from crm_backend.core.vocabulary import ORDER_STATUS_LABELS

KINDS = ("delivery", "installation", "pickup")
WINDOW = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])$")


@dataclass(frozen=True)
class KindRules:
    """One kind's time windows and when an order may book it."""

    windows: Tuple[str, ...]
    order_statuses: Tuple[str, ...] = ()
    within_days_of_delivery: int = 0
    after_sales_statuses: Tuple[str, ...] = ()


@dataclass(frozen=True)
class AppointmentPolicy:
    """appointments.toml: book from `lead_days` to `days_ahead` days ahead; change at most
    `max_changes` times and not within `change_before_hours` of the slot."""

    lead_days: int
    days_ahead: int
    max_changes: int
    change_before_hours: int
    kinds: Dict[str, KindRules]


def _windows(raw: Mapping[str, Any], kind: str) -> Tuple[str, ...]:
    """"09:00-12:00" windows, each starting before it ends."""
    windows = raw.get("windows")
    if not isinstance(windows, list) or not windows:
        raise PolicyError(f"policy [kinds.{kind}] windows must list time windows")
    for window in windows:
        match = WINDOW.match(window) if isinstance(window, str) else None
        if match is None or window[:5] >= window[6:]:
            raise PolicyError(f"policy [kinds.{kind}] window {window!r} must look like "
                              "\"09:00-12:00\"")
    return tuple(windows)


def _codes(raw: Mapping[str, Any], name: str, known: Mapping[str, str], kind: str
           ) -> Tuple[str, ...]:
    """A list of known status codes."""
    values = raw.get(name)
    if not isinstance(values, list) or not values or any(v not in known for v in values):
        raise PolicyError(f"policy [kinds.{kind}] {name} must list known statuses")
    return tuple(values)


def parse_appointment_policy(doc: Mapping[str, Any]) -> AppointmentPolicy:
    """Validate a parsed appointments.toml document."""
    booking, kinds = table(doc, "booking"), table(doc, "kinds")
    lead, ahead = integer(booking, "lead_days", 0), integer(booking, "days_ahead", 1)
    if ahead < lead:
        raise PolicyError("policy setting days_ahead must not be before lead_days")
    delivery, install, pickup = (table(kinds, kind) for kind in KINDS)
    return AppointmentPolicy(
        lead_days=lead, days_ahead=ahead,
        max_changes=integer(booking, "max_changes", 0),
        change_before_hours=integer(booking, "change_before_hours", 0),
        kinds={
            "delivery": KindRules(
                _windows(delivery, "delivery"),
                order_statuses=_codes(delivery, "order_statuses", ORDER_STATUS_LABELS,
                                      "delivery")),
            "installation": KindRules(
                _windows(install, "installation"),
                order_statuses=_codes(install, "order_statuses", ORDER_STATUS_LABELS,
                                      "installation"),
                within_days_of_delivery=integer(install, "within_days_of_delivery", 1)),
            "pickup": KindRules(
                _windows(pickup, "pickup"),
                after_sales_statuses=_codes(pickup, "after_sales_statuses",
                                            AFTER_SALES_STATUSES, "pickup")),
        })


def load_appointment_policy(path: Path) -> AppointmentPolicy:
    """Read and validate the appointment policy file."""
    return parse_appointment_policy(read_policy(path))
