"""`/api/conversations/{id}/…`: the channels write the transcript of record and learn, with each
customer message, whether a person holds the conversation (then the bot stays silent)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from aiohttp import web

from crm_backend.core import body as validation
from crm_backend.core.http import bad_request, json_response
from crm_backend.core.models import Handoff, StaffUser
from crm_backend.core.state import CONFIG_KEY, now, session
from crm_backend.customers.views import customer_json
from crm_backend.handoffs import store as handoff_store
from crm_backend.identity import store as identity_store
from crm_backend.transcripts import rules, store
from crm_backend.transcripts.views import message_json

MAX_CONVERSATION_ID = 128


def _conversation(request: web.Request) -> str:
    return validation.path_text(request.match_info["conversation_id"], "conversation_id",
                                MAX_CONVERSATION_ID)


def _buttons(body: Dict[str, Any]) -> Optional[List[Dict[str, str]]]:
    raw = body.get("buttons")
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) > 20 or not all(
            isinstance(b, dict) and isinstance(b.get("title"), str) for b in raw):
        raise bad_request("buttons 应为 {title, payload} 的列表", "buttons")
    return [{"title": b["title"][:200], "payload": str(b.get("payload") or "")[:500]}
            for b in raw]


async def _handoff_state(db: Any, handoff: Optional[Handoff]) -> Optional[Dict[str, Any]]:
    """What the channel needs of the conversation's open handoff: its status, the customer's
    place in the queue while waiting, and the person's name once assigned."""
    if handoff is None:
        return None
    agent = (await db.get(StaffUser, handoff.assigned_staff_id)
             if handoff.assigned_staff_id is not None else None)
    return {"id": handoff.id, "status": handoff.status,
            "position": await handoff_store.queue_position(db, handoff),
            "agent_name": agent.display_name if agent is not None else None}


async def inbound(request: web.Request) -> web.Response:
    """Keep a customer's message (once per client message id) and say whether a person holds the
    conversation: `handoff` is null when the bot should answer. With the message's
    `customer_token`, `customer` says whom it names (null: forged, expired or unknown), as
    /api/identity/verify-token would, so a channel asks once per message, not twice."""
    conversation_id = _conversation(request)
    body = await validation.json_object(request)
    channel = validation.choice(body, "channel", rules.CHANNELS)
    text = validation.text(body, "text", rules.MAX_TEXT)
    client_id = validation.optional_text(body, "message_id", rules.MAX_CLIENT_ID)
    token = body.get("customer_token")
    if token is not None and not isinstance(token, str):
        raise bad_request("字段 customer_token 必须是字符串", "customer_token")
    async with session(request) as db:
        handoff = await handoff_store.open_for_conversation(db, conversation_id)
        row, created = await store.add_message(
            db, conversation_id=conversation_id, channel=channel, author="customer", text=text,
            client_message_id=client_id, handoff_id=handoff.id if handoff else None,
            now=now(request))
        state = await _handoff_state(db, handoff)
        customer = None if token is None else await identity_store.customer_for_token(
            db, token, config=request.app[CONFIG_KEY], now=now(request))
        await db.commit()
    answer: Dict[str, Any] = {"message": message_json(row), "duplicate": not created,
                              "handoff": state}
    if token is not None:
        answer["customer"] = customer_json(customer) if customer is not None else None
    return json_response(answer, status=201 if created else 200)


def _said(body: Dict[str, Any]) -> List[Tuple[str, Optional[List[Dict[str, str]]]]]:
    """The (text, buttons) of each message in the body: its own `text` and `buttons`, or a
    turn's replies in the order said as `messages` (1 to MAX_BATCH of them)."""
    if "messages" not in body:
        return [(validation.text(body, "text", rules.MAX_TEXT), _buttons(body))]
    batch = body["messages"]
    if not isinstance(batch, list) or not 1 <= len(batch) <= rules.MAX_BATCH or not all(
            isinstance(item, dict) for item in batch):
        raise bad_request(f"messages 应为 1 到 {rules.MAX_BATCH} 条 {{text, buttons}}", "messages")
    return [(validation.text(item, "text", rules.MAX_TEXT), _buttons(item)) for item in batch]


async def add(request: web.Request) -> web.Response:
    """Keep what the bot (or the channel itself) said to the customer: one message, or all of a
    turn's replies at once (`messages`), every one of them or, when one is bad, none."""
    conversation_id = _conversation(request)
    body = await validation.json_object(request)
    channel = validation.choice(body, "channel", rules.CHANNELS)
    author = validation.choice(body, "author", ("bot", "system"))
    said = _said(body)
    async with session(request) as db:
        handoff = await handoff_store.open_for_conversation(db, conversation_id)
        rows = await store.add_said(
            db, conversation_id=conversation_id, channel=channel, author=author, said=said,
            handoff_id=handoff.id if handoff else None, now=now(request))
        await db.commit()
    if "messages" in body:
        return json_response({"messages": [message_json(row) for row in rows]}, status=201)
    return json_response({"message": message_json(rows[0])}, status=201)


async def read(request: web.Request) -> web.Response:
    """The conversation's messages after `after_id`, oldest first."""
    conversation_id = _conversation(request)
    after = validation.int_value(request.query.get("after_id"), "after_id", 0, 0, 2**62) or 0
    async with session(request) as db:
        rows = await store.messages(db, conversation_id, after)
        names = await store.staff_names(db, (r.staff_id for r in rows))
    return json_response({"messages": [message_json(r, names.get(r.staff_id)) for r in rows]})


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_post("/api/conversations/{conversation_id}/inbound", inbound)
    router.add_post("/api/conversations/{conversation_id}/messages", add)
    router.add_get("/api/conversations/{conversation_id}/messages", read)
