"""Customer identification: signed web-widget tokens, and binding a conversation to a customer
by order number + phone tail under per-conversation, per-order and per-source limits."""

from __future__ import annotations

from aiohttp import web

from crm_backend.core import body as validation
from crm_backend.core.errors import TooManyAttempts
from crm_backend.core.http import ApiError, bad_request, json_response, not_found
from crm_backend.core.state import CONFIG_KEY, now, session
from crm_backend.customers.views import customer_json
from crm_backend.identity import rules
from crm_backend.identity import store as identity_store
from crm_backend.identity.views import binding_json
from crm_backend.policies import policies
from crm_backend.wechat import store as wechat_store

MAX_CONVERSATION_ID = 128


MAX_SOURCE = 64


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
    async with session(request) as db:
        customer = await identity_store.customer_for_token(
            db, token, config=request.app[CONFIG_KEY], now=now(request))
    if customer is None:
        raise _invalid_token()
    return json_response({"customer": customer_json(customer)})


async def bind(request: web.Request) -> web.Response:
    """Bind the conversation to the customer of an order number + the last four digits of their
    phone (and, for `channel` "wechat", link the OpenID for good); 404 on a wrong guess, 429
    while too many wrong guesses lock it."""
    body = await validation.json_object(request)
    order_no = validation.order_no(validation.required_string(body, "order_no"))
    tail = body.get("phone_tail")
    if not isinstance(tail, str):
        raise bad_request("手机尾号应为 4 位数字", "phone_tail")
    tail = validation.phone_tail(tail)
    conversation_id = validation.text(body, "conversation_id", MAX_CONVERSATION_ID)
    source = validation.optional_text(body, "source", MAX_SOURCE)
    channel = validation.optional_text(body, "channel", 32)
    at = now(request)
    async with session(request) as db:
        result = await identity_store.verify_and_bind(
            db, order_no=order_no, phone_tail=tail, conversation_id=conversation_id,
            source=source, policy=policies(request).identity, now=at)
        if result.customer is not None and channel == wechat_store.CHANNEL:
            # A WeChat conversation is the OpenID: it stays linked to the proven customer.
            await wechat_store.link(db, conversation_id, result.customer.id, at)
        await db.commit()
    if result.locked_until is not None:
        seconds = rules.retry_after_seconds(result.locked_until, at)
        raise TooManyAttempts("verification_locked", rules.locked_message(seconds), seconds)
    if result.binding is None or result.customer is None:
        raise _no_match()
    return json_response({"customer": customer_json(result.customer),
                          "binding": binding_json(result.binding)})


def _conversation(request: web.Request) -> str:
    """The conversation id of the URL."""
    return validation.path_text(request.match_info["conversation_id"], "conversation_id",
                                MAX_CONVERSATION_ID)


async def get_binding(request: web.Request) -> web.Response:
    """The conversation's live binding and its customer; 404 `no_binding` when none or expired."""
    conversation_id = _conversation(request)
    async with session(request) as db:
        binding = await identity_store.live_binding(db, conversation_id, now(request))
    if binding is None:
        raise not_found("该会话没有有效的身份绑定，请重新核实身份", code="no_binding")
    return json_response({"binding": binding_json(binding),
                          "customer": customer_json(binding.customer)})


async def end_binding(request: web.Request) -> web.Response:
    """End the conversation's binding (204 whether or not there was one)."""
    conversation_id = _conversation(request)
    async with session(request) as db:
        await identity_store.end_binding(db, conversation_id)
        await db.commit()
    return web.Response(status=204)


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_post("/api/identity/verify-token", verify_token)
    router.add_post("/api/identity/bind", bind)
    router.add_get("/api/identity/bindings/{conversation_id}", get_binding)
    router.add_delete("/api/identity/bindings/{conversation_id}", end_binding)
