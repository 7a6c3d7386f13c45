"""The complaint log and the four-step procedure over HTTP."""

from __future__ import annotations

from aiohttp import web

from crm_backend.complaints import params
from crm_backend.complaints import store as complaint_store
from crm_backend.complaints.remedies import store as remedy_execution
from crm_backend.complaints.satisfaction import Answer, record_answer, sent_follow_up
from crm_backend.complaints.views import detail_json, summary_json
from crm_backend.core import body as body_fields
from crm_backend.core import body as validation
from crm_backend.core.http import json_response
from crm_backend.core.state import CONFIG_KEY, now, session
from crm_backend.handoffs.store import describe as describe_handoff
from crm_backend.policies import policies


def _number(request: web.Request) -> str:
    """The complaint number in the path."""
    return params.complaint_number(request.match_info["number"])


async def create(request: web.Request) -> web.Response:
    """Record a complaint (steps 1–2): 201 new, 200 for a reused idempotency key."""
    data = params.new_complaint(await validation.json_object(request))
    async with session(request) as db:
        complaint, created = await complaint_store.create_complaint(db, data, now(request),
                                                                   policies(request).risk)
        await db.commit()
        body = await detail_json(db, complaint)
    return json_response({"complaint": body}, status=201 if created else 200)


async def list_complaints(request: web.Request) -> web.Response:
    """Filtered, searchable complaint log, newest first."""
    filters = params.complaint_filter(request.query)
    async with session(request) as db:
        rows, total = await complaint_store.search_complaints(db, filters)
        numbers = await complaint_store.order_numbers(db, [c.order_id for c in rows])
    return json_response({"complaints": [summary_json(c, numbers.get(c.order_id)) for c in rows],
                          "total": total})


async def get_complaint(request: web.Request) -> web.Response:
    """One complaint with its timeline; with `customer_id`, another customer's is not found."""
    owner = validation.int_value(request.query.get("customer_id"), "customer_id",
                                 minimum=1, maximum=validation.MAX_ID)
    async with session(request) as db:
        complaint = await complaint_store.complaint_by_number(db, _number(request), owner)
        return json_response({"complaint": await detail_json(db, complaint)})


async def correct(request: web.Request) -> web.Response:
    """Correct category, severity, expectation or order, or add what the customer said."""
    number = _number(request)
    changes = params.corrections(await validation.json_object(request))
    async with session(request) as db:
        complaint = await complaint_store.complaint_by_number(db, number, lock=True)
        await complaint_store.correct(db, complaint, changes, now(request))
        await db.commit()
        return json_response({"complaint": await detail_json(db, complaint)})


async def propose(request: web.Request) -> web.Response:
    """Offer the remedy the policy gives (or the one alternative)."""
    number = _number(request)
    body = await validation.json_object(request)
    alternative = body_fields.flag(body, "alternative") if "alternative" in body else False
    table = policies(request).remedies
    async with session(request) as db:
        complaint = await complaint_store.complaint_by_number(db, number, lock=True)
        proposal = await remedy_execution.propose(db, complaint, alternative, table,
                                                  policies(request).orders, now(request))
        await db.commit()
    return json_response(proposal)


async def accept(request: web.Request) -> web.Response:
    """Carry out the offered remedy exactly once and schedule the follow-up."""
    number = _number(request)
    key = body_fields.idempotency_key(await validation.json_object(request))
    table = policies(request).remedies
    delay = request.app[CONFIG_KEY].followup_delay_seconds
    async with session(request) as db:
        complaint = await complaint_store.complaint_by_number(db, number, lock=True)
        execution, follow_up, created = await remedy_execution.accept(
            db, complaint, key, table, delay, now(request), policies(request).rewards)
        await db.commit()
        body = {"complaint": await detail_json(db, complaint), "execution": execution,
                "follow_up": remedy_execution.follow_up_brief(follow_up)}
    return json_response(body, status=201 if created else 200)


async def refuse(request: web.Request) -> web.Response:
    """The customer refuses the remedy: hand the conversation to a person."""
    number = _number(request)
    reason = body_fields.optional_text(await validation.json_object(request), "reason")
    async with session(request) as db:
        complaint = await complaint_store.complaint_by_number(db, number, lock=True)
        handoff = await remedy_execution.refuse(db, complaint, reason, now(request))
        await db.commit()
        return json_response({"handoff": await describe_handoff(db, handoff),
                              "complaint": await detail_json(db, complaint)})


async def follow_up(request: web.Request) -> web.Response:
    """The complaint whose follow-up was sent to `conversation_id`; 404 for any other caller."""
    conversation_id = validation.text(request.query, "conversation_id", 128)
    async with session(request) as db:
        complaint = await complaint_store.complaint_by_number(db, _number(request))
        await sent_follow_up(db, complaint, conversation_id)
        return json_response({"complaint": await detail_json(db, complaint)})


async def satisfaction(request: web.Request) -> web.Response:
    """Record the follow-up answer: close, or reopen with a risk signal and a handoff."""
    number = _number(request)
    body = await validation.json_object(request)
    answer = Answer(score=body_fields.integer(body, "score", 1, 5),
                    resolved=body_fields.flag(body, "resolved"),
                    comment=body_fields.optional_text(body, "comment", 1000),
                    conversation_id=body_fields.text(body, "conversation_id", 128),
                    idempotency_key=body_fields.idempotency_key(body))
    async with session(request) as db:
        complaint = await complaint_store.complaint_by_number(db, number, lock=True)
        outcome = await record_answer(db, complaint, answer, now(request), policies(request).risk)
        await db.commit()
        stored = outcome.answer
        result = {
            "complaint": await detail_json(db, complaint),
            "satisfaction": {"id": stored.id, "score": stored.score, "resolved": stored.resolved,
                             "comment": stored.comment},
            "handoff": await describe_handoff(db, outcome.handoff) if outcome.handoff else None,
        }
    return json_response(result, status=201 if outcome.created else 200)


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_post("/api/complaints", create)
    router.add_get("/api/complaints", list_complaints)
    router.add_get("/api/complaints/{number}", get_complaint)
    router.add_patch("/api/complaints/{number}", correct)
    router.add_post("/api/complaints/{number}/remedy/propose", propose)
    router.add_post("/api/complaints/{number}/remedy/accept", accept)
    router.add_post("/api/complaints/{number}/remedy/refuse", refuse)
    router.add_get("/api/complaints/{number}/follow-up", follow_up)
    router.add_post("/api/complaints/{number}/satisfaction", satisfaction)
