"""Win-back attempts over HTTP: start one, read it, record its outcome."""

from __future__ import annotations

from typing import Any, Dict

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.core import body as body_fields
from crm_backend.core import body as validation
from crm_backend.core.http import json_response
from crm_backend.core.models import FollowUp, WinBackAttempt
from crm_backend.core.state import CONFIG_KEY, now, session
from crm_backend.customers.api import customer_or_404
from crm_backend.followups.store import newest
from crm_backend.policies import policies
from crm_backend.winback.store import OUTCOMES, record_outcome, start_winback
from crm_backend.winback.views import attempt_json, notification_json


async def attempt_body(db: AsyncSession, attempt: WinBackAttempt) -> Dict[str, Any]:
    """`attempt_json` with the attempt's alert and follow-up read from the database."""
    return attempt_json(attempt, await notification_json(db, attempt),
                        await newest(db, FollowUp.winback_attempt_id == attempt.id))


async def _attempt(db: AsyncSession, request: web.Request) -> WinBackAttempt:
    """The win-back attempt in the path, or 404."""
    return await validation.row_in_path(db, WinBackAttempt, request, "attempt_id", "挽回记录不存在")


async def winback(request: web.Request) -> web.Response:
    """Start a win-back attempt decided by tier: 201 new, 200 on a repeated key."""
    body = await validation.json_object(request)
    conversation_id = body_fields.optional_text(body, "conversation_id", 128)
    trigger = body_fields.text(body, "trigger", 64)
    detail = body_fields.optional_text(body, "detail") or ""
    key = body_fields.idempotency_key(body)
    policy = policies(request).rewards
    async with session(request) as db:
        customer = await customer_or_404(db, request)
        attempt, created = await start_winback(
            db, customer, trigger=trigger, conversation_id=conversation_id,
            idempotency_key=key, policy=policy, risk=policies(request).risk, detail=detail,
            delay_override=request.app[CONFIG_KEY].followup_delay_seconds, now=now(request))
        await db.commit()
        shown = await attempt_body(db, attempt)
    return json_response(shown, status=201 if created else 200)


async def get_attempt(request: web.Request) -> web.Response:
    """One win-back attempt with its offer, outcome and follow-up."""
    async with session(request) as db:
        return json_response(await attempt_body(db, await _attempt(db, request)))


async def outcome(request: web.Request) -> web.Response:
    """Record how a win-back attempt ended; repeating the same outcome changes nothing."""
    body = await validation.json_object(request)
    ended = body_fields.choice(body, "outcome", OUTCOMES)
    async with session(request) as db:
        attempt = await _attempt(db, request)
        if await record_outcome(db, attempt, ended, now(request)):
            await db.commit()
        return json_response(await attempt_body(db, attempt))


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_post("/api/customers/{customer_id}/winback", winback)
    router.add_get("/api/winback/{attempt_id}", get_attempt)
    router.add_patch("/api/winback/{attempt_id}", outcome)
