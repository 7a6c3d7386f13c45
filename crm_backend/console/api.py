"""`/api/staff/handoffs/…`: what the agent console does with a handed-off conversation (staff
session + CSRF): the queue, claiming (one person wins), the transcript and the customer beside it,
replying in the customer's channel, handing back to the bot and closing."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Tuple

from aiohttp import web

from crm_backend.complaints import store as complaint_store
from crm_backend.complaints.remedies import store as remedy_store
from crm_backend.console import store as console_store
from crm_backend.console.views import canned_reply_json, note_json
from crm_backend.complaints.views import summary_json, timeline_json
from crm_backend.core import body as validation
from crm_backend.core.http import ApiError, bad_request, json_response, not_found
from crm_backend.core.models import Customer, Handoff, WinBackAttempt
from crm_backend.core.time import beijing_iso
from crm_backend.core.state import CONFIG_KEY, SESSIONS_KEY, now, session
from crm_backend.customers.views import customer_json
from crm_backend.followups.scheduler import rasa_endpoint
from crm_backend.followups.trigger import RasaEndpoint
from crm_backend.handoffs import relay, rules
from crm_backend.handoffs.runner import announce_queue, return_to_bot
from crm_backend.handoffs import store as handoff_store
from crm_backend.core.errors import KeyReused
from crm_backend.customers.store import mark_bad_faith
from crm_backend.loyalty.store import grant_points, issue_coupon, points_balance
from crm_backend.orders.store import customer_orders, order_detail
from crm_backend.orders.views import order_summary_json, shipment_json
from crm_backend.policies import policies
from crm_backend.risk.store import open_flag
from crm_backend.staff.guard import render, require_staff, signed_in
from crm_backend.transcripts import store as transcript_store
from crm_backend.transcripts.rules import AUTHOR_LABELS, CHANNEL_LABELS
from crm_backend.wechat import rules as wechat_rules
from crm_backend.wechat import store as wechat_store
from crm_backend.winback import store as winback_store
from crm_backend.transcripts.views import message_json

log = logging.getLogger(__name__)

MAX_REPLY = 2000
MAX_NOTE = 2000

SCRIPT = Path(__file__).resolve().parent / "static" / "console.js"



def _rasa(request: web.Request) -> RasaEndpoint:
    rasa = rasa_endpoint(request.app[CONFIG_KEY])
    if rasa is None:
        raise ApiError(503, "no_rasa", "未配置 KEFU_RASA_URL，无法把消息送到客户那里")
    return rasa


async def _handoff(db: Any, request: web.Request, lock: bool = False) -> Handoff:
    handoff_id = validation.path_id(request.match_info["handoff_id"], "handoff_id")
    handoff = (await handoff_store.locked(db, handoff_id) if lock
               else await db.get(Handoff, handoff_id))
    if handoff is None:
        raise not_found("转人工记录不存在", code="handoff_not_found")
    return handoff


def _may_act(request: web.Request, handoff: Handoff) -> None:
    member = signed_in(request)
    if not rules.may_act(handoff.status, handoff.assigned_staff_id, member.staff_id,
                         member.role == "manager"):
        raise ApiError(409, "not_yours", "这个会话不在您手上（未接手、已被同事接手或已结束），"
                                         "请刷新队列")


@require_staff()
async def queue(request: web.Request) -> web.Response:
    """Handoffs with `status` (waiting by default), by priority then wait, with the customer."""
    status = request.query.get("status") or "waiting"
    if status not in rules.STATUS_LABELS:
        raise bad_request(f"参数 status 应为 {'/'.join(rules.STATUS_LABELS)} 之一", "status")
    async with session(request) as db:
        rows = await handoff_store.waiting_queue(db, status, 100)
        numbers = await handoff_store.complaint_numbers(db, [h.complaint_id for h in rows])
        shown = []
        for index, handoff in enumerate(rows):
            item = handoff_store.handoff_json(handoff, index + 1 if status == "waiting" else None,
                                              numbers.get(handoff.complaint_id))
            customer = (await db.get(Customer, handoff.customer_id)
                        if handoff.customer_id is not None else None)
            item["customer"] = customer_json(customer) if customer is not None else None
            item["channel"] = await handoff_store.customer_channel(db, handoff.conversation_id)
            shown.append(item)
    return json_response({"handoffs": shown})


@require_staff()
async def claim(request: web.Request) -> web.Response:
    """Take the conversation; when a colleague was faster, 409 says who."""
    member = signed_in(request)
    async with session(request) as db:
        handoff = await _handoff(db, request, lock=True)
        refusal = rules.claim_refusal(handoff.status, handoff.assigned_staff_id, member.staff_id)
        if refusal == "taken":
            holder = await handoff_store.staff_name(db, handoff.assigned_staff_id)
            raise ApiError(409, "taken", f"这个会话已由{holder}接手")
        if refusal == "closed":
            raise ApiError(409, "closed", "这个会话已经结束，无需接手")
        handoff_store.claim(handoff, member.staff_id, now(request))
        await db.commit()
        shown = {"handoff": await handoff_store.describe(db, handoff)}
    await announce_queue(request.app[SESSIONS_KEY], rasa_endpoint(request.app[CONFIG_KEY]))
    return json_response(shown)


@require_staff()
async def detail(request: web.Request) -> web.Response:
    """The handoff, its whole transcript and the customer beside it."""
    after = validation.int_value(request.query.get("after_id"), "after_id", 0, 0, 2**62) or 0
    async with session(request) as db:
        handoff = await _handoff(db, request)
        messages = await transcript_store.messages(db, handoff.conversation_id, after)
        profile = await _profile(db, request, handoff.customer_id)
        channel = await handoff_store.customer_channel(db, handoff.conversation_id)
        return json_response({
            "handoff": await handoff_store.describe(db, handoff),
            "channel": channel,
            "wechat_quota": (await _wechat_quota(db, request, handoff.conversation_id)
                             if channel == "wechat" else None),
            "messages": [message_json(m) for m in messages],
            "notes": await _notes(db, handoff.id),
            "customer": profile})


async def _wechat_quota(db: Any, request: web.Request, open_id: str) -> Dict[str, Any]:
    """How many more messages WeChat lets the person send, and until when."""
    latest = await wechat_store.latest_inbound(db, open_id)
    sent = await wechat_store.sent_since(db, open_id, latest.received_at) if latest else 0
    quota = wechat_rules.reply_quota(latest.received_at if latest else None, sent, now(request))
    ends = quota["window_ends_at"]
    return {"remaining": quota["remaining"],
            "window_ends_at": beijing_iso(ends) if ends is not None else None}


async def _order_with_tracking(db: Any, order: Any, request: web.Request) -> Dict[str, Any]:
    """An order's summary with its carrier and latest scan when it has shipped."""
    shown = order_summary_json(order, policies(request).orders)
    detail = await order_detail(db, order.order_no)
    shipment = shipment_json(detail.shipment) if detail is not None else None
    if shipment is not None:
        latest = shipment["events"][0] if shipment["events"] else None
        shown["tracking"] = (f"{shipment['carrier']} {shipment['tracking_no']}"
                             + (f"：{latest['description']}" if latest else ""))
    return shown


async def _profile(db: Any, request: web.Request, customer_id: Any) -> Any:
    if customer_id is None:
        return None
    customer = await db.get(Customer, customer_id)
    if customer is None:
        return None
    orders = await customer_orders(db, customer.id, 5, None)
    flag = await open_flag(db, customer.id)
    complaints, _ = await complaint_store.search_complaints(
        db, complaint_store.ComplaintFilter(customer_id=customer.id, limit=5))
    numbers = await complaint_store.order_numbers(db, [c.order_id for c in complaints])
    shown_complaints = [{**summary_json(c, numbers.get(c.order_id)),
                         "timeline": timeline_json(await complaint_store.events_of(db, c.id))}
                        for c in complaints]
    earlier = await handoff_store.customer_handoffs(db, customer.id, 5)
    attempts = await winback_store.customer_attempts(db, customer.id)
    return {**customer_json(customer),
            "winbacks": [{"id": a.id, "trigger": a.trigger, "action": a.action,
                          "outcome": a.outcome, "created_at": beijing_iso(a.created_at)}
                         for a in attempts],
            "complaints": shown_complaints,
            "handoffs": [handoff_store.handoff_json(h, None, None) for h in earlier],
            "points": await points_balance(db, customer.id, now(request)),
            "orders": [await _order_with_tracking(db, o, request) for o in orders],
            "risk": ({"level": flag.level, "score": flag.score, "reasons": flag.reasons}
                     if flag is not None else None)}


@require_staff()
async def reply(request: web.Request) -> web.Response:
    """Send the holder's message to the customer in their channel, then keep it. No
    transaction is open while Rasa delivers it (WeChat's delivery asks the CRM for a token)."""
    body = await validation.json_object(request)
    text = validation.text(body, "text", MAX_REPLY)
    member = signed_in(request)
    async with session(request) as db:
        handoff = await _handoff(db, request)
        _may_act(request, handoff)
        conversation = handoff.conversation_id
        channel = await handoff_store.customer_channel(db, conversation) or "rest"
    try:
        await relay.send_person_message(_rasa(request), conversation,
                                        rules.RASA_OUTPUT_CHANNELS.get(channel),
                                        member.display_name, text)
    except relay.RelayFailed as error:
        log.warning("a person's message to %s failed: %s", conversation, error)
        raise ApiError(502, "not_delivered", "消息没能送达客户（客服系统暂时连不上机器人服务），"
                                             "请稍后重发")
    async with session(request) as db:
        handoff = await _handoff(db, request, lock=True)
        row = await handoff_store.add_person_message(db, handoff, member.staff_id, text, channel,
                                                     now(request))
        await db.commit()
        return json_response({"message": message_json(row)}, status=201)


async def _end(request: web.Request, note: Any,
               handed_back: bool) -> Tuple[Handoff, Any, Dict[str, Any]]:
    """End the holder's handoff; it, the customer's channel and its JSON."""
    async with session(request) as db:
        handoff = await _handoff(db, request, lock=True)
        _may_act(request, handoff)
        handoff_store.finish(handoff, now(request), note, handed_back=handed_back)
        channel = await handoff_store.customer_channel(db, handoff.conversation_id)
        await db.commit()
        return handoff, channel, {"handoff": await handoff_store.describe(db, handoff)}


@require_staff()
async def handback(request: web.Request) -> web.Response:
    """End the person's part: the bot greets the customer back and asks for a score."""
    body = await validation.json_object(request)
    note = validation.optional_text(body, "note", MAX_NOTE)
    handoff, channel, shown = await _end(request, note, handed_back=True)
    try:
        await relay.hand_back(_rasa(request), handoff.conversation_id,
                              rules.RASA_OUTPUT_CHANNELS.get(channel or ""))
    except (relay.RelayFailed, ApiError) as error:
        log.warning("hand back of %s not announced: %s", handoff.conversation_id, error)
        shown["warning"] = "已交还机器人，但没能通知客户；客户下一条消息会由机器人回答"
    return json_response(shown)


@require_staff()
async def decline(request: web.Request) -> web.Response:
    """Nobody can take a waiting conversation now: a call-back is recorded and the bot tells
    the customer honestly and carries on."""
    async with session(request) as db:
        handoff = await _handoff(db, request)
        handoff_id = handoff.id
    if not await return_to_bot(request.app[SESSIONS_KEY], rasa_endpoint(request.app[CONFIG_KEY]),
                               handoff_id, now(request), "declined"):
        raise ApiError(409, "not_waiting", "这个会话已被接手或已结束，不能再登记回电")
    await announce_queue(request.app[SESSIONS_KEY], rasa_endpoint(request.app[CONFIG_KEY]))
    async with session(request) as db:
        handoff = await _handoff(db, request)
        return json_response({"handoff": await handoff_store.describe(db, handoff)})


@require_staff()
async def close(request: web.Request) -> web.Response:
    """Close the conversation as resolved, with a resolution note."""
    body = await validation.json_object(request)
    _, _, shown = await _end(request, validation.text(body, "note", MAX_NOTE), handed_back=False)
    return json_response(shown)


@require_staff()
async def conversation_page(request: web.Request) -> web.Response:
    """`GET /staff/handoffs/{id}`: the transcript, the customer and the reply box."""
    async with session(request) as db:
        handoff = await _handoff(db, request)
        messages = await transcript_store.messages(db, handoff.conversation_id)
        channel = await handoff_store.customer_channel(db, handoff.conversation_id)
        return await render(request, "conversation.html", {
            "handoff": await handoff_store.describe(db, handoff),
            "messages": [message_json(m) for m in messages],
            "customer": await _profile(db, request, handoff.customer_id),
            "notes": await _notes(db, handoff.id),
            "canned_replies": [canned_reply_json(r) for r in await console_store.canned_replies(db)],
            "points_limit": policies(request).handoffs.points_limit(signed_in(request).role),
            "coupon_limit": policies(request).handoffs.coupon_limit(signed_in(request).role),
            "refund_limit": policies(request).handoffs.refund_limit(signed_in(request).role),
            "remedy_options": sorted(policies(request).remedies.options),
            "channel_label": CHANNEL_LABELS.get(channel or "", "未知渠道"),
            "wechat_quota": (await _wechat_quota(db, request, handoff.conversation_id)
                             if channel == "wechat" else None),
            "author_labels": AUTHOR_LABELS})


@require_staff()
async def script(request: web.Request) -> web.StreamResponse:
    """The console's script (the only script staff pages run)."""
    return web.FileResponse(SCRIPT, headers={
        "Content-Type": "application/javascript; charset=utf-8", "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff"})


@require_staff()
async def add_note(request: web.Request) -> web.Response:
    """A private note on the conversation (staff only; never sent to the customer)."""
    body = await validation.json_object(request)
    text = validation.text(body, "text", MAX_NOTE)
    member = signed_in(request)
    async with session(request) as db:
        handoff = await _handoff(db, request)
        note = console_store.add_note(db, handoff.id, member.staff_id, text, now(request))
        await db.commit()
        return json_response({"note": note_json(note, member.display_name)}, status=201)


async def _notes(db: Any, handoff_id: int) -> List[Dict[str, Any]]:
    rows = await console_store.notes(db, handoff_id)
    names = await transcript_store.staff_names(db, (n.staff_id for n in rows))
    return [note_json(n, names.get(n.staff_id)) for n in rows]


async def _customer_of(db: Any, handoff: Handoff) -> Customer:
    customer = (await db.get(Customer, handoff.customer_id)
                if handoff.customer_id is not None else None)
    if customer is None:
        raise ApiError(409, "anonymous", "客户还没有验证身份，不能对账户操作；"
                                         "请先请客户提供订单号和手机尾号")
    return customer


async def _held_customer(db: Any, request: web.Request) -> Tuple[Handoff, Customer]:
    """The handoff in the path, held by this person (or a manager), and its identified customer."""
    handoff = await _handoff(db, request)
    _may_act(request, handoff)
    return handoff, await _customer_of(db, handoff)


@require_staff()
async def grant_points_action(request: web.Request) -> web.Response:
    """Points for the conversation's customer, within the person's limit (policy), once per
    key, recorded with their name on the ledger and as a note."""
    body = await validation.json_object(request)
    points = validation.integer(body, "points", 1, 1_000_000)
    reason = validation.text(body, "reason", 200)
    key = validation.idempotency_key(body)
    member = signed_in(request)
    limit = policies(request).handoffs.points_limit(member.role)
    if points > limit:
        raise ApiError(403, "over_limit",
                       f"{member.role_label}每次最多发放 {limit} 积分，超出请找主管")
    moment = now(request)
    async with session(request) as db:
        handoff, customer = await _held_customer(db, request)
        entry, created = await grant_points(
            db, customer_id=customer.id, points=points,
            reason=f"人工客服{member.display_name}：{reason}", source="agent",
            idempotency_key=f"agent-grant:{key}", now=moment, policy=policies(request).rewards)
        if entry.customer_id != customer.id:
            raise KeyReused()
        if created:
            console_store.add_note(db, handoff.id, member.staff_id,
                                   f"发放 {points} 积分：{reason}", moment)
        await db.commit()
        balance = await points_balance(db, customer.id, moment)
    return json_response({"points": points, "balance": balance, "created": created},
                         status=201 if created else 200)


@require_staff()
async def coupon_action(request: web.Request) -> web.Response:
    """A coupon for the conversation's customer, within the person's limit, once per key."""
    body = await validation.json_object(request)
    value = validation.integer(body, "value_yuan", 1, 100_000)
    min_spend = validation.integer(body, "min_spend_yuan", 0, 1_000_000)
    reason = validation.text(body, "reason", 200)
    key = validation.idempotency_key(body)
    member = signed_in(request)
    policy = policies(request).handoffs
    if value > policy.coupon_limit(member.role):
        raise ApiError(403, "over_limit", f"{member.role_label}每次最多发放 "
                                          f"{policy.coupon_limit(member.role)} 元的优惠券，超出请找主管")
    moment = now(request)
    async with session(request) as db:
        handoff, customer = await _held_customer(db, request)
        coupon = await issue_coupon(
            db, customer_id=customer.id, value_fen=value * 100, min_spend_fen=min_spend * 100,
            reason=f"人工客服{member.display_name}：{reason}", idempotency_key=f"agent-coupon:{key}",
            valid_days=policy.coupon_valid_days, now=moment)
        if coupon.customer_id != customer.id:
            raise KeyReused()
        if coupon.created_at == moment:
            console_store.add_note(db, handoff.id, member.staff_id,
                                   f"发放 {value} 元优惠券（满 {min_spend} 元可用）：{reason}", moment)
        await db.commit()
        return json_response({"coupon": {"code": coupon.code, "value_yuan": value,
                                         "min_spend_yuan": min_spend,
                                         "expires_at": beijing_iso(coupon.expires_at)}},
                             status=201)


@require_staff()
async def winback_action(request: web.Request) -> web.Response:
    """Record how one of the customer's win-back attempts ended."""
    body = await validation.json_object(request)
    attempt_id = validation.integer(body, "attempt_id", 1, 2**31 - 1)
    ended = validation.choice(body, "outcome", winback_store.OUTCOMES)
    member = signed_in(request)
    async with session(request) as db:
        handoff, customer = await _held_customer(db, request)
        attempt = await db.get(WinBackAttempt, attempt_id)
        if attempt is None or attempt.customer_id != customer.id:
            raise not_found("这位客户没有这次挽回记录", code="attempt_not_found")
        if await winback_store.record_outcome(db, attempt, ended, now(request)):
            console_store.add_note(db, handoff.id, member.staff_id,
                                   f"挽回 #{attempt.id} 结果：{ended}", now(request))
        await db.commit()
        return json_response({"attempt_id": attempt.id, "outcome": attempt.outcome})


@require_staff()
async def close_complaint_action(request: web.Request) -> web.Response:
    """Close one of the customer's complaints, with what was done (step 4 of the procedure)."""
    body = await validation.json_object(request)
    number = validation.text(body, "complaint_number", 32)
    note = validation.text(body, "note", MAX_NOTE)
    member = signed_in(request)
    moment = now(request)
    async with session(request) as db:
        handoff, customer = await _held_customer(db, request)
        complaint = await complaint_store.complaint_by_number(db, number, customer.id)
        if complaint is None:
            raise not_found("这位客户没有这张投诉单", code="complaint_not_found")
        if complaint.status != "closed":
            complaint_store.close_by_person(db, complaint, member.staff_id, member.display_name,
                                            note, moment)
            console_store.add_note(db, handoff.id, member.staff_id,
                                   f"办结投诉 {complaint.number}：{note}", moment)
        await db.commit()
        return json_response({"complaint": summary_json(complaint, None)})


@require_staff()
async def remedy_action(request: web.Request) -> web.Response:
    """Carry out one of the policy's remedies on the customer's complaint — one the bot could
    not offer — within the person's limits; the follow-up is scheduled as for the bot's."""
    body = await validation.json_object(request)
    number = validation.text(body, "complaint_number", 32)
    table = policies(request).remedies
    option_key = validation.choice(body, "option", tuple(table.options))
    key = validation.idempotency_key(body)
    member = signed_in(request)
    moment = now(request)
    async with session(request) as db:
        handoff, customer = await _held_customer(db, request)
        complaint = await complaint_store.complaint_by_number(db, number, customer.id, lock=True)
        if complaint.remedy_execution:
            done = complaint.remedy_execution["public"]
            return json_response({"execution": done, "created": False})
        offer = await remedy_store.person_offer(db, complaint, table.options[option_key],
                                                f"人工客服{member.display_name}提出方案",
                                                member.staff_id, moment)
        public = offer["public"]
        refusal = rules.remedy_refusal(public["kind"], float(public.get("amount_yuan") or 0),
                                       int(public.get("points") or 0), member.role,
                                       policies(request).handoffs)
        if refusal is not None:
            raise ApiError(403, "over_limit", f"{member.role_label}{refusal}，请找主管处理")
        execution, _, created = await remedy_store.accept(
            db, complaint, f"person:{key}", table, request.app[CONFIG_KEY].followup_delay_seconds,
            moment, policies(request).rewards, staff_id=member.staff_id)
        console_store.add_note(db, handoff.id, member.staff_id,
                               f"为投诉 {complaint.number} 执行方案：{execution['summary']}",
                               moment)
        await db.commit()
        return json_response({"execution": execution, "created": created}, status=201)


@require_staff("manager")
async def bad_faith_action(request: web.Request) -> web.Response:
    """A manager marks the conversation's customer as acting in bad faith, with the reason."""
    body = await validation.json_object(request)
    reason = validation.text(body, "reason", 200)
    member = signed_in(request)
    async with session(request) as db:
        handoff = await _handoff(db, request)
        customer = await _customer_of(db, handoff)
        await mark_bad_faith(db, customer, is_bad_faith=True, reason=reason,
                             staff=member.display_name, now=now(request))
        console_store.add_note(db, handoff.id, member.staff_id, f"标记为劣质客户：{reason}",
                               now(request))
        await db.commit()
        return json_response({"customer": customer_json(customer)})


@require_staff()
async def list_canned(request: web.Request) -> web.Response:
    """The canned replies agents pick from."""
    async with session(request) as db:
        rows = await console_store.canned_replies(db)
    return json_response({"canned_replies": [canned_reply_json(r) for r in rows]})


def _canned_fields(body: Dict[str, Any]) -> Tuple[str, str]:
    return validation.text(body, "title", 64), validation.text(body, "text", MAX_REPLY)


@require_staff("manager")
async def create_canned(request: web.Request) -> web.Response:
    """A manager adds a canned reply."""
    title, text = _canned_fields(await validation.json_object(request))
    async with session(request) as db:
        reply = console_store.save_canned_reply(db, None, title, text,
                                                signed_in(request).staff_id, now(request))
        await db.commit()
        return json_response({"canned_reply": canned_reply_json(reply)}, status=201)


async def _canned(db: Any, request: web.Request) -> Any:
    reply_id = validation.path_id(request.match_info["reply_id"], "reply_id")
    reply = await console_store.canned_reply(db, reply_id)
    if reply is None:
        raise not_found("没有这条快捷回复", code="canned_reply_not_found")
    return reply


@require_staff("manager")
async def update_canned(request: web.Request) -> web.Response:
    """A manager rewrites a canned reply."""
    title, text = _canned_fields(await validation.json_object(request))
    async with session(request) as db:
        reply = console_store.save_canned_reply(db, await _canned(db, request), title, text,
                                                signed_in(request).staff_id, now(request))
        await db.commit()
        return json_response({"canned_reply": canned_reply_json(reply)})


async def _remove_canned(request: web.Request) -> None:
    """The canned reply in the path is no longer offered (the row is kept)."""
    async with session(request) as db:
        reply = await _canned(db, request)
        reply.removed_at = now(request)
        await db.commit()


@require_staff("manager")
async def remove_canned(request: web.Request) -> web.Response:
    """A manager removes a canned reply."""
    await _remove_canned(request)
    return web.Response(status=204)


@require_staff("manager")
async def canned_page(request: web.Request) -> web.Response:
    """`/staff/canned` (managers): the canned replies, with plain forms to add and remove."""
    async with session(request) as db:
        rows = await console_store.canned_replies(db)
    return await render(request, "canned.html", {
        "nav": "canned",
        "replies": [canned_reply_json(r) for r in rows],
        "message": {"added": "已添加", "removed": "已删除"}.get(request.query.get("done", ""))})


@require_staff("manager")
async def canned_add_form(request: web.Request) -> web.Response:
    form = await request.post()
    title, text = str(form.get("title", "")).strip(), str(form.get("text", "")).strip()
    if not title or not text or len(title) > 64 or len(text) > MAX_REPLY:
        raise web.HTTPSeeOther("/staff/canned")
    async with session(request) as db:
        console_store.save_canned_reply(db, None, title, text, signed_in(request).staff_id,
                                        now(request))
        await db.commit()
    raise web.HTTPSeeOther("/staff/canned?done=added")


@require_staff("manager")
async def canned_remove_form(request: web.Request) -> web.Response:
    await _remove_canned(request)
    raise web.HTTPSeeOther("/staff/canned?done=removed")


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_get("/staff/handoffs/{handoff_id}", conversation_page)
    router.add_get("/staff/static/console.js", script)
    router.add_get("/staff/canned", canned_page)
    router.add_post("/staff/canned", canned_add_form)
    router.add_post("/staff/canned/{reply_id}/delete", canned_remove_form)
    router.add_get("/api/staff/handoffs", queue)
    router.add_post("/api/staff/handoffs/{handoff_id}/claim", claim)
    router.add_get("/api/staff/handoffs/{handoff_id}", detail)
    router.add_post("/api/staff/handoffs/{handoff_id}/messages", reply)
    router.add_post("/api/staff/handoffs/{handoff_id}/handback", handback)
    router.add_post("/api/staff/handoffs/{handoff_id}/close", close)
    router.add_post("/api/staff/handoffs/{handoff_id}/decline", decline)
    router.add_post("/api/staff/handoffs/{handoff_id}/notes", add_note)
    router.add_post("/api/staff/handoffs/{handoff_id}/points", grant_points_action)
    router.add_post("/api/staff/handoffs/{handoff_id}/bad-faith", bad_faith_action)
    router.add_post("/api/staff/handoffs/{handoff_id}/coupon", coupon_action)
    router.add_post("/api/staff/handoffs/{handoff_id}/winback-outcome", winback_action)
    router.add_post("/api/staff/handoffs/{handoff_id}/close-complaint", close_complaint_action)
    router.add_post("/api/staff/handoffs/{handoff_id}/remedy", remedy_action)
    router.add_get("/api/staff/canned-replies", list_canned)
    router.add_post("/api/staff/canned-replies", create_canned)
    router.add_put("/api/staff/canned-replies/{reply_id}", update_canned)
    router.add_delete("/api/staff/canned-replies/{reply_id}", remove_canned)
