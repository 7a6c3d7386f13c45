"""Order detail, cancelling and changing an order, and the shop's delivery signal."""

from __future__ import annotations

from aiohttp import web

from crm_backend.complaints.params import MAX_CUSTOMER_ID
from crm_backend.core import body as body_fields
from crm_backend.core import body as validation
from crm_backend.core.body import moment
from crm_backend.core.http import json_response, not_found
from crm_backend.core.models import Order
from crm_backend.core.state import now, session
from crm_backend.core.time import beijing_iso
from crm_backend.loyalty.store import recompute_tier
from crm_backend.loyalty.views import entry_json, result_json
from crm_backend.orders import store as order_change_store
from crm_backend.orders import store as queries
from crm_backend.orders.delivery import mark_delivered
from crm_backend.orders.policy import FIELDS
from crm_backend.orders.refund_route import refund_route
from crm_backend.orders.store import order_detail
from crm_backend.orders.views import (changed_order_json, order_detail_json, order_situation,
                                      refund_json)
from crm_backend.policies import policies

ORDER_NOT_FOUND_MESSAGE = "订单不存在"


async def get_order(request: web.Request) -> web.Response:
    """One order; with `customer_id`, someone else's order is reported as not found."""
    order_no = validation.order_no(request.match_info["order_no"])
    owner = validation.int_value(request.query.get("customer_id"), "customer_id",
                                 minimum=1, maximum=validation.MAX_ID)
    async with session(request) as db:
        order = await queries.order_detail(db, order_no)
    if order is None or (owner is not None and order.customer_id != owner):
        raise not_found(ORDER_NOT_FOUND_MESSAGE)
    rules, moment = policies(request).orders, now(request)
    route = refund_route(order.order_no, order.status, order.total_fen, order.delivered_at, moment,
                         rules.refund_when, policies(request).after_sales.within_days["return"])
    return json_response({**order_detail_json(order, rules),
                          "situation": order_situation(order, moment, rules).as_json(),
                          "refund_route": route.as_json()})


VALUE_MAX_LENGTH = 255


async def _reloaded(db, order_no: str) -> Order:
    """The order read again with everything the detail needs."""
    db.expunge_all()
    order = await order_detail(db, order_no)
    assert order is not None
    return order


async def cancel(request: web.Request) -> web.Response:
    """Cancel a pending order (refund requested when paid); 409 with the reason otherwise."""
    order_no = validation.order_no(request.match_info["order_no"])
    body = await validation.json_object(request)
    customer_id = body_fields.integer(body, "customer_id", 1, MAX_CUSTOMER_ID)
    reason = body_fields.optional_text(body, "reason")
    key = body_fields.idempotency_key(body)
    rules = policies(request).orders
    async with session(request) as db:
        order = await order_change_store.owned_order(db, order_no, customer_id)
        moment = now(request)
        refund, created = await order_change_store.cancel(db, order, reason, key, rules, moment)
        if created:
            await recompute_tier(db, customer_id, moment, policies(request).tiers,
                                 policies(request).rewards)
        await db.commit()
        order = await _reloaded(db, order_no)
    refund_body = refund_json([refund]) if refund is not None else None
    return json_response({"order": changed_order_json(order, rules), "refund": refund_body,
                          "cancelled": True}, status=201 if created else 200)


async def modify(request: web.Request) -> web.Response:
    """Change address, phone, spec or delivery time before shipping; 409 with the reason after."""
    order_no = validation.order_no(request.match_info["order_no"])
    body = await validation.json_object(request)
    customer_id = body_fields.integer(body, "customer_id", 1, MAX_CUSTOMER_ID)
    field = body_fields.choice(body, "field", FIELDS)
    value = body_fields.text(body, "value", VALUE_MAX_LENGTH)
    key = body_fields.idempotency_key(body)
    rules = policies(request).orders
    async with session(request) as db:
        order = await order_change_store.owned_order(db, order_no, customer_id)
        created = await order_change_store.modify(db, order, field, value, key, rules, now(request))
        await db.commit()
        order = await _reloaded(db, order_no)
    return json_response({"order": changed_order_json(order, rules), "field": field},
                         status=201 if created else 200)


async def check_modify(request: web.Request) -> web.Response:
    """Would this change be accepted? 200, or the reason (409 state, 400 value); writes nothing."""
    order_no = validation.order_no(request.match_info["order_no"])
    body = await validation.json_object(request)
    customer_id = body_fields.integer(body, "customer_id", 1, MAX_CUSTOMER_ID)
    field = body_fields.choice(body, "field", FIELDS)
    value = body_fields.text(body, "value", VALUE_MAX_LENGTH)
    async with session(request) as db:
        order = await order_change_store.owned_order(db, order_no, customer_id)
        await order_change_store.check_modify(db, order, field, value, policies(request).orders)
    return json_response({"order_no": order_no, "field": field, "value": value.strip()})


DEFAULT_DESCRIPTION = "已签收"


async def delivered(request: web.Request) -> web.Response:
    """Mark a shipped order delivered: 201 when this call did it, 200 when it already was."""
    order_no = validation.order_no(request.match_info["order_no"])
    body = await validation.json_object(request)
    at = moment(body.get("delivered_at"), "delivered_at") or now(request)
    description = body_fields.optional_text(body, "description") or DEFAULT_DESCRIPTION
    rewards = policies(request).rewards
    tiers = policies(request).tiers
    async with session(request) as db:
        order = await order_detail(db, order_no)
        if order is None:
            raise not_found("订单不存在", code="order_not_found")
        done = await mark_delivered(db, order, at, description, rewards, tiers)
        await db.commit()
        db.expunge_all()
        order = await order_detail(db, order_no)
        assert order is not None
        shown = {"order": {**order_detail_json(order, policies(request).orders),
                           "delivered_at": beijing_iso(order.delivered_at)},
                 "points": entry_json(done.points) if done.points is not None else None,
                 "tier": result_json(done.tier) if done.tier is not None else None}
    return json_response(shown, status=201 if done.created else 200)


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_get("/api/orders/{order_no}", get_order)
    router.add_post("/api/orders/{order_no}/cancel", cancel)
    router.add_post("/api/orders/{order_no}/modify", modify)
    router.add_post("/api/orders/{order_no}/modify/check", check_modify)
    router.add_post("/api/orders/{order_no}/delivered", delivered)
