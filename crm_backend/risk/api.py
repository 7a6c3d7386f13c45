"""Risk signals, the risk scan and the at-risk list over HTTP."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from aiohttp import web

from crm_backend.core import body as body_fields
from crm_backend.core import body as validation
from crm_backend.core.http import bad_request, json_response
from crm_backend.core.state import now, session
from crm_backend.core.vocabulary import TIERS
from crm_backend.customers.api import customer_or_404
from crm_backend.policies import policies
from crm_backend.risk.rules import LEVELS, SIGNALS
from crm_backend.risk.store import open_flags, record_risk_signal, scan
from crm_backend.risk.views import flag_json


def _optional_choice(raw: Optional[str], field: str, allowed) -> Optional[str]:
    """A query filter that is empty or one of `allowed`."""
    if raw is None or raw == "":
        return None
    if raw not in allowed:
        raise bad_request(f"参数 {field} 应为 {'/'.join(allowed)} 之一", field)
    return raw


def _scan_time(raw: Any, current: datetime) -> datetime:
    """`now` for a scan: absent means `current`, else an aware ISO-8601 time."""
    if raw is None:
        return current
    try:
        value = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise bad_request("字段 now 必须是带时区的 ISO-8601 时间", "now")
    return value


async def record_signal(request: web.Request) -> web.Response:
    """Record a churn-risk signal once per key; returns the customer's open flag."""
    body = await validation.json_object(request)
    signal = body_fields.choice(body, "signal", SIGNALS)
    detail = body_fields.optional_text(body, "detail") or ""
    conversation_id = body_fields.optional_text(body, "conversation_id", 128)
    key = body_fields.idempotency_key(body)
    policy = policies(request).risk
    async with session(request) as db:
        customer = await customer_or_404(db, request)
        flag = await record_risk_signal(db, customer_id=customer.id, signal=signal, detail=detail,
                                        conversation_id=conversation_id,
                                        idempotency_key=f"api:{key}", policy=policy,
                                        now=now(request))
        await db.commit()
    return json_response({"flag": flag_json(flag, customer)}, status=201)


async def run_scan(request: web.Request) -> web.Response:
    """Scan every customer for risk (safe to repeat on the same day)."""
    body = await validation.json_object(request) if request.can_read_body else {}
    moment = _scan_time(body.get("now"), now(request))
    async with session(request) as db:
        result = await scan(db, moment, policies(request).risk)
        await db.commit()
    return json_response({"scanned": result.scanned, "flagged": len(result.flagged),
                          "customer_ids": result.flagged})


async def list_flags(request: web.Request) -> web.Response:
    """Open risk flags, highest score first, filtered by level, tier and reason text."""
    level = _optional_choice(request.query.get("level"), "level", LEVELS)
    tier = _optional_choice(request.query.get("tier"), "tier", TIERS)
    reason = request.query.get("reason", "").strip()
    async with session(request) as db:
        rows = await open_flags(db, level, tier)
    flags = [flag_json(flag, customer) for flag, customer in rows
             if not reason or any(reason in r for r in flag.reasons or [])]
    return json_response({"flags": flags})


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_post("/api/customers/{customer_id}/risk-signals", record_signal)
    router.add_post("/api/risk/scan", run_scan)
    router.add_get("/api/risk-flags", list_flags)
