"""The managers' overview (服务总览): `GET /staff/review` (the page) and `GET /staff/review/export`
(its KPI tables as CSV or XLSX), for a period and compared with the same-length period before."""

from __future__ import annotations

import asyncio
from typing import Optional, Tuple

from aiohttp import web

from crm_backend.core.http import ApiError
from crm_backend.core.export import FORMATS, download
from crm_backend.core.state import now, session
from crm_backend.review import rules, store, views
from crm_backend.review.rules import Period
from crm_backend.staff.guard import render, require_staff


def _period(request: web.Request) -> Tuple[Period, Optional[str]]:
    """The period the query asks for, and a note when it could not be followed."""
    query = request.query
    return rules.period_for(query.get("period", rules.DEFAULT_PERIOD), query.get("start", ""),
                            query.get("end", ""), now(request))


async def _figures_of(request: web.Request, period: Period) -> store.Figures:
    async with session(request) as db:
        return await store.figures(db, period)


async def _figures(request: web.Request, period: Period) -> Tuple[store.Figures, store.Figures]:
    """This period's figures and the period before's, read side by side on two connections."""
    current, previous = await asyncio.gather(_figures_of(request, period),
                                             _figures_of(request, period.previous()))
    return current, previous


@require_staff("manager")
async def review_page(request: web.Request) -> web.Response:
    """`GET /staff/review?period=today|7d|30d|custom&start=&end=`: the KPI cards, trends and
    breakdowns of the period against the one before."""
    period, note = _period(request)
    current, previous = await _figures(request, period)
    query = {"period": period.key}
    if period.key == "custom":
        query.update(start=period.first_day.isoformat(), end=period.last_day.isoformat())
    return await render(request, "review.html", {
        "nav": "review",
        "period": period,
        "period_text": views.period_text(period),
        "previous_text": views.period_text(previous.period),
        "note": note,
        "periods": rules.PERIOD_LABELS,
        "query": query,
        "card_groups": views.cards(current, previous),
        "trends": views.trend_charts(current, previous),
        "bars": views.breakdown_charts(current),
        "tables": views.tables(current, previous),
        "daily": views.daily_rows(current, previous),
        "daily_columns": views.daily_columns(),
        "definitions": views.definitions(),
        "no_data": views.NO_DATA,
    })


@require_staff("manager")
async def review_export(request: web.Request) -> web.Response:
    """`GET /staff/review/export?format=csv|xlsx&period=…`: the page's KPI tables as a file."""
    fmt = request.query.get("format", "csv")
    if fmt not in FORMATS:
        raise ApiError(400, "bad_format", "导出格式只能是 csv 或 xlsx")
    period, _ = _period(request)
    current, previous = await _figures(request, period)
    name = f"服务总览_{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}"
    return download(fmt, name, views.EXPORT_HEADER, views.export_rows(current, previous),
                    sheet_name="服务总览")


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_get("/staff/review", review_page)
    router.add_get("/staff/review/export", review_export)
