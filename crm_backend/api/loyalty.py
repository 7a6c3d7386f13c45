"""Points balance and ledger, grants, the redemption catalogue, redemptions and membership."""

from __future__ import annotations

from typing import Any, Dict

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from .. import body_fields, validation
from ..errors import ApiError, bad_request, not_found
from ..membership import membership_view
from ..models import Customer, PointsEntry
from ..money import fen_to_yuan
from ..points import expiring_points, grant_points_once, points_balance, recent_entries
from ..redemption import InsufficientPoints, KeyReused, Redemption, redeem
from ..responses import json_response
from ..rewards_policy import CatalogueReward, RewardsPolicy, load_rewards_policy
from ..state import CONFIG_KEY, now, session
from ..tier_policy import load_tier_policy
from ..tiering import spend_summary
from ..timeutil import beijing_iso

MAX_GRANT = 100_000


def rewards_policy(request: web.Request) -> RewardsPolicy:
    """The rewards policy file named by the app's config, read now."""
    return load_rewards_policy(request.app[CONFIG_KEY].rewards_policy_path)


async def customer_or_404(db: AsyncSession, request: web.Request) -> Customer:
    """The customer named in the path, or a 400/404."""
    customer_id = validation.path_id(request.match_info["customer_id"], "id")
    customer = await db.get(Customer, customer_id)
    if customer is None:
        raise not_found("客户不存在")
    return customer


def _key_conflict() -> ApiError:
    """409 for an idempotency key that belongs to a different request."""
    return ApiError(409, "idempotency_key_reused", "该幂等键已用于其他请求", "idempotency_key")


def entry_json(entry: PointsEntry) -> Dict[str, Any]:
    """One ledger line."""
    return {"delta": entry.delta, "reason": entry.reason, "source": entry.source,
            "created_at": beijing_iso(entry.created_at)}


def reward_json(reward: CatalogueReward) -> Dict[str, Any]:
    """One catalogue entry."""
    return {"id": reward.id, "title": reward.title, "points_cost": reward.points_cost,
            "value_yuan": fen_to_yuan(reward.value_fen),
            "min_spend_yuan": fen_to_yuan(reward.min_spend_fen)}


def redemption_json(result: Redemption) -> Dict[str, Any]:
    """The coupon received and the balance after."""
    coupon = result.coupon
    return {
        "coupon": {"code": coupon.code, "title": result.title,
                   "value_yuan": fen_to_yuan(coupon.value_fen),
                   "min_spend_yuan": fen_to_yuan(coupon.min_spend_fen),
                   "expires_at": beijing_iso(coupon.expires_at)},
        "balance": result.balance,
    }


async def get_points(request: web.Request) -> web.Response:
    """Balance, points expiring soon and the last ten ledger entries."""
    policy = rewards_policy(request)
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
    policy = rewards_policy(request)
    moment = now(request)
    async with session(request) as db:
        customer = await customer_or_404(db, request)
        entry, created = await grant_points_once(
            db, customer_id=customer.id, points=points, reason=reason, source=source,
            idempotency_key=f"grant:{key}", now=moment, policy=policy)
        if entry.customer_id != customer.id:
            raise _key_conflict()
        await db.commit()
        balance = await points_balance(db, customer.id, moment)
    return json_response({"entry": entry_json(entry), "balance": balance},
                         status=201 if created else 200)


async def catalogue(request: web.Request) -> web.Response:
    """What points can be redeemed for."""
    policy = rewards_policy(request)
    return json_response({"rewards": [reward_json(r) for r in policy.catalogue]})


async def redeem_points(request: web.Request) -> web.Response:
    """Redeem a catalogue reward: 201 new, 200 repeat, 409 insufficient points."""
    body = await validation.json_object(request)
    reward_id = body_fields.text(body, "reward_id", 64)
    key = body_fields.idempotency_key(body)
    policy = rewards_policy(request)
    reward = policy.reward(reward_id)
    if reward is None:
        raise bad_request(f"未知的兑换项目 {reward_id}", "reward_id")
    async with session(request) as db:
        customer = await customer_or_404(db, request)
        try:
            result = await redeem(db, customer_id=customer.id, reward=reward,
                                  idempotency_key=key, policy=policy, now=now(request))
        except InsufficientPoints as short:
            return json_response({"error": "insufficient_points", "message": short.message,
                                  "balance": short.balance, "needed": short.needed}, status=409)
        except KeyReused:
            raise _key_conflict()
        await db.commit()
    return json_response(redemption_json(result), status=201 if result.created else 200)


async def membership(request: web.Request) -> web.Response:
    """Tier, benefits, what is missing for the next tier, and the points balance."""
    policy = load_tier_policy(request.app[CONFIG_KEY].tiers_policy_path)
    moment = now(request)
    async with session(request) as db:
        customer = await customer_or_404(db, request)
        spent, count, _last = await spend_summary(db, customer.id, moment, policy)
        balance = await points_balance(db, customer.id, moment)
    return json_response(membership_view(customer.tier, customer.tier_reason, spent, count,
                                         balance, policy))
