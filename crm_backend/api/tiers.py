"""Recomputing tiers on demand and staff marking bad-faith customers."""

from __future__ import annotations

from typing import Any, Dict

from aiohttp import web

from .. import body_fields, validation
from ..bad_faith import mark_bad_faith
from ..errors import bad_request
from ..labels import tier_label
from ..responses import json_response
from ..serializers import customer_json
from ..state import CONFIG_KEY, now, session
from ..tier_policy import load_tier_policy
from ..tiering import TierResult, recompute_all, recompute_tier
from ..timeutil import beijing_iso
from .loyalty import customer_or_404, rewards_policy


def result_json(result: TierResult) -> Dict[str, Any]:
    """One recomputation outcome."""
    return {"customer_id": result.customer_id, "old_tier": result.old_tier,
            "tier": result.tier, "tier_label": tier_label(result.tier),
            "tier_reason": result.reason, "changed": result.changed,
            "computed_at": beijing_iso(result.computed_at)}


async def recompute_one(request: web.Request) -> web.Response:
    """Recompute one customer's tier now."""
    policy = load_tier_policy(request.app[CONFIG_KEY].tiers_policy_path)
    rewards = rewards_policy(request)
    async with session(request) as db:
        customer = await customer_or_404(db, request)
        result = await recompute_tier(db, customer.id, now(request), policy=policy,
                                      rewards=rewards)
        await db.commit()
    return json_response(result_json(result))


async def recompute_everyone(request: web.Request) -> web.Response:
    """Recompute every customer's tier; lists only the customers whose tier changed."""
    policy = load_tier_policy(request.app[CONFIG_KEY].tiers_policy_path)
    async with session(request) as db:
        results = await recompute_all(db, now(request), policy=policy)
        await db.commit()
    changed = [result_json(r) for r in results if r.changed]
    return json_response({"recomputed": len(results), "changed": changed})


async def set_bad_faith(request: web.Request) -> web.Response:
    """Mark or clear a bad-faith customer; a reason is required when marking."""
    body = await validation.json_object(request)
    is_bad_faith = body_fields.flag(body, "is_bad_faith")
    reason = body_fields.optional_text(body, "reason")
    staff = body_fields.text(body, "staff", 64)
    if is_bad_faith and reason is None:
        raise bad_request("标记劣质客户必须填写原因", "reason")
    async with session(request) as db:
        customer = await customer_or_404(db, request)
        await mark_bad_faith(db, customer, is_bad_faith=is_bad_faith, reason=reason, staff=staff,
                             now=now(request))
        await db.commit()
    payload = customer_json(customer)
    payload.update({"bad_faith_reason": customer.bad_faith_reason,
                    "bad_faith_marked_by": customer.bad_faith_marked_by,
                    "bad_faith_marked_at": beijing_iso(customer.bad_faith_marked_at)})
    return json_response(payload)
