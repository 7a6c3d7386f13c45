"""`GET /demo/` (the demo shop page) and `POST /demo/token` (a signed token for a demo customer);
both answer 404 unless the CRM runs in demo mode (KEFU_DEMO_MODE)."""

from __future__ import annotations

from aiohttp import web

from crm_backend.core import body as validation
from crm_backend.core.http import ApiError, json_response, not_found
from crm_backend.core.state import CONFIG_KEY, now, session
from crm_backend.customers.store import customer_by_id
from crm_backend.demo import store
from crm_backend.demo.views import customer_choice, render_page
from crm_backend.identity.rules import issue_customer_token

DEMO_CUSTOMERS = 5


def _demo_only(request: web.Request) -> None:
    if not request.app[CONFIG_KEY].demo_mode:
        raise not_found("演示页面只在演示模式下开放（KEFU_DEMO_MODE=true）")


def _same_origin(request: web.Request) -> None:
    """Only the demo page itself may ask (JSON body and, when sent, its own Origin), so another
    site cannot use a visitor's browser to fetch tokens."""
    origin = request.headers.get("Origin")
    if request.content_type != "application/json" or (
            origin is not None and origin != f"{request.scheme}://{request.host}"):
        raise ApiError(403, "cross_origin", "只有演示页面本身可以获取演示令牌")


async def page(request: web.Request) -> web.Response:
    """The shop page with the widget; the customer switch signs in through `POST /demo/token`."""
    _demo_only(request)
    config = request.app[CONFIG_KEY]
    if config.widget_socket_url is None:
        raise ApiError(503, "no_socket_url", "未配置 KEFU_WIDGET_SOCKET_URL，小部件无法连接客服")
    async with session(request) as db:
        customers = await store.demo_customers(db, DEMO_CUSTOMERS)
        example = await store.latest_order(db, customers[0].id) if customers else None
    html = render_page(shop_name=config.shop_name, socket_url=config.widget_socket_url,
                       customers=customers, example=example,
                       example_customer=customers[0] if customers else None)
    return web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-store"})


async def token(request: web.Request) -> web.Response:
    """A signed customer token for one demo customer, like a shop's server would issue."""
    _demo_only(request)
    _same_origin(request)
    body = await validation.json_object(request)
    customer_id = validation.integer(body, "customer_id", 1, 2**31 - 1)
    config = request.app[CONFIG_KEY]
    async with session(request) as db:
        customer = await customer_by_id(db, customer_id)
    if customer is None:
        raise not_found("没有这位演示客户")
    signed = issue_customer_token(config.token_secret, customer.id, config.customer_token_ttl,
                                  now(request))
    return json_response({"customer_token": signed, "customer": customer_choice(customer)})


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_get("/demo/", page)
    router.add_post("/demo/token", token)
