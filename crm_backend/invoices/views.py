"""E-invoices to the JSON shape of the API."""

from __future__ import annotations

from typing import Any, Dict, Optional

from crm_backend.core.models import Invoice
from crm_backend.core.money import fen_to_yuan
from crm_backend.core.time import beijing_iso
from crm_backend.invoices import rules
from crm_backend.invoices.policy import InvoicePolicy
from crm_backend.orders.views import item_summary


def _iso(moment: Any) -> Optional[str]:
    return None if moment is None else beijing_iso(moment)


def invoice_json(invoice: Invoice, policy: InvoicePolicy) -> Dict[str, Any]:
    """An invoice (order and versions loaded): what it says now, where it went, its versions,
    and how many re-issues the policy still allows."""
    return {
        "order_no": invoice.order.order_no,
        "item_summary": item_summary(invoice.order.items),
        "kind": invoice.kind,
        "kind_label": rules.KIND_LABELS[invoice.kind],
        "title": invoice.title,
        "tax_no": invoice.tax_no,
        "status": invoice.status,
        "status_label": rules.STATUS_LABELS[invoice.status],
        "number": invoice.number,
        "version": invoice.version,
        "amount_yuan": fen_to_yuan(invoice.amount_fen),
        "email_masked": rules.mask_email(invoice.email),
        "issued_at": _iso(invoice.issued_at),
        "first_issued_at": _iso(invoice.first_issued_at),
        "sent_at": _iso(invoice.sent_at),
        "reissues": invoice.reissues,
        "reissues_left": max(policy.max_reissues - invoice.reissues, 0),
        "change_days": policy.change_days,
        "versions": [{"version": v.version, "number": v.number, "kind": v.kind,
                      "title": v.title, "tax_no": v.tax_no, "issued_at": beijing_iso(v.issued_at),
                      "voided_at": _iso(v.voided_at), "reason": v.reason}
                     for v in invoice.versions],
    }
