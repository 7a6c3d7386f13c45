"""The human queue: hand a conversation over, list the queue, close a handoff."""

from __future__ import annotations

from aiohttp import web

from crm_backend.complaints import store as complaint_store
from crm_backend.complaints.params import MAX_CUSTOMER_ID, complaint_number
from crm_backend.core import body as body_fields
from crm_backend.core import body as validation
from crm_backend.core.http import bad_request, json_response, not_found
from crm_backend.core.models import Customer, Handoff
from crm_backend.core.state import now, session
from crm_backend.handoffs import store as handoff_store
from crm_backend.handoffs.rules import STATUS_LABELS

MAX_QUEUE = 200


async def create(request: web.Request) -> web.Response:
    """201 a new handoff; 200 the conversation's open one (or the same key's) reused."""
    body = await validation.json_object(request)
    conversation_id = body_fields.text(body, "conversation_id", 128)
    reason = body_fields.text(body, "reason")
    key = body_fields.idempotency_key(body)
    customer_id = (None if body.get("customer_id") is None
                   else body_fields.integer(body, "customer_id", 1, MAX_CUSTOMER_ID))
    raw_number = body.get("complaint_number")
    if raw_number is not None and not isinstance(raw_number, str):
        raise bad_request("投诉单号格式应为 TS 加 12 位数字", "complaint_number")
    async with session(request) as db:
        if customer_id is not None and await db.get(Customer, customer_id) is None:
            raise not_found("客户不存在", code="customer_not_found")
        complaint = None
        if raw_number:
            complaint = await complaint_store.complaint_by_number(
                db, complaint_number(raw_number), customer_id)
        handoff, created = await handoff_store.open_handoff(
            db, conversation_id=conversation_id, customer_id=customer_id, reason=reason,
            idempotency_key=f"handoff:{key}", complaint=complaint, now=now(request))
        await db.commit()
        return json_response({"handoff": await handoff_store.describe(db, handoff)},
                             status=201 if created else 200)


async def list_queue(request: web.Request) -> web.Response:
    """Handoffs with `status` (default waiting), by priority then age."""
    status = request.query.get("status") or "waiting"
    if status not in STATUS_LABELS:
        raise bad_request(f"参数 status 应为 {'/'.join(STATUS_LABELS)} 之一", "status")
    limit = validation.int_value(request.query.get("limit"), "limit", 50, 1, MAX_QUEUE) or 50
    async with session(request) as db:
        rows = await handoff_store.waiting_queue(db, status, limit)
        numbers = await handoff_store.complaint_numbers(db, [h.complaint_id for h in rows])
    waiting = status == "waiting"
    return json_response({"handoffs": [
        handoff_store.handoff_json(h, i + 1 if waiting else None, numbers.get(h.complaint_id))
        for i, h in enumerate(rows)]})


async def close(request: web.Request) -> web.Response:
    """Close a handoff (closing a closed one changes nothing)."""
    async with session(request) as db:
        handoff = await validation.row_in_path(db, Handoff, request, "handoff_id",
                                               "转人工记录不存在", code="handoff_not_found")
        if handoff.status != "closed":
            handoff.status, handoff.closed_at = "closed", now(request)
            await db.commit()
        return json_response({"handoff": await handoff_store.describe(db, handoff)})


async def satisfaction(request: web.Request) -> web.Response:
    """The customer's 1–5 answer after a person handed the conversation back (the bot asks)."""
    body = await validation.json_object(request)
    conversation_id = body_fields.text(body, "conversation_id", 128)
    score = body_fields.integer(body, "score", 1, 5)
    async with session(request) as db:
        handoff = await handoff_store.record_satisfaction(db, conversation_id, score, now(request))
        if handoff is None:
            raise not_found("这个会话没有等待评价的人工服务", code="no_handback")
        await db.commit()
        return json_response({"handoff": await handoff_store.describe(db, handoff)})


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_post("/api/handoffs", create)
    router.add_post("/api/handoffs/satisfaction", satisfaction)
    router.add_get("/api/handoffs", list_queue)
    router.add_post("/api/handoffs/{handoff_id}/close", close)
