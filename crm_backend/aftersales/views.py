"""After-sales requests to the JSON shape of the API: steps with times, and what comes next."""

from __future__ import annotations

from typing import Any, Dict

from crm_backend.aftersales import rules
from crm_backend.aftersales.policy import AfterSalesPolicy
from crm_backend.core.models import AfterSalesRequest
from crm_backend.core.money import fen_to_yuan
from crm_backend.core.time import beijing_iso


def request_json(request: AfterSalesRequest, policy: AfterSalesPolicy) -> Dict[str, Any]:
    """A request (steps, order and item loaded) with its steps oldest first and the next thing
    the customer must do."""
    steps = list(request.steps)
    status_at = next((s.occurred_at for s in reversed(steps) if s.status == request.status),
                     request.updated_at)
    facts = rules.StepFacts(
        kind=request.kind, status=request.status, status_at=status_at,
        reject_reason=request.reject_reason, refund_fen=request.refund_fen,
        return_tracking_no=request.return_tracking_no,
        outbound_carrier=request.outbound_carrier,
        outbound_tracking_no=request.outbound_tracking_no)
    return {
        "number": request.number,
        "order_no": request.order.order_no,
        "item_name": request.item.name if request.item else None,
        "sku": request.item.sku if request.item else None,
        "kind": request.kind,
        "kind_label": rules.KIND_LABELS[request.kind],
        "status": request.status,
        "status_label": rules.STATUS_LABELS[request.status],
        "open": request.status in rules.OPEN_STATUSES,
        "reason": request.reason,
        "reject_reason": request.reject_reason,
        "refund_yuan": None if request.refund_fen is None else fen_to_yuan(request.refund_fen),
        "return_tracking_no": request.return_tracking_no,
        "outbound_carrier": request.outbound_carrier,
        "outbound_tracking_no": request.outbound_tracking_no,
        "created_at": beijing_iso(request.created_at),
        "updated_at": beijing_iso(request.updated_at),
        "steps": [{"status": s.status, "label": rules.STATUS_LABELS[s.status],
                   "note": s.note, "at": beijing_iso(s.occurred_at)} for s in steps],
        "next_step": rules.next_step(facts, policy.next_steps, policy.deadlines,
                                     policy.return_address),
    }
