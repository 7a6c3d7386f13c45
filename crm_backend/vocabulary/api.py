"""`GET /api/vocabulary`: every code the CRM uses with its Chinese label, and the formats of its
numbers. The CRM owns these words; the bot renders them and a test keeps its copies equal."""

from __future__ import annotations

from aiohttp import web

from crm_backend.aftersales import rules as after_sales
from crm_backend.appointments.rules import KIND_LABELS as APPOINTMENT_KINDS
from crm_backend.complaints import rules as complaints
from crm_backend.core.body import ORDER_NO_PATTERN
from crm_backend.core.http import json_response
from crm_backend.core.vocabulary import ORDER_STATUS_LABELS, REFUND_STATUS_LABELS, TIER_LABELS
from crm_backend.handoffs.rules import PRIORITY_LABELS
from crm_backend.invoices import rules as invoices
from crm_backend.orders.rules import FIELD_LABELS
from crm_backend.risk.rules import LEVEL_LABELS


def vocabulary() -> dict:
    """The vocabulary as one JSON document."""
    return {
        "order_statuses": ORDER_STATUS_LABELS,
        "refund_statuses": REFUND_STATUS_LABELS,
        "order_fields": FIELD_LABELS,
        "tiers": TIER_LABELS,
        "complaint_categories": complaints.CATEGORY_LABELS,
        "complaint_severities": complaints.SEVERITY_LABELS,
        "complaint_wishes": complaints.WISH_LABELS,
        "complaint_steps": complaints.STEP_LABELS,
        "complaint_statuses": complaints.STATUS_LABELS,
        "risk_levels": LEVEL_LABELS,
        "handoff_priorities": PRIORITY_LABELS,
        "after_sales_kinds": after_sales.KIND_LABELS,
        "after_sales_statuses": after_sales.STATUS_LABELS,
        "invoice_kinds": invoices.KIND_LABELS,
        "invoice_statuses": invoices.STATUS_LABELS,
        "appointment_kinds": APPOINTMENT_KINDS,
        "order_no_pattern": ORDER_NO_PATTERN.pattern,
        "complaint_no_pattern": complaints.NUMBER_PATTERN.pattern,
    }


async def get_vocabulary(request: web.Request) -> web.Response:
    """The CRM's vocabulary."""
    return json_response(vocabulary())


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_get("/api/vocabulary", get_vocabulary)
