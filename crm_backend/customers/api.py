"""Customer profile, order list and bad-faith marking over HTTP."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.core import body as body_fields
from crm_backend.core import body as validation
from crm_backend.core.http import bad_request, json_response, not_found
from crm_backend.core.models import Customer
from crm_backend.core.state import now, session
from crm_backend.core.time import beijing_iso
from crm_backend.customers.store import customer_by_id, mark_bad_faith
from crm_backend.customers.views import customer_json
from crm_backend.orders import store as queries
from crm_backend.orders.views import order_summary_json
from crm_backend.policies import policies

DEFAULT_ORDER_LIMIT = 5


MAX_ORDER_LIMIT = 50


async def get_customer(request: web.Request) -> web.Response:
    """One customer by id."""
    customer_id = validation.path_id(request.match_info["customer_id"], "id")
    async with session(request) as db:
        customer = await customer_by_id(db, customer_id)
    if customer is None:
        raise not_found("客户不存在")
    return json_response(customer_json(customer))


async def list_orders(request: web.Request) -> web.Response:
    """A customer's orders, newest first, optionally filtered by status."""
    customer_id = validation.path_id(request.match_info["customer_id"], "id")
    limit = validation.int_value(
        request.query.get("limit"), "limit", DEFAULT_ORDER_LIMIT, 1, MAX_ORDER_LIMIT
    )
    status = validation.order_status(request.query.get("status"))
    async with session(request) as db:
        if await customer_by_id(db, customer_id) is None:
            raise not_found("客户不存在")
        count = limit or DEFAULT_ORDER_LIMIT
        orders = await queries.customer_orders(db, customer_id, count, status)
    rules = policies(request).orders
    return json_response({"orders": [order_summary_json(o, rules) for o in orders]})


async def customer_or_404(db: AsyncSession, request: web.Request) -> Customer:
    """The customer named in the path, or a 400/404."""
    return await validation.row_in_path(db, Customer, request, "customer_id", "客户不存在")


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


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_get("/api/customers/{customer_id}", get_customer)
    router.add_get("/api/customers/{customer_id}/orders", list_orders)
    router.add_post("/api/customers/{customer_id}/bad-faith", set_bad_faith)
