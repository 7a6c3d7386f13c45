"""Points, grants, the catalogue of rewards, redemption, membership and tiers over HTTP."""

from __future__ import annotations

from aiohttp import web

from crm_backend.core import body as body_fields
from crm_backend.core import body as validation
from crm_backend.core.errors import KeyReused
from crm_backend.core.http import bad_request, json_response
from crm_backend.core.state import now, session
from crm_backend.core.time import beijing_iso
from crm_backend.customers.api import customer_or_404
from crm_backend.loyalty.rules import membership_view
from crm_backend.loyalty.store import (InsufficientPoints, expiring_points, grant_points,
                                       points_balance, recent_entries, recompute_all,
                                       recompute_tier, redeem, spend_summary)
from crm_backend.loyalty.views import entry_json, redemption_json, result_json, reward_json
from crm_backend.policies import policies

MAX_GRANT = 100_000


async def get_points(request: web.Request) -> web.Response:
    """Balance, points expiring soon and the last ten ledger entries."""
    policy = policies(request).rewards
    moment = now(request)
    async with session(request) as db:
        customer = await customer_or_404(db, request)
        balance = await points_balance(db, customer.id, moment)
        soon = await expiring_points(db, customer.id, policy.expiring_notice_days, moment)
        entries = await recent_entries(db, customer.id, 10)
    expiring = None if soon is None else {"points": soon.points,
                                          "expires_at": beijing_iso(soon.expires_at)}
    return json_response({"balance": balance, "expiring": expiring,
                          "entries": [entry_json(e) for e in entries]})


async def grant(request: web.Request) -> web.Response:
    """Grant points once per idempotency key: 201 when written, 200 on a repeat."""
    body = await validation.json_object(request)
    points = body_fields.integer(body, "points", 1, MAX_GRANT)
    reason = body_fields.text(body, "reason")
    source = body_fields.text(body, "source", 32)
    key = body_fields.idempotency_key(body)
    policy = policies(request).rewards
    moment = now(request)
    async with session(request) as db:
        customer = await customer_or_404(db, request)
        entry, created = await grant_points(
            db, customer_id=customer.id, points=points, reason=reason, source=source,
            idempotency_key=f"grant:{key}", now=moment, policy=policy)
        if entry.customer_id != customer.id:
            raise KeyReused()
        await db.commit()
        balance = await points_balance(db, customer.id, moment)
    return json_response({"entry": entry_json(entry), "balance": balance},
                         status=201 if created else 200)


async def catalogue(request: web.Request) -> web.Response:
    """What points can be redeemed for."""
    policy = policies(request).rewards
    return json_response({"rewards": [reward_json(r) for r in policy.catalogue]})


async def redeem_points(request: web.Request) -> web.Response:
    """Redeem a catalogue reward: 201 new, 200 repeat, 409 insufficient points."""
    body = await validation.json_object(request)
    reward_id = body_fields.text(body, "reward_id", 64)
    key = body_fields.idempotency_key(body)
    policy = policies(request).rewards
    reward = policy.reward(reward_id)
    if reward is None:
        raise bad_request(f"未知的兑换项目 {reward_id}", "reward_id")
    async with session(request) as db:
        customer = await customer_or_404(db, request)
        try:
            result = await redeem(db, customer_id=customer.id, reward=reward,
                                  idempotency_key=key, now=now(request))
        except InsufficientPoints as short:
            return json_response({"error": "insufficient_points", "message": short.message,
                                  "balance": short.balance, "needed": short.needed}, status=409)
        await db.commit()
    return json_response(redemption_json(result), status=201 if result.created else 200)


async def membership(request: web.Request) -> web.Response:
    """Tier, benefits, what is missing for the next tier, and the points balance."""
    policy = policies(request).tiers
    moment = now(request)
    async with session(request) as db:
        customer = await customer_or_404(db, request)
        spent, count, _last = await spend_summary(db, customer.id, moment, policy)
        balance = await points_balance(db, customer.id, moment)
    return json_response(membership_view(customer.tier, customer.tier_reason, spent, count,
                                         balance, policy))


async def recompute_one(request: web.Request) -> web.Response:
    """Recompute one customer's tier now."""
    policy = policies(request).tiers
    rewards = policies(request).rewards
    async with session(request) as db:
        customer = await customer_or_404(db, request)
        result = await recompute_tier(db, customer.id, now(request), policy=policy,
                                      rewards=rewards)
        await db.commit()
    return json_response(result_json(result))


async def recompute_everyone(request: web.Request) -> web.Response:
    """Recompute every customer's tier; lists only the customers whose tier changed."""
    policy = policies(request).tiers
    async with session(request) as db:
        results = await recompute_all(db, now(request), policy, policies(request).rewards)
        await db.commit()
    changed = [result_json(r) for r in results if r.changed]
    return json_response({"recomputed": len(results), "changed": changed})


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_get("/api/customers/{customer_id}/points", get_points)
    router.add_post("/api/customers/{customer_id}/points/grant", grant)
    router.add_post("/api/customers/{customer_id}/points/redeem", redeem_points)
    router.add_get("/api/customers/{customer_id}/membership", membership)
    router.add_get("/api/rewards/catalogue", catalogue)
    router.add_post("/api/customers/{customer_id}/tier/recompute", recompute_one)
    router.add_post("/api/tiers/recompute", recompute_everyone)
