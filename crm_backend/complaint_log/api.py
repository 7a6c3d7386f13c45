"""`/staff/complaints…` (managers): the complaint log with its filters and pages, each
complaint's page, and the log's export as CSV or XLSX."""

from __future__ import annotations

from datetime import date
from typing import Any, List, Optional

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.complaint_log import rules, store, views
from crm_backend.complaints import rules as complaint_rules
from crm_backend.core.export import download
from crm_backend.core.state import now, session
from crm_backend.staff.guard import render, require_staff


def _today(request: web.Request) -> date:
    """Today in Beijing by the app's clock."""
    return rules.beijing_today(now(request))


def _check_agent(f: rules.LogFilter, staff: views.Staff) -> None:
    """An agent filter must name a staff account."""
    if f.agent is not None and f.agent not in staff:
        raise rules.FilterError([f"处理人“{f.agent}”不存在，请从列表中选择"])


async def _refused(request: web.Request, db: AsyncSession, errors: List[str],
                   staff: Optional[views.Staff] = None) -> web.Response:
    """The log's page with what is wrong with its parameters (400), the form as typed."""
    staff = staff if staff is not None else await store.staff(db)
    start, end = rules.default_period(_today(request))
    return await render(request, "complaint_log.html", {
        "nav": "complaints", "errors": errors, "form": dict(request.query),
        "choices": views.form_choices(staff), "rows": [], "total": None,
        "default_start": start.isoformat(), "default_end": end.isoformat()}, status=400)


@require_staff("manager")
async def log_page(request: web.Request) -> web.Response:
    """`GET /staff/complaints`: the filtered log, 50 a page, with the total and export links."""
    async with session(request) as db:
        staff = await store.staff(db)
        try:
            f = rules.parse(request.query, _today(request))
            _check_agent(f, staff)
        except rules.FilterError as error:
            return await _refused(request, db, error.messages, staff)
        rows, total = await store.page(db, f)
        orders = await store.order_numbers(db, (r.order_id for r in rows))
        customers = await store.customer_names(db, (r.customer_id for r in rows))
        taken = await store.assignees(db, [r.id for r in rows])
    pages = rules.page_count(total)
    today = _today(request)
    return await render(request, "complaint_log.html", {
        "nav": "complaints", "errors": [], "form": {**f.params(), "sort": f.sort},
        "choices": views.form_choices(staff),
        "rows": views.log_rows(rows, orders, customers, taken, staff),
        "total": total, "page": f.page, "pages": pages,
        "first": f.offset + 1 if rows else 0, "last": f.offset + len(rows),
        "previous_link": f.link(page=str(f.page - 1)) if 1 < f.page <= pages else None,
        "next_link": f.link(page=str(f.page + 1)) if f.page < pages else None,
        "first_link": f.link() if f.page > pages else None,
        "csv_link": f.link(format="csv"), "xlsx_link": f.link(format="xlsx"),
        "capped": total > rules.EXPORT_CAP, "cap": rules.EXPORT_CAP,
        "default_start": rules.default_period(today)[0].isoformat(),
        "default_end": today.isoformat()})


@require_staff("manager")
async def export(request: web.Request) -> web.StreamResponse:
    """`GET /staff/complaints/export?format=csv|xlsx&…`: every complaint the filter matches (at
    most EXPORT_CAP, and then a last line saying so), Chinese headers."""
    async with session(request) as db:
        staff = await store.staff(db)
        try:
            f = rules.parse(request.query, _today(request))
            fmt = rules.export_format(request.query)
            _check_agent(f, staff)
        except rules.FilterError as error:
            return await _refused(request, db, error.messages, staff)
        rows = await store.export(db, f, rules.EXPORT_CAP)
        taken = await store.export_assignees(db, f)
        table: List[Any] = list(views.export_rows(rows[:rules.EXPORT_CAP], taken))
        if len(rows) > rules.EXPORT_CAP:
            table.append((views.cap_note(await store.count(db, f)),))
    name = f"投诉记录_{f.start:%Y%m%d}-{f.end:%Y%m%d}"
    response = download(fmt, name, views.EXPORT_HEADER, table, sheet_name="投诉记录")
    response.headers["X-Export-Rows"] = str(min(len(rows), rules.EXPORT_CAP))
    if len(rows) > rules.EXPORT_CAP:
        response.headers["X-Export-Capped"] = str(rules.EXPORT_CAP)
    return response


async def _not_found(request: web.Request, number: str) -> web.Response:
    """The complaint page saying there is no such complaint (404)."""
    return await render(request, "complaint.html", {"nav": "complaints", "missing": number},
                        status=404)


@require_staff("manager")
async def complaint_page(request: web.Request) -> web.Response:
    """`GET /staff/complaints/{number}`: the four steps with who acted, the remedy and the CRM
    records it wrote, the follow-up, the conversation's handoffs and its whole transcript."""
    number = request.match_info["number"].strip()
    if not complaint_rules.is_complaint_number(number):
        return await _not_found(request, number)
    async with session(request) as db:
        complaint = await store.complaint(db, number)
        if complaint is None:
            return await _not_found(request, number)
        staff = await store.staff(db)
        customer = await store.customer(db, complaint.customer_id)
        order_no = (await store.order_numbers(db, [complaint.order_id])).get(complaint.order_id)
        events = await store.events(db, complaint.id)
        public = views.execution_public(complaint.remedy_execution)
        refund = await store.refund(db, (public.get("refund") or {}).get("id"))
        coupon = await store.coupon(db, (public.get("coupon") or {}).get("code"))
        points = await store.points_entry(db, (public.get("points") or {}).get("entry_id"))
        resend = await store.order_row(db, public.get("resend_order_no"))
        follow_ups = await store.follow_ups(db, complaint.id)
        answers = await store.answers(db, complaint.id)
        handoffs = await store.handoffs(db, complaint.id, complaint.conversation_id)
        messages = await store.transcript(db, complaint.conversation_id)
    return await render(request, "complaint.html", {
        "nav": "complaints", "missing": None,
        "c": views.facts(complaint, customer, order_no, events, handoffs, staff),
        "steps": views.timeline(events, staff, complaint.current_step),
        "offers": views.offers(complaint.remedy_offered),
        "accepted": views.accepted_label(complaint.remedy_accepted),
        "execution": views.execution(public, complaint.remedy_executed_at),
        "records": views.records(public, refund, coupon, points, resend),
        "follow_ups": views.follow_up_rows(follow_ups),
        "answers": views.answer_rows(answers),
        "handoffs": views.handoff_rows(handoffs, complaint.id),
        "messages": views.transcript_rows(messages[:store.TRANSCRIPT_LIMIT]),
        "more_messages": len(messages) > store.TRANSCRIPT_LIMIT,
        "transcript_limit": store.TRANSCRIPT_LIMIT,
    })


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes (the export before the complaint's page it would match)."""
    router.add_get("/staff/complaints", log_page)
    router.add_get("/staff/complaints/export", export)
    router.add_get("/staff/complaints/{number}", complaint_page)
