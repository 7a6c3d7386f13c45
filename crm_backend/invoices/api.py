"""E-invoices for the bot: a customer's invoices, one order's, re-sending and re-issuing."""

from __future__ import annotations

from aiohttp import web

from crm_backend.complaints.params import MAX_CUSTOMER_ID
from crm_backend.core import body as validation
from crm_backend.core.http import json_response
from crm_backend.core.state import now, session
from crm_backend.invoices import rules, store
from crm_backend.invoices.views import invoice_json
from crm_backend.policies import policies

DEFAULT_LIMIT = 10
MAX_LIMIT = 50


async def list_invoices(request: web.Request) -> web.Response:
    """A customer's invoices, newest order first."""
    customer_id = validation.required_query_id(request, "customer_id")
    limit = validation.int_value(request.query.get("limit"), "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    policy = policies(request).invoices
    async with session(request) as db:
        found = await store.invoices_of(db, customer_id, limit or DEFAULT_LIMIT)
        shown = [invoice_json(invoice, policy) for invoice in found]
    return json_response({"invoices": shown})


async def get_invoice(request: web.Request) -> web.Response:
    """The invoice of the customer's order."""
    order_no = validation.order_no(request.match_info["order_no"])
    customer_id = validation.required_query_id(request, "customer_id")
    async with session(request) as db:
        invoice = await store.invoice_of(db, order_no, customer_id)
        shown = invoice_json(invoice, policies(request).invoices)
    return json_response(shown)


async def _reloaded(db, order_no: str, customer_id: int, request: web.Request) -> dict:
    """The invoice read again after a write."""
    db.expunge_all()
    return invoice_json(await store.invoice_of(db, order_no, customer_id),
                        policies(request).invoices)


async def send(request: web.Request) -> web.Response:
    """Send the e-invoice to an email: 201 sent, 200 the same key again, 409 over the limit."""
    order_no = validation.order_no(request.match_info["order_no"])
    body = await validation.json_object(request)
    customer_id = validation.integer(body, "customer_id", 1, MAX_CUSTOMER_ID)
    email = validation.text(body, "email", rules.EMAIL_LENGTH)
    key = validation.idempotency_key(body)
    async with session(request) as db:
        invoice = await store.invoice_of(db, order_no, customer_id)
        sent, created = await store.send(db, invoice, email, key, now(request),
                                         policies(request).invoices)
        await db.commit()
        shown = {"invoice": await _reloaded(db, order_no, customer_id, request),
                 "sent_to": rules.mask_email(email)}
    return json_response(shown, status=201 if created else 200)


async def reissue(request: web.Request) -> web.Response:
    """Change the title / tax number: the invoice is re-issued (the one before voided) once per
    key, within the policy; 400 names a bad field, 409 says why not."""
    order_no = validation.order_no(request.match_info["order_no"])
    body = await validation.json_object(request)
    customer_id = validation.integer(body, "customer_id", 1, MAX_CUSTOMER_ID)
    details = store.Details(kind=validation.choice(body, "kind", tuple(rules.KIND_LABELS)),
                            title=validation.text(body, "title", rules.TITLE_LENGTH[1]),
                            tax_no=validation.optional_text(body, "tax_no", 32))
    email = validation.optional_text(body, "email", rules.EMAIL_LENGTH)
    reason = validation.optional_text(body, "reason", 200) or "客户申请修改发票信息"
    key = validation.idempotency_key(body)
    async with session(request) as db:
        invoice = await store.invoice_of(db, order_no, customer_id)
        _version, created = await store.reissue(db, invoice, details, email, reason, key,
                                                now(request), policies(request).invoices)
        await db.commit()
        shown = {"invoice": await _reloaded(db, order_no, customer_id, request)}
    return json_response(shown, status=201 if created else 200)


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_get("/api/invoices", list_invoices)
    router.add_get("/api/invoices/{order_no}", get_invoice)
    router.add_post("/api/invoices/{order_no}/send", send)
    router.add_post("/api/invoices/{order_no}/reissue", reissue)
