"""After-sales requests: the bot's progress answers, the shop's new requests and each step."""

from __future__ import annotations

from aiohttp import web

from crm_backend.aftersales import rules, store
from crm_backend.aftersales.views import request_json
from crm_backend.complaints.params import MAX_CUSTOMER_ID
from crm_backend.core import body as validation
from crm_backend.core.http import json_response
from crm_backend.core.state import now, session
from crm_backend.policies import policies

DEFAULT_LIMIT = 10
MAX_LIMIT = 50
NUMBER_LENGTH = 20
TRACKING_LENGTH = 32
SKU_LENGTH = 32


async def list_requests(request: web.Request) -> web.Response:
    """A customer's requests, newest first (`order_no`, `open=true` narrow the list)."""
    customer_id = validation.required_query_id(request, "customer_id")
    raw_order = request.query.get("order_no")
    order_no = validation.order_no(raw_order) if raw_order else None
    open_only = request.query.get("open") in ("1", "true")
    limit = validation.int_value(request.query.get("limit"), "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    policy = policies(request).after_sales
    async with session(request) as db:
        found = await store.requests_of(db, customer_id, order_no, open_only,
                                        limit or DEFAULT_LIMIT)
        shown = [request_json(r, policy) for r in found]
    return json_response({"requests": shown})


async def get_request(request: web.Request) -> web.Response:
    """One request with its steps (with `customer_id`, only the customer's own)."""
    number = validation.path_text(request.match_info["number"], "number", NUMBER_LENGTH)
    customer_id = validation.int_value(request.query.get("customer_id"), "customer_id",
                                       minimum=1, maximum=validation.MAX_ID)
    async with session(request) as db:
        found = await store.request_by_number(db, number.upper(), customer_id)
        shown = request_json(found, policies(request).after_sales)
    return json_response(shown)


async def create(request: web.Request) -> web.Response:
    """The shop records a customer's return, exchange or repair request: 201 made, 200 the same
    key again, 409 with the reason when it may not be made."""
    body = await validation.json_object(request)
    data = store.NewRequest(
        customer_id=validation.integer(body, "customer_id", 1, MAX_CUSTOMER_ID),
        order_no=validation.order_no(validation.required_string(body, "order_no")),
        sku=validation.optional_text(body, "sku", SKU_LENGTH),
        kind=validation.choice(body, "kind", tuple(rules.KIND_LABELS)),
        reason=validation.text(body, "reason", 200),
        idempotency_key=validation.idempotency_key(body))
    policy = policies(request).after_sales
    async with session(request) as db:
        made, created = await store.create(db, data, now(request), policy)
        await db.commit()
        db.expunge_all()
        shown = request_json(await store.request_by_number(db, made.number), policy)
    return json_response(shown, status=201 if created else 200)


async def add_step(request: web.Request) -> web.Response:
    """The shop or warehouse reports the next step (审核通过, 已驳回 with a reason, 商家已收货, …):
    201 recorded, 200 already so, 409 when that step cannot follow."""
    number = validation.path_text(request.match_info["number"], "number", NUMBER_LENGTH)
    body = await validation.json_object(request)
    step = store.Step(
        status=validation.choice(body, "status", tuple(rules.STATUS_LABELS)),
        note=validation.optional_text(body, "note", 200) or "",
        reject_reason=validation.optional_text(body, "reject_reason", 200),
        carrier=validation.optional_text(body, "carrier", TRACKING_LENGTH),
        tracking_no=validation.optional_text(body, "tracking_no", TRACKING_LENGTH),
        idempotency_key=validation.idempotency_key(body))
    policy = policies(request).after_sales
    async with session(request) as db:
        found = await store.request_by_number(db, number.upper())
        recorded = await store.advance(db, found, step, now(request))
        await db.commit()
        db.expunge_all()
        shown = request_json(await store.request_by_number(db, number.upper()), policy)
    return json_response(shown, status=201 if recorded else 200)


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_get("/api/after-sales", list_requests)
    router.add_post("/api/after-sales", create)
    router.add_get("/api/after-sales/{number}", get_request)
    router.add_post("/api/after-sales/{number}/steps", add_step)
