"""The invoice policy (policy/invoices.toml): how long and how often an invoice may be re-issued,
and how often it may be sent in a day."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from crm_backend.core.policy_files import integer, read_policy, table


@dataclass(frozen=True)
class InvoicePolicy:
    """invoices.toml: a re-issue within `change_days` of the first issue, at most
    `max_reissues` times; at most `max_sends_per_day` sends of one invoice a day."""

    change_days: int
    max_reissues: int
    max_sends_per_day: int


def parse_invoice_policy(doc: Mapping[str, Any]) -> InvoicePolicy:
    """Validate a parsed invoices.toml document."""
    reissue, send = table(doc, "reissue"), table(doc, "send")
    return InvoicePolicy(change_days=integer(reissue, "change_days", 1),
                         max_reissues=integer(reissue, "max_reissues", 0),
                         max_sends_per_day=integer(send, "max_per_day", 1))


def load_invoice_policy(path: Path) -> InvoicePolicy:
    """Read and validate the invoice policy file."""
    return parse_invoice_policy(read_policy(path))
