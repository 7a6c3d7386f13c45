"""Customer identification: signed web-widget tokens and order-number binding."""

from __future__ import annotations

import hmac

from aiohttp import web

from crm_backend.core import body as validation
from crm_backend.core.http import ApiError, bad_request, json_response
from crm_backend.core.state import CONFIG_KEY, now, session
from crm_backend.customers.store import customer_by_id
from crm_backend.customers.views import customer_json
from crm_backend.identity.rules import InvalidCustomerToken, verify_customer_token
from crm_backend.orders import store as queries


def _no_match() -> ApiError:
    """One 404 for unknown orders and wrong phone tails alike (reveals nothing)."""
    return ApiError(404, "no_match", "未找到匹配的订单，请核对订单号和手机尾号")


def _invalid_token() -> ApiError:
    """The single 401 for every token problem."""
    return ApiError(401, "invalid_customer_token", "客户身份令牌无效或已过期")


async def verify_token(request: web.Request) -> web.Response:
    """Resolve a shop-signed customer token to the customer."""
    body = await validation.json_object(request)
    token = body.get("customer_token")
    if not isinstance(token, str):
        raise bad_request("字段 customer_token 必须是字符串", "customer_token")
    try:
        config = request.app[CONFIG_KEY]
        customer_id = verify_customer_token(config.token_secret, token, now(request),
                                            config.customer_token_max_lifetime)
    except InvalidCustomerToken:
        raise _invalid_token()
    async with session(request) as db:
        customer = await customer_by_id(db, customer_id)
    if customer is None:
        raise _invalid_token()
    return json_response({"customer": customer_json(customer)})


async def bind(request: web.Request) -> web.Response:
    """Identify a customer by order number plus the last four digits of their phone."""
    body = await validation.json_object(request)
    order_no = validation.order_no(validation.required_string(body, "order_no"))
    tail = body.get("phone_tail")
    if not isinstance(tail, str):
        raise bad_request("手机尾号应为 4 位数字", "phone_tail")
    tail = validation.phone_tail(tail)
    async with session(request) as db:
        order = await queries.order_with_customer(db, order_no)
    if order is None or not hmac.compare_digest(order.customer.phone[-4:].encode(), tail.encode()):
        raise _no_match()
    return json_response({"customer": customer_json(order.customer)})


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_post("/api/identity/verify-token", verify_token)
    router.add_post("/api/identity/bind", bind)
