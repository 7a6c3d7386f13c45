"""Price protection for the bot (which orders may claim, an order's verdict, the claim) and the
shop's price changes."""

from __future__ import annotations

from aiohttp import web

from crm_backend.complaints.params import MAX_CUSTOMER_ID
from crm_backend.core import body as validation
from crm_backend.core.body import moment
from crm_backend.core.http import json_response
from crm_backend.core.state import now, session
from crm_backend.core.money import fen_to_yuan
from crm_backend.orders.store import owned_order
from crm_backend.policies import policies
from crm_backend.pricing import store
from crm_backend.pricing.views import claims_json, order_check_json, price_change_json

DEFAULT_LIMIT = 10
MAX_LIMIT = 20
MAX_PRICE_FEN = 100_000_000
SKU_LENGTH = 32


async def candidates(request: web.Request) -> web.Response:
    """The customer's orders still within a price-protection window, each item checked."""
    customer_id = validation.required_query_id(request, "customer_id")
    limit = validation.int_value(request.query.get("limit"), "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    policy = policies(request).price_protection
    async with session(request) as db:
        orders = await store.candidate_orders(db, customer_id, now(request), policy,
                                              limit or DEFAULT_LIMIT)
        checks = await store.check_orders(db, orders, now(request), policy)
        shown = [order_check_json(check) for check in checks]
    return json_response({"orders": shown, "default_days": policy.default_days})


async def check(request: web.Request) -> web.Response:
    """One order's items checked for price protection (404 when not the customer's)."""
    order_no = validation.order_no(request.match_info["order_no"])
    customer_id = validation.required_query_id(request, "customer_id")
    async with session(request) as db:
        order = await owned_order(db, order_no, customer_id)
        (checked,) = await store.check_orders(db, [order], now(request),
                                              policies(request).price_protection)
        shown = order_check_json(checked)
    return json_response(shown)


async def claim(request: web.Request) -> web.Response:
    """Refund the price difference of an order's eligible items (or of `sku`) once: 201 made,
    200 the same key again, 409 with the reason when nothing may be claimed."""
    order_no = validation.order_no(request.match_info["order_no"])
    body = await validation.json_object(request)
    customer_id = validation.integer(body, "customer_id", 1, MAX_CUSTOMER_ID)
    sku = validation.optional_text(body, "sku", SKU_LENGTH)
    key = validation.idempotency_key(body)
    async with session(request) as db:
        order = await owned_order(db, order_no, customer_id)
        claims, created = await store.claim(db, order, sku, key, now(request),
                                            policies(request).price_protection)
        shown = claims_json(order_no, claims, list(order.items))
        await db.commit()
    return json_response({**shown, "created": created}, status=201 if created else 200)


async def history(request: web.Request) -> web.Response:
    """A product's price changes, newest first (`since`: an ISO date or time)."""
    sku = validation.path_text(request.match_info["sku"], "sku", SKU_LENGTH)
    since = moment(request.query.get("since"), "since")
    limit = validation.int_value(request.query.get("limit"), "limit", 50, 1, 200)
    async with session(request) as db:
        product = await store.product_by_sku(db, sku)
        changes = await store.price_history(db, product, since, limit or 50)
        shown = {"sku": product.sku, "name": product.name,
                 "price_yuan": fen_to_yuan(product.price_fen),
                 "changes": [price_change_json(c) for c in changes]}
    return json_response(shown)


async def change_price(request: web.Request) -> web.Response:
    """The shop sets a product's price (from `changed_at`, default now), once per key."""
    sku = validation.path_text(request.match_info["sku"], "sku", SKU_LENGTH)
    body = await validation.json_object(request)
    price_fen = validation.integer(body, "price_fen", 1, MAX_PRICE_FEN)
    reason = validation.optional_text(body, "reason") or ""
    at = moment(body.get("changed_at"), "changed_at") or now(request)
    key = validation.idempotency_key(body)
    async with session(request) as db:
        product = await store.product_by_sku(db, sku)
        change, created = await store.record_price_change(db, product, price_fen, reason, key, at)
        shown = {"sku": product.sku, "price_yuan": fen_to_yuan(product.price_fen),
                 "change": price_change_json(change)}
        await db.commit()
    return json_response(shown, status=201 if created else 200)


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_get("/api/price-protection", candidates)
    router.add_get("/api/price-protection/{order_no}", check)
    router.add_post("/api/price-protection/{order_no}/claims", claim)
    router.add_get("/api/products/{sku}/prices", history)
    router.add_post("/api/products/{sku}/prices", change_price)
