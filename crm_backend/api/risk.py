"""Risk signals, the risk scan, the at-risk list and win-back attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, Optional

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from .. import body_fields, validation
from ..complaint_views import follow_up_json
from ..errors import ApiError, bad_request, not_found
from ..followup_store import cancel_pending_winback, winback_follow_up
from ..labels import tier_label
from ..models import Customer, FollowUp, Notification, RiskFlag, StaffUser, WinBackAttempt
from ..responses import json_response
from ..risk import LEVEL_LABELS, LEVELS, SIGNALS
from ..risk_policy import RiskPolicy, load_risk_policy
from ..risk_scan import open_flags, scan
from ..risk_signals import record_risk_signal
from ..state import CONFIG_KEY, now, session
from ..tiers import TIERS
from ..timeutil import beijing_iso
from ..winback_service import OUTCOMES, KeyReused, start_winback
from .loyalty import customer_or_404, rewards_policy
from .notifications import note_json

ACTION_LABELS = {"handoff_and_alert": "转人工并通知负责人", "retention_offer": "挽回优惠",
                 "light_offer": "小额回馈", "none": "不做挽回"}


def risk_policy(request: web.Request) -> RiskPolicy:
    """The risk policy file named by the app's config, read now."""
    return load_risk_policy(request.app[CONFIG_KEY].risk_policy_path)


def flag_json(flag: RiskFlag, customer: Customer) -> Dict[str, Any]:
    """One risk flag with its customer."""
    return {
        "id": flag.id,
        "customer": {"id": customer.id, "name": customer.name, "tier": customer.tier,
                     "tier_label": tier_label(customer.tier)},
        "score": flag.score,
        "level": flag.level,
        "level_label": LEVEL_LABELS.get(flag.level, flag.level),
        "reasons": list(flag.reasons or []),
        "updated_at": beijing_iso(flag.updated_at),
    }


async def notification_json(db: AsyncSession, attempt: WinBackAttempt
                            ) -> Optional[Dict[str, Any]]:
    """The staff alert of an attempt (recipient by username), if one was sent."""
    if attempt.notification_id is None:
        return None
    note = await db.get(Notification, attempt.notification_id)
    if note is None:
        return None
    staff = await db.get(StaffUser, note.recipient_staff_id) if note.recipient_staff_id else None
    return note_json(note, staff)


def attempt_json(attempt: WinBackAttempt, notification: Optional[Dict[str, Any]],
                 follow_up: Optional[FollowUp]) -> Dict[str, Any]:
    """A win-back attempt as the bot and the console need it."""
    return {
        "attempt_id": attempt.id,
        "customer_id": attempt.customer_id,
        "conversation_id": attempt.conversation_id,
        "tier_used": attempt.tier_used,
        "tier_label": tier_label(attempt.tier_used),
        "bad_faith_used": bool(attempt.bad_faith_used),
        "action": attempt.action,
        "action_label": ACTION_LABELS[attempt.action],
        "hand_off": attempt.action == "handoff_and_alert",
        "offer": attempt.offer,
        "notification": notification,
        "outcome": attempt.outcome,
        "outcome_at": beijing_iso(attempt.outcome_at) if attempt.outcome_at else None,
        "follow_up": follow_up_json(follow_up),
    }


async def attempt_body(db: AsyncSession, attempt: WinBackAttempt) -> Dict[str, Any]:
    """`attempt_json` with the attempt's alert and follow-up read from the database."""
    return attempt_json(attempt, await notification_json(db, attempt),
                        await winback_follow_up(db, attempt.id))


async def _attempt(db: AsyncSession, request: web.Request) -> WinBackAttempt:
    """The win-back attempt in the path, or 404."""
    attempt_id = validation.path_id(request.match_info["attempt_id"], "attempt_id")
    attempt = await db.get(WinBackAttempt, attempt_id)
    if attempt is None:
        raise not_found("挽回记录不存在")
    return attempt


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
    policy = risk_policy(request)
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
        result = await scan(db, moment, risk_policy(request))
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


async def winback(request: web.Request) -> web.Response:
    """Start a win-back attempt decided by tier: 201 new, 200 on a repeated key."""
    body = await validation.json_object(request)
    conversation_id = body_fields.optional_text(body, "conversation_id", 128)
    trigger = body_fields.text(body, "trigger", 64)
    detail = body_fields.optional_text(body, "detail") or ""
    key = body_fields.idempotency_key(body)
    policy = rewards_policy(request)
    async with session(request) as db:
        customer = await customer_or_404(db, request)
        try:
            attempt, created = await start_winback(
                db, customer, trigger=trigger, conversation_id=conversation_id,
                idempotency_key=key, policy=policy, detail=detail,
                delay_override=request.app[CONFIG_KEY].followup_delay_seconds, now=now(request))
        except KeyReused:
            raise ApiError(409, "idempotency_key_reused", "该幂等键已用于其他请求",
                           "idempotency_key")
        await db.commit()
        shown = await attempt_body(db, attempt)
    return json_response(shown, status=201 if created else 200)


async def get_attempt(request: web.Request) -> web.Response:
    """One win-back attempt with its offer, outcome and follow-up."""
    async with session(request) as db:
        return json_response(await attempt_body(db, await _attempt(db, request)))


async def record_outcome(request: web.Request) -> web.Response:
    """Record how a win-back attempt ended; repeating the same outcome changes nothing."""
    body = await validation.json_object(request)
    outcome = body_fields.choice(body, "outcome", OUTCOMES)
    async with session(request) as db:
        attempt = await _attempt(db, request)
        if attempt.outcome != outcome:
            attempt.outcome, attempt.outcome_at = outcome, now(request)
            await cancel_pending_winback(db, attempt.id)
            await db.commit()
        return json_response(await attempt_body(db, attempt))
