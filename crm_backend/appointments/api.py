"""Appointments for the bot: what the customer's orders may book and have booked, the slots, and
booking or changing a time."""

from __future__ import annotations

import re
from datetime import date

from aiohttp import web

from crm_backend.appointments import rules, store
from crm_backend.appointments.views import appointment_json, options_json
from crm_backend.complaints.params import MAX_CUSTOMER_ID
from crm_backend.core import body as validation
from crm_backend.core.http import bad_request, json_response
from crm_backend.core.state import now, session
from crm_backend.policies import policies

SLOT_ID = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}-\d{2}:\d{2})$")


def _slot(body: dict) -> rules.Slot:
    """The slot a body names as `slot` ("2026-11-24 09:00-12:00")."""
    raw = body.get("slot")
    match = SLOT_ID.match(raw) if isinstance(raw, str) else None
    if match is None:
        raise bad_request("字段 slot 应为「日期 时间段」，例如 2026-11-24 09:00-12:00", "slot")
    try:
        day = date.fromisoformat(match.group(1))
    except ValueError:
        raise bad_request("字段 slot 的日期无效", "slot")
    return rules.Slot(day, match.group(2))


async def customer_options(request: web.Request) -> web.Response:
    """The customer's recent orders that may book something or have booked something."""
    customer_id = validation.required_query_id(request, "customer_id")
    policy, moment = policies(request).appointments, now(request)
    async with session(request) as db:
        orders = await store.customer_orders(db, customer_id, moment)
        found = await store.options(db, orders, moment, policy)
    shown = [options_json(o, moment, policy, with_slots=False) for o in found
             if o.booked or any(r is None for r in o.refusals.values())]
    return json_response({"orders": shown})


async def order_options(request: web.Request) -> web.Response:
    """One order: the kinds it may book with their slots, and its bookings."""
    order_no = validation.order_no(request.match_info["order_no"])
    customer_id = validation.required_query_id(request, "customer_id")
    policy, moment = policies(request).appointments, now(request)
    async with session(request) as db:
        order = await store.owned_order(db, order_no, customer_id)
        (found,) = await store.options(db, [order], moment, policy)
    return json_response(options_json(found, moment, policy, with_slots=True))


async def _write(request: web.Request, write) -> web.Response:
    """Book or change: the body names the customer, kind, slot and key."""
    order_no = validation.order_no(request.match_info["order_no"])
    body = await validation.json_object(request)
    customer_id = validation.integer(body, "customer_id", 1, MAX_CUSTOMER_ID)
    kind = validation.choice(body, "kind", tuple(rules.KIND_LABELS))
    slot = _slot(body)
    key = validation.idempotency_key(body)
    async with session(request) as db:
        order = await store.owned_order(db, order_no, customer_id)
        appointment, created = await write(db, order, kind, slot, key, now(request),
                                           policies(request).appointments)
        shown = {"order_no": order_no, "appointment": appointment_json(appointment)}
        await db.commit()
    return json_response(shown, status=201 if created else 200)


async def book(request: web.Request) -> web.Response:
    """Book a time: 201 booked, 200 the same key again, 409 already booked or not allowed."""
    return await _write(request, store.book)


async def change(request: web.Request) -> web.Response:
    """Move a booking: 201 moved, 200 the same key again, 404 nothing booked, 409 not allowed."""
    return await _write(request, store.change)


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_get("/api/appointments", customer_options)
    router.add_get("/api/appointments/{order_no}", order_options)
    router.add_post("/api/appointments/{order_no}", book)
    router.add_post("/api/appointments/{order_no}/change", change)
