"""The overview over HTTP on a real loopback server: a manager sees the page and exports its KPI
tables (the CSV read back, the XLSX opened as a zip of XML), an agent is refused, a stranger is
sent to the login page; on the constructed history (tests/crm/review_support.py) and on an
empty database."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from typing import AsyncIterator, Iterator, List
from urllib.parse import unquote

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from defusedxml import ElementTree

from crm_backend.app import create_app
from crm_backend.core.clock import FixedClock
from crm_backend.core.config import CRMConfig
from crm_backend.review.views import EXPORT_HEADER

from .conftest import MAX_BODY_BYTES, SERVICE_TOKEN, TOKEN_SECRET
from .review_support import NOW, review_database
from .staff_support import add_staff, browser, logged_in

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def history_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[str]:
    """A fresh database holding the constructed history."""
    yield from review_database(request.param, lambda: tmp_path_factory.mktemp("review"), True)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[str]:
    """A fresh migrated database with nothing in it."""
    yield from review_database(request.param, lambda: tmp_path_factory.mktemp("review0"), False)


async def _server(url: str) -> TestServer:
    config = CRMConfig(database_url=url, service_token=SERVICE_TOKEN, token_secret=TOKEN_SECRET,
                       max_body_bytes=MAX_BODY_BYTES)
    server = TestServer(create_app(config, FixedClock(NOW)), host="127.0.0.1")
    await server.start_server()
    return server


async def _as(url: str, role: str) -> AsyncIterator[aiohttp.ClientSession]:
    server = await _server(url)
    username = await add_staff(url, FixedClock(NOW), role=role)
    try:
        async with browser(server.make_url("/")) as session:
            await logged_in(session, username)
            yield session
    finally:
        await server.close()


@pytest.fixture
async def manager(history_url: str) -> AsyncIterator[aiohttp.ClientSession]:
    """A manager logged in to a CRM on the constructed history."""
    async for session in _as(history_url, "manager"):
        yield session


def _value(html: str, key: str) -> str:
    found = re.search(rf'data-kpi-value="{re.escape(key)}">(?:<span class="which">[^<]*</span>)?'
                      r'([^<]*)</p>', html)
    assert found, key
    return found.group(1)


async def test_a_manager_sees_every_figure_with_its_definition(manager: aiohttp.ClientSession
                                                               ) -> None:
    async with manager.get("/staff/review") as resp:
        assert resp.status == 200
        assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
        html = await resp.text()
    assert "服务总览" in html and "2026-12-04 至 2026-12-10（北京时间，12-10 截至 15:00）" in html
    assert _value(html, "conversations") == "9"
    assert _value(html, "bot_alone") == "33.3%"
    assert _value(html, "handoff_rate") == "55.6%"
    assert _value(html, "expired") == "1"
    assert _value(html, "first_response.p50") == "1 分"
    assert _value(html, "first_response.p90") == "15 分"
    assert _value(html, "resolution_whole.p50") == "30 分 30 秒"
    assert _value(html, "csat") == "40.0%"
    assert _value(html, "csat_response_rate") == "66.7%"
    assert _value(html, "remedy_acceptance") == "66.7%"
    assert _value(html, "refund_yuan") == "¥50.00"
    assert _value(html, "reopened") == "1"
    assert _value(html, "at_risk") == "3"
    card = re.search(r'<article class="kpi" title="([^"]*)" data-kpi="csat"', html)
    assert card and "4–5 分" in card.group(1)
    assert re.search(r'<summary title="[^"]*" aria-label="满意率（CSAT）：口径说明">\?</summary>'
                     r'<p class="def" id="def-csat">统计期内收到的满意度回答', html)
    assert 'aria-describedby="def-csat"' in html
    assert html.count('role="img"') == 6 and "<title id=\"trend-conversations-title\">" in html
    assert "较上期 ▲ 7（+350.0%）" in html


async def test_the_period_is_chosen_in_the_query(manager: aiohttp.ClientSession) -> None:
    async with manager.get("/staff/review", params={"period": "custom", "start": "2026-12-05",
                                                    "end": "2026-12-05"}) as resp:
        html = await resp.text()
    assert "统计时段：2026-12-05（北京时间）" in html and "对比上期：2026-12-04" in html
    assert _value(html, "handoffs") == "3"
    assert 'href="/staff/review/export?format=csv&amp;period=custom&amp;start=2026-12-05&amp;' \
           'end=2026-12-05"' in html
    async with manager.get("/staff/review", params={"period": "custom", "start": "2026-12-05",
                                                    "end": "2026-12-01"}) as resp:
        html = await resp.text()
    assert resp.status == 200 and "开始日期不能晚于结束日期，已显示近 7 天。" in html
    assert _value(html, "conversations") == "9"


async def test_the_csv_export_reads_back_with_the_pages_figures(manager: aiohttp.ClientSession
                                                                 ) -> None:
    async with manager.get("/staff/review/export", params={"format": "csv"}) as resp:
        assert resp.status == 200 and resp.content_type == "text/csv"
        assert unquote(resp.headers["Content-Disposition"]).endswith(
            "服务总览_20261204-20261210.csv")
        data = await resp.read()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))
    assert rows[0] == EXPORT_HEADER
    by_name = {(row[0], row[1]): row[2:6] for row in rows[1:]}
    assert by_name[("统计时段", "北京时间")][1:3] == ["2026-12-04 至 2026-12-10",
                                                  "2026-11-27 至 2026-12-03"]
    assert by_name[("会话与转人工", "会话数")] == ["个", "9", "2", "7"]
    assert by_name[("满意度与回访", "满意率（CSAT）")] == ["%", "40.0", "100.0", "-60.0"]
    assert by_name[("投诉按客户等级", "小客户")] == ["个", "3", "1", "2"]
    assert by_name[("挽回尝试按客户等级", "合计 · 成功率")][:2] == ["%", "50.0"]
    assert all(len(row) == len(EXPORT_HEADER) for row in rows)


async def test_the_xlsx_export_holds_the_same_table(manager: aiohttp.ClientSession) -> None:
    async with manager.get("/staff/review/export",
                           params={"format": "xlsx", "period": "custom", "start": "2026-12-05",
                                   "end": "2026-12-05"}) as resp:
        assert resp.status == 200
        data = await resp.read()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
        assert "服务总览" in archive.read("xl/workbook.xml").decode()
    rows: List[list] = []
    for row in sheet.iter(f"{MAIN}row"):
        cells = []
        for cell in row.iter(f"{MAIN}c"):
            text = cell.find(f"{MAIN}is/{MAIN}t")
            cells.append(text.text if text is not None else float(cell.find(f"{MAIN}v").text))
        rows.append(cells)
    assert rows[0] == EXPORT_HEADER
    handoffs = next(row for row in rows if row[:2] == ["会话与转人工", "转人工次数"])
    assert handoffs[2:5] == ["个", 3.0, 0.0]


async def test_an_unknown_export_format_is_refused(manager: aiohttp.ClientSession) -> None:
    async with manager.get("/staff/review/export", params={"format": "pdf"}) as resp:
        assert resp.status == 400


async def test_an_agent_is_refused_the_page_and_the_export(history_url: str) -> None:
    async for session in _as(history_url, "agent"):
        for path in ("/staff/review", "/staff/review/export?format=csv"):
            async with session.get(path, allow_redirects=False) as resp:
                assert resp.status == 403
                assert "需要主管账号" in await resp.text()


async def test_a_stranger_is_sent_to_the_login_page(history_url: str) -> None:
    server = await _server(history_url)
    try:
        async with browser(server.make_url("/")) as session:
            for path in ("/staff/review?period=30d", "/staff/review/export?format=csv"):
                async with session.get(path, allow_redirects=False) as resp:
                    assert resp.status == 302
                    assert resp.headers["Location"].startswith("/staff/login?next=")
                    assert unquote(resp.headers["Location"]).endswith(path)
    finally:
        await server.close()


async def test_an_empty_database_shows_no_data_and_no_division_by_zero(empty_url: str) -> None:
    async for session in _as(empty_url, "manager"):
        async with session.get("/staff/review") as resp:
            assert resp.status == 200
            html = await resp.text()
        assert _value(html, "conversations") == "0"
        for key in ("bot_alone", "csat", "first_response.p50", "remedy_acceptance"):
            assert _value(html, key) == "—", key
        assert html.count("暂无数据") >= 6 and 'role="img"' not in html
        async with session.get("/staff/review/export?format=xlsx") as resp:
            assert resp.status == 200
