"""`/staff/at-risk` (managers only): customers with an open risk flag, filtered and paged, with
their reasons, last contact, open complaints, win-back history and owner; plain forms to assign
an owner and to start a win-back task; the same list as CSV or XLSX."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple, Union

from aiohttp import web

from crm_backend.at_risk import rules, store, views
from crm_backend.core.export import FORMATS, download
from crm_backend.core.models import Customer, RiskFlag, StaffUser
from crm_backend.core.state import now, session
from crm_backend.core.time import BEIJING
from crm_backend.core.vocabulary import TIER_LABELS
from crm_backend.policies import policies
from crm_backend.risk.rules import LEVEL_LABELS
from crm_backend.staff.guard import redirect, render, require_staff, signed_in

LIST_PATH = "/staff/at-risk"


UNKNOWN_FLAG = "没有这条风险标记（可能编号有误），没有做任何改动。"


async def _notice(request: web.Request, message: str, status: int) -> web.Response:
    """A page that says why nothing was done, with the way back to the list."""
    return await render(request, "at_risk_notice.html",
                        {"nav": "at_risk", "message": message}, status=status)


def _flag_id(request: web.Request) -> Optional[int]:
    """The flag id in the path (None when it cannot be one)."""
    raw = request.match_info["flag_id"]
    return int(raw) if raw.isdigit() and len(raw) <= 9 and int(raw) > 0 else None


async def _side(db: Any, rows: List[store.FlagRow], ids: store.CustomerIds,
                shown: Optional[int]) -> Dict[str, Any]:
    """Last contacts, open complaints and win-back history of the rows' customers."""
    if not rows:
        return {"contacts": {}, "complaints": {}, "attempts": {}}
    return {"contacts": await store.latest_contacts(db, ids),
            "complaints": await store.open_complaints(db, ids, shown),
            "attempts": await store.winback_history(db, ids)}


def _rows(request: web.Request, rows: List[store.FlagRow], side: Dict[str, Any]
          ) -> List[Dict[str, Any]]:
    """The page's rows as the template shows them."""
    at, policy = now(request), policies(request).risk
    return [views.row_json(r, side["contacts"].get(r.customer_id, {}),
                           side["complaints"].get(r.customer_id),
                           side["attempts"].get(r.customer_id, []), at, policy)
            for r in rows]


def _choices(staff: List[StaffUser]) -> Dict[str, Any]:
    """The filter form's options."""
    return {"levels": [(code, LEVEL_LABELS[code]) for code in ("high", "medium", "low")],
            "tiers": list(TIER_LABELS.items()),
            "reasons": list(rules.REASON_LABELS.items()),
            "staff": [(s.id, s.display_name) for s in staff]}


@require_staff("manager")
async def at_risk_page(request: web.Request) -> web.Response:
    """`GET /staff/at-risk`: one page of open flags by filter, highest risk first."""
    flt, notes = rules.parse_filter(request.query)
    policy = policies(request).risk
    async with session(request) as db:
        total = await store.count_flags(db, flt, policy)
        flt = replace(flt, page=min(flt.page, rules.page_count(total)))
        rows = await store.flag_rows(db, flt, policy, rules.PAGE_SIZE,
                                     (flt.page - 1) * rules.PAGE_SIZE)
        side = await _side(db, rows, [r.customer_id for r in rows], rules.SHOWN_PER_CUSTOMER)
        staff = await store.active_staff(db)
    shown = [{**row, "task_token": secrets.token_urlsafe(16)}
             for row in _rows(request, rows, side)]
    return await render(request, "at_risk.html", {
        "nav": "at_risk", "filter": flt, "notes": notes, "rows": shown, "total": total,
        "pages": rules.page_count(total), "choices": _choices(staff),
        "query": rules.query_string(flt),
        "prev_query": rules.query_string(flt, page=flt.page - 1) if flt.page > 1 else None,
        "next_query": (rules.query_string(flt, page=flt.page + 1)
                       if flt.page < rules.page_count(total) else None),
        "export_query": rules.query_string(flt, page=1),
        "export_limit": rules.EXPORT_LIMIT, "shown_per_customer": rules.SHOWN_PER_CUSTOMER,
        "notice": rules.NOTICES.get(request.query.get("done", "")),
        "notice_flag": request.query.get("flag", "")})


@require_staff("manager")
async def export(request: web.Request) -> web.Response:
    """`GET /staff/at-risk/export?format=csv|xlsx&…filter`: the filtered list (the EXPORT_LIMIT
    riskiest customers at most), every open complaint number and the latest win-back attempt."""
    fmt = request.query.get("format", "csv")
    if fmt not in FORMATS:
        return await _notice(request, "导出格式只能是 CSV 或 XLSX。", 400)
    flt, _ = rules.parse_filter(request.query)
    flt = replace(flt, page=1)
    policy = policies(request).risk
    async with session(request) as db:
        rows = await store.flag_rows(db, flt, policy, rules.EXPORT_LIMIT)
        ids = store.customers_of(db.bind.dialect.name, flt, policy, rules.EXPORT_LIMIT)
        side = await _side(db, rows, ids, None)
    at = now(request)
    table = [views.export_row(r, side["contacts"].get(r.customer_id, {}),
                              side["complaints"].get(r.customer_id),
                              side["attempts"].get(r.customer_id, []), at, policy)
             for r in rows]
    day = at.astimezone(BEIJING).strftime("%Y%m%d")
    return download(fmt, f"风险客户_{day}", views.EXPORT_HEADER, table, sheet_name="风险客户")


Refusal = Tuple[str, int]


async def _on_open_flag(request: web.Request, flag_id: Optional[int],
                        work: Callable[[Any, RiskFlag, Customer], Awaitable[Union[str, Refusal]]]
                        ) -> Union[str, Refusal]:
    """Run `work` on the locked, open flag and commit; a refusal (message, status) for an
    unknown or resolved flag or when `work` refuses, with nothing changed."""
    if flag_id is None:
        return UNKNOWN_FLAG, 404
    async with session(request) as db:
        found = await store.locked_flag(db, flag_id)
        if found is None:
            return UNKNOWN_FLAG, 404
        flag, customer = found
        refusal = rules.action_refusal(flag.status)
        if refusal is not None:
            return refusal, 409
        done = await work(db, flag, customer)
        if isinstance(done, str):
            await db.commit()
        return done


async def _answer(request: web.Request, form: Any, flag_id: Optional[int],
                  done: Union[str, Refusal]) -> web.Response:
    """Back to the list (filter kept, at the row) with what was done, or the refusal's page."""
    if not isinstance(done, str):
        return await _notice(request, *done)
    return redirect(f"{LIST_PATH}?{rules.back_query(form.get('back'), done, flag_id or 0)}"
                    f"#flag-{flag_id}")


@require_staff("manager")
async def assign_owner(request: web.Request) -> web.Response:
    """`POST /staff/at-risk/{flag_id}/owner` (form `staff_id`, empty to clear): the flag's new
    owner is notified."""
    form, flag_id = await request.post(), _flag_id(request)
    acceptable, staff_id = rules.owner_choice(form.get("staff_id"))
    member = signed_in(request)

    async def assign(db: Any, flag: RiskFlag, customer: Customer) -> Union[str, Refusal]:
        owner = await store.active_member(db, staff_id) if staff_id is not None else None
        if not acceptable or (staff_id is not None and owner is None):
            return rules.UNKNOWN_STAFF, 400
        return await store.set_owner(db, flag, customer, owner, member.display_name,
                                     now(request))

    return await _answer(request, form, flag_id, await _on_open_flag(request, flag_id, assign))


@require_staff("manager")
async def start_winback(request: web.Request) -> web.Response:
    """`POST /staff/at-risk/{flag_id}/winback` (form `task_token`, one per rendered row): a
    win-back task for the flag's owner, once however often the form is sent."""
    form, flag_id = await request.post(), _flag_id(request)
    key = rules.task_key(flag_id or 0, form.get("task_token"))

    async def start(db: Any, flag: RiskFlag, customer: Customer) -> Union[str, Refusal]:
        if key is None:
            return rules.STALE_FORM, 400
        manager = await db.get(StaffUser, signed_in(request).staff_id)
        await store.start_task(db, flag, customer, key, manager, now(request))
        return "task"

    return await _answer(request, form, flag_id, await _on_open_flag(request, flag_id, start))


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_get(LIST_PATH, at_risk_page)
    router.add_get(f"{LIST_PATH}/export", export)
    router.add_post(LIST_PATH + "/{flag_id}/owner", assign_owner)
    router.add_post(LIST_PATH + "/{flag_id}/winback", start_winback)
