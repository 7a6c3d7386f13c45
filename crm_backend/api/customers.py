"""Customer profile and order list."""

from __future__ import annotations

from aiohttp import web

from .. import queries, validation
from ..errors import not_found
from ..responses import json_response
from ..serializers import customer_json, order_summary_json
from ..state import session

DEFAULT_ORDER_LIMIT = 5
MAX_ORDER_LIMIT = 50


async def get_customer(request: web.Request) -> web.Response:
    """One customer by id."""
    customer_id = validation.path_id(request.match_info["customer_id"], "id")
    async with session(request) as db:
        customer = await queries.customer_by_id(db, customer_id)
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
        if await queries.customer_by_id(db, customer_id) is None:
            raise not_found("客户不存在")
        count = limit or DEFAULT_ORDER_LIMIT
        orders = await queries.customer_orders(db, customer_id, count, status)
    return json_response({"orders": [order_summary_json(o) for o in orders]})
