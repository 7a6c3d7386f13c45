"""Order detail with logistics and refund."""

from __future__ import annotations

from aiohttp import web

from .. import queries, validation
from ..errors import not_found
from ..responses import json_response
from ..serializers import order_detail_json
from ..state import session

ORDER_NOT_FOUND_MESSAGE = "订单不存在"


async def get_order(request: web.Request) -> web.Response:
    """One order; with `customer_id`, someone else's order is reported as not found."""
    order_no = validation.order_no(request.match_info["order_no"])
    owner = validation.int_value(request.query.get("customer_id"), "customer_id", minimum=1)
    async with session(request) as db:
        order = await queries.order_detail(db, order_no)
    if order is None or (owner is not None and order.customer_id != owner):
        raise not_found(ORDER_NOT_FOUND_MESSAGE)
    return json_response(order_detail_json(order))
