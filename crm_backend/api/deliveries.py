"""The shop's signal that an order was signed for: purchase points and the tier follow."""

from __future__ import annotations

from aiohttp import web

from .. import body_fields, validation
from ..deliveries import mark_delivered
from ..errors import not_found
from ..queries import order_detail
from ..responses import json_response
from ..serializers import order_detail_json
from ..state import CONFIG_KEY, now, session
from ..tier_policy import load_tier_policy
from ..timeutil import beijing_iso
from .complaint_params import moment
from .loyalty import entry_json, rewards_policy
from .tiers import result_json

DEFAULT_DESCRIPTION = "已签收"


async def delivered(request: web.Request) -> web.Response:
    """Mark a shipped order delivered: 201 when this call did it, 200 when it already was."""
    order_no = validation.order_no(request.match_info["order_no"])
    body = await validation.json_object(request)
    at = moment(body.get("delivered_at"), "delivered_at") or now(request)
    description = body_fields.optional_text(body, "description") or DEFAULT_DESCRIPTION
    rewards = rewards_policy(request)
    tiers = load_tier_policy(request.app[CONFIG_KEY].tiers_policy_path)
    async with session(request) as db:
        order = await order_detail(db, order_no)
        if order is None:
            raise not_found("订单不存在", code="order_not_found")
        done = await mark_delivered(db, order, at, description, rewards, tiers)
        await db.commit()
        db.expunge_all()
        order = await order_detail(db, order_no)
        assert order is not None
        shown = {"order": {**order_detail_json(order),
                           "delivered_at": beijing_iso(order.delivered_at)},
                 "points": entry_json(done.points) if done.points is not None else None,
                 "tier": result_json(done.tier) if done.tier is not None else None}
    return json_response(shown, status=201 if done.created else 200)
