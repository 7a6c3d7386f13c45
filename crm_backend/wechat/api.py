"""`/api/wechat/…`: what the WeChat channel's processes share through the CRM."""

from __future__ import annotations

import logging

from aiohttp import web

from crm_backend.core import body as validation
from crm_backend.core.http import ApiError, json_response, not_found
from crm_backend.core.state import CONFIG_KEY, now, session
from crm_backend.customers.store import customer_by_id
from crm_backend.customers.views import customer_json
from crm_backend.wechat import rules, store
from crm_backend.wechat.client import WeChatUnavailable, fetch_stable_token
from crm_backend.wechat.views import delivery_json, inbound_json, iso

log = logging.getLogger(__name__)

MAX_KEY = 160
MAX_OPEN_ID = 128
MAX_CONTENT = 20000


async def claim_inbound(request: web.Request) -> web.Response:
    """Claim a delivered message: 201 for the first caller (who answers it), 200 with the row
    (and any stored reply) for a retry."""
    body = await validation.json_object(request)
    key = validation.text(body, "key", MAX_KEY)
    open_id = validation.text(body, "open_id", MAX_OPEN_ID)
    msg_type = validation.text(body, "msg_type", 32)
    async with session(request) as db:
        row, claimed = await store.claim(db, key=key, open_id=open_id, msg_type=msg_type,
                                         now=now(request))
        await db.commit()
    return json_response({"claimed": claimed, "inbound": inbound_json(row)},
                         status=201 if claimed else 200)


async def answer_inbound(request: web.Request) -> web.Response:
    """Record how a claimed message was answered (the reply is kept for WeChat's retries)."""
    body = await validation.json_object(request)
    key = validation.text(body, "key", MAX_KEY)
    delivery = validation.choice(body, "delivery", ("passive", "api", "none"))
    reply = validation.optional_text(body, "reply", MAX_CONTENT)
    async with session(request) as db:
        row = await store.inbound(db, key)
        if row is None:
            raise not_found("没有这条微信消息", code="unknown_message")
        row.status, row.delivery, row.reply, row.answered_at = ("answered", delivery, reply,
                                                                now(request))
        await db.commit()
    return json_response({"inbound": inbound_json(row)})


async def access_token(request: web.Request) -> web.Response:
    """A usable access token for every channel process: the stored one, or one fetched once under
    the row's lock (also when the caller's `stale_token` was just refused by WeChat)."""
    body = await validation.json_object(request)
    stale = validation.optional_text(body, "stale_token", 512)
    config = request.app[CONFIG_KEY]
    if not config.wechat_app_id or not config.wechat_app_secret:
        raise ApiError(503, "wechat_not_configured", "未配置 WECHAT_APP_ID / WECHAT_APP_SECRET")
    async with session(request) as db:
        row = await store.lock_token(db, config.wechat_app_id)
        at = now(request)
        if not rules.token_usable(row.access_token, row.expires_at, at, stale):
            try:
                token, expires_in = await fetch_stable_token(
                    config.wechat_api_base, config.wechat_app_id, config.wechat_app_secret)
            except WeChatUnavailable as error:
                log.warning("WeChat access token: %s", error)
                raise ApiError(503, "wechat_unavailable", "暂时无法从微信获取 access_token")
            row.access_token, row.expires_at = token, rules.token_expiry(at, expires_in)
            row.fetched_at = at
        token = row.access_token
        await db.commit()
    return json_response({"access_token": token})


async def record_delivery(request: web.Request) -> web.Response:
    """Record a customer-service message, sent or not (and why)."""
    body = await validation.json_object(request)
    fields = dict(
        open_id=validation.text(body, "open_id", MAX_OPEN_ID),
        inbound_key=validation.text(body, "inbound_key", MAX_KEY),
        content=validation.text(body, "content", MAX_CONTENT),
        status=validation.choice(body, "status", ("sent", "not_sent")),
        errcode=body.get("errcode") if isinstance(body.get("errcode"), int) else None,
        errmsg=validation.optional_text(body, "errmsg", 255))
    async with session(request) as db:
        row = store.add_delivery(db, now=now(request), **fields)
        await db.commit()
    return json_response({"delivery": delivery_json(row)}, status=201)


async def list_deliveries(request: web.Request) -> web.Response:
    """The OpenID's customer-service messages, newest first."""
    open_id = validation.path_text(request.query.get("open_id", ""), "open_id", MAX_OPEN_ID)
    async with session(request) as db:
        rows = await store.deliveries(db, open_id)
    return json_response({"deliveries": [delivery_json(r) for r in rows]})


async def linked_customer(request: web.Request) -> web.Response:
    """The customer the OpenID is linked to; 404 `not_linked` when none."""
    open_id = validation.path_text(request.match_info["open_id"], "open_id", MAX_OPEN_ID)
    async with session(request) as db:
        identity = await store.linked_identity(db, open_id)
        customer = None if identity is None else await customer_by_id(db, identity.customer_id)
    if identity is None or customer is None:
        raise not_found("这个微信用户还没有关联客户", code="not_linked")
    return json_response({"customer": customer_json(customer),
                          "linked_at": iso(identity.created_at),
                          "unsubscribed_at": iso(identity.unsubscribed_at)})


async def subscription(request: web.Request) -> web.Response:
    """Record that the OpenID followed or unfollowed the account, on its customer when linked."""
    body = await validation.json_object(request)
    open_id = validation.text(body, "open_id", MAX_OPEN_ID)
    subscribed = validation.flag(body, "subscribed")
    async with session(request) as db:
        identity = await store.linked_identity(db, open_id)
        if identity is not None:
            identity.unsubscribed_at = None if subscribed else now(request)
        await db.commit()
    return json_response({"linked": identity is not None, "subscribed": subscribed})


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_post("/api/wechat/inbound", claim_inbound)
    router.add_post("/api/wechat/inbound/answer", answer_inbound)
    router.add_post("/api/wechat/access-token", access_token)
    router.add_post("/api/wechat/deliveries", record_delivery)
    router.add_get("/api/wechat/deliveries", list_deliveries)
    router.add_get("/api/wechat/identities/{open_id}", linked_customer)
    router.add_post("/api/wechat/subscription", subscription)
