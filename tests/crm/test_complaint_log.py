"""The managers' complaint log, each complaint's page and the export, on both databases: a known
set of complaints is written straight into a database of this module's own, and every expected
row set below is worked out by hand from that table."""

from __future__ import annotations

import csv
import html
import io
import re
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Dict, List, Tuple

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from defusedxml import ElementTree
from sqlalchemy import select

from crm_backend.complaint_log import rules
from crm_backend.core.export import XLSX_TYPE
from crm_backend.complaints.follow_up import COMPLAINT_FOLLOW_UP
from crm_backend.core.clock import FixedClock
from crm_backend.core.models import (Complaint, ConversationMessage, Coupon, Customer, FollowUp,
                                     Handoff, PointsEntry, Refund)
from crm_backend.core.time import BEIJING

from .complaint_support import (complaint_body, database, key,  # noqa: F401 (own database)
                                make_customer, mark_follow_up_sent)
from .databases import TestDatabase
from .staff_support import add_staff, browser, in_db, logged_in, session_csrf, staff_row


def bj(*parts: int) -> datetime:
    """A Beijing wall-clock time."""
    return datetime(*parts, tzinfo=BEIJING)


# (name, registered at, tier, category, severity, status, current step, channel, handler, words)
MAIN = (
    ("m1", bj(2026, 11, 23, 9, 0), "key", "product_quality", "high", "closed", 4, "web", "A",
     "衣服洗了一次就破了\n太失望了"),
    ("m2", bj(2026, 11, 22, 18, 30), "ordinary", "delivery", "medium", "open", 2, "wechat", None,
     "快递一周都没到了吗还要等多久"),
    ("m3", bj(2026, 11, 21, 8, 0), "small", "price", "low", "remedy_proposed", 3, "web", None,
     "价格比别家贵了 50%"),
    ("m4", bj(2026, 11, 20, 23, 59, 59), "key", "wrong_or_missing", "high", "reopened", 4,
     "wechat", "B", "发错颜色了_还少一件"),
    ("m5", bj(2026, 11, 15, 12, 0), "ordinary", "service_attitude", "medium", "handed_off", 3,
     "rest", None, "客服态度太差，等了 50 分钟"),
    ("m6", bj(2026, 10, 25, 0, 0, 0), "small", "product_quality", "low", "closed", 4, "web", "A",
     "质量一般般，破了个洞"),
    ("m7", bj(2026, 10, 24, 23, 59, 59), "key", "product_quality", "high", "open", 1, "web", None,
     "破了"),
    # A severity outside the vocabulary (written by some other tool) sorts last.
    ("x1", bj(2026, 3, 2, 10, 0), "small", "other", "critical", "open", 1, "web", None, "旧数据"),
    ("x2", bj(2026, 3, 1, 10, 0), "small", "other", "low", "open", 1, "web", None, "旧数据"),
)


# 120 more in June, three hours apart, for the pages: i = 0 … 119.
FILLER = 120
FILLER_START = bj(2026, 6, 1, 0, 0)


# The CRM's "now" while the complaints of the procedure tests are made (outside every period
# the log tests ask for).
ACTOR_NOW = bj(2026, 9, 10, 15, 0)


HEADER = ["投诉单号", "登记时间（北京时间）", "客户编号", "客户姓名", "客户等级", "渠道", "订单号",
          "类别", "严重程度", "状态", "当前步骤", "处理人", "客户原话", "客户诉求", "方案是否接受",
          "方案执行时间（北京时间）", "回访结果", "满意度", "办结时间（北京时间）", "会话编号"]


@dataclass
class Dataset:
    """What was written: numbers by name, the two agents and the accounts to log in with."""

    numbers: Dict[str, str]
    agent_a: int
    agent_b: int
    manager: str
    agent: str
    customer_ids: Dict[str, int]


DATASETS: Dict[str, Dataset] = {}


def filler_number(i: int) -> str:
    return f"TS20260600{i:04d}"


async def dataset(url: str, clock: FixedClock) -> Dataset:
    """The log's complaints, written once per database."""
    if url in DATASETS:
        return DATASETS[url]
    manager = await add_staff(url, clock, role="manager", display_name="测试主管")
    agent_a = await add_staff(url, clock, display_name="客服甲")
    agent_b = await add_staff(url, clock, display_name="客服乙")
    a, b = (await staff_row(url, agent_a)).id, (await staff_row(url, agent_b)).id
    handler = {"A": a, "B": b, None: None}
    numbers = {name: f"TS{at:%Y%m%d}0001" for name, at, *_ in MAIN}

    async def write(db) -> Dict[str, int]:
        customers = {tier: Customer(name=f"日志{label}", phone="13900000000", tier=tier,
                                    created_at=bj(2026, 1, 1))
                     for tier, label in (("key", "关键"), ("ordinary", "普通"), ("small", "小"))}
        db.add_all(customers.values())
        await db.flush()
        rows = {}
        for name, at, tier, category, severity, status, step, channel, who, words in MAIN:
            rows[name] = Complaint(
                number=numbers[name], customer_id=customers[tier].id, customer_tier=tier,
                category=category, severity=severity, customer_words=words, status=status,
                current_step=step, channel=channel, handler_staff_id=handler[who],
                conversation_id=f"log-{name}-{uuid.uuid4().hex[:6]}", created_at=at,
                updated_at=at)
        for i in range(FILLER):
            rows[f"f{i}"] = Complaint(
                number=filler_number(i), customer_id=customers["small"].id,
                customer_tier="small", category="other",
                severity=("low", "medium", "high")[i % 3], customer_words=f"第{i}条",
                status="open", current_step=1 + i % 4, channel="web",
                created_at=FILLER_START + timedelta(hours=3 * i),
                updated_at=FILLER_START + timedelta(hours=3 * i))
        db.add_all(rows.values())
        await db.flush()
        at = bj(2026, 11, 22, 19, 0)
        db.add_all([
            Handoff(conversation_id=rows["m2"].conversation_id, reason="complaint_escalated",
                    status="assigned", assigned_staff_id=b, complaint_id=rows["m2"].id,
                    created_at=at, assigned_at=at),
            Handoff(conversation_id=rows["m4"].conversation_id, reason="complaint_escalated",
                    status="closed", assigned_staff_id=a, complaint_id=rows["m4"].id,
                    created_at=at, assigned_at=at, closed_at=at),
            # A's handoff that belongs to no complaint makes no complaint A's.
            Handoff(conversation_id="log-other", reason="customer_request", status="closed",
                    assigned_staff_id=a, created_at=at, assigned_at=at, closed_at=at),
        ])
        return {tier: c.id for tier, c in customers.items()}

    customer_ids = await in_db(url, write)
    DATASETS[url] = Dataset(numbers, a, b, manager, agent_a, customer_ids)
    return DATASETS[url]


def rows_of(page: str) -> List[str]:
    """The complaint numbers a log page lists, in order."""
    return re.findall(r'<tr data-number="(TS\d{12})">', page)


def total_of(page: str) -> int:
    found = re.search(r'data-log="total">共 (\d+) 条', page)
    assert found, page
    return int(found.group(1))


def errors_of(page: str) -> List[str]:
    block = re.search(r'data-log="errors">(.*?)</div>', page, re.S)
    assert block, page
    return [html.unescape(e) for e in re.findall(r"<li>(.*?)</li>", block.group(1))]


@pytest.fixture
async def manager(client: TestClient, database: TestDatabase, clock: FixedClock):
    """A logged-in manager's browser, and the dataset."""
    data = await dataset(database.url, clock)
    async with browser(client.make_url("/").origin()) as session:
        await logged_in(session, data.manager)
        yield session, data


async def get(session: aiohttp.ClientSession, path: str, **params: str) -> Tuple[int, str]:
    async with session.get(path, params=params, allow_redirects=False) as resp:
        return resp.status, await resp.text()


async def log(session: aiohttp.ClientSession, **params: str) -> List[str]:
    status, page = await get(session, "/staff/complaints", **params)
    assert status == 200, page
    return rows_of(page)


def named(data: Dataset, *names: str) -> List[str]:
    return [data.numbers[n] for n in names]


async def test_the_default_log_is_the_last_30_beijing_days_newest_first(manager) -> None:
    session, data = manager
    status, page = await get(session, "/staff/complaints")
    assert status == 200
    # m7 is one second before 2026-10-25 00:00 Beijing, the period's first moment (m6).
    assert rows_of(page) == named(data, "m1", "m2", "m3", "m4", "m5", "m6")
    assert total_of(page) == 6
    assert 'value="2026-10-25"' in page and 'value="2026-11-23"' in page
    assert "日志关键" in page and "非常严重" in page and "关键客户" in page and "微信公众号" in page


@pytest.mark.parametrize("params, expected", [
    ({"status": "closed"}, ("m1", "m6")),
    ({"step": "remedy"}, ("m3", "m5")),
    ({"step": "1", "start": "2026-10-01"}, ("m7",)),
    ({"category": "product_quality"}, ("m1", "m6")),
    ({"category": "product_quality", "start": "2026-10-01"}, ("m1", "m6", "m7")),
    ({"severity": "high"}, ("m1", "m4")),
    ({"tier": "ordinary"}, ("m2", "m5")),
    ({"channel": "wechat"}, ("m2", "m4")),
    ({"channel": "rest"}, ("m5",)),
    ({"start": "2026-11-20", "end": "2026-11-20"}, ("m4",)),
    ({"start": "2026-11-21", "end": "2026-11-21"}, ("m3",)),
    ({"start": "2026-10-24", "end": "2026-10-24"}, ("m7",)),
    ({"start": "2026-10-25", "end": "2026-10-25"}, ("m6",)),
    ({"end": "2026-11-20"}, ("m4", "m5", "m6", "m7")),
    ({"tier": "key", "severity": "high", "channel": "wechat"}, ("m4",)),
    ({"status": "closed", "tier": "small"}, ("m6",)),
    ({"category": "product_quality", "q": "破"}, ("m1", "m6")),
    ({"severity": "low", "status": "open"}, ()),
])
async def test_each_filter_and_filters_combined(manager, params, expected) -> None:
    session, data = manager
    assert await log(session, **params) == named(data, *expected)


async def test_the_agent_is_the_handler_or_who_took_the_complaints_handoff(manager) -> None:
    session, data = manager
    # A: handler of m1 and m6, took m4's handoff; B: handler of m4, took m2's handoff.
    assert await log(session, agent=str(data.agent_a)) == named(data, "m1", "m4", "m6")
    assert await log(session, agent=str(data.agent_b)) == named(data, "m2", "m4")
    assert await log(session, agent=str(data.agent_a), status="closed") == named(data, "m1", "m6")
    _, page = await get(session, "/staff/complaints", agent=str(data.agent_b))
    row = re.search(rf'data-number="{data.numbers["m4"]}">(.*?)</tr>', page, re.S).group(1)
    assert "客服乙、客服甲" in row


@pytest.mark.parametrize("q, expected", [
    ("破了", ("m1", "m6")),
    ("太失望", ("m1",)),
    ("50%", ("m3",)),       # unescaped, "50%" would also find m5's "50 分钟"
    ("%", ("m3",)),
    ("了_还", ("m4",)),     # unescaped, "_" would also find m2's "到了吗还"
    ("_", ("m4",)),
    ("没有这句话", ()),
])
async def test_search_in_the_customers_words(manager, q, expected) -> None:
    session, data = manager
    assert await log(session, q=q) == named(data, *expected)


@pytest.mark.parametrize("sort, expected", [
    ("newest", ("m1", "m2", "m3", "m4", "m5", "m6")),
    ("oldest", ("m6", "m5", "m4", "m3", "m2", "m1")),
    ("severity", ("m1", "m4", "m2", "m5", "m3", "m6")),
    ("step", ("m2", "m3", "m5", "m1", "m4", "m6")),
])
async def test_sorting(manager, sort, expected) -> None:
    session, data = manager
    assert await log(session, sort=sort) == named(data, *expected)


async def test_a_severity_outside_the_vocabulary_sorts_last(manager) -> None:
    session, data = manager
    assert await log(session, start="2026-03-01", end="2026-03-31", sort="severity") == named(
        data, "x2", "x1")
    assert await log(session, start="2026-03-01", end="2026-03-31") == named(data, "x1", "x2")


async def test_pages_of_fifty_with_the_total(manager) -> None:
    session, _ = manager
    june = {"start": "2026-06-01", "end": "2026-06-30"}
    status, first = await get(session, "/staff/complaints", **june)
    assert total_of(first) == 120 and "第 1 / 3 页（第 1–50 条）" in first
    assert rows_of(first) == [filler_number(i) for i in range(119, 69, -1)]
    assert 'data-log="next"' in first and 'data-log="previous"' not in first
    assert "page=2" in re.search(r'href="([^"]*)" data-log="next"', first).group(1)
    _, second = await get(session, "/staff/complaints", page="2", **june)
    assert rows_of(second) == [filler_number(i) for i in range(69, 19, -1)]
    _, third = await get(session, "/staff/complaints", page="3", **june)
    assert rows_of(third) == [filler_number(i) for i in range(19, -1, -1)]
    assert "第 3 / 3 页（第 101–120 条）" in third and 'data-log="next"' not in third
    _, oldest = await get(session, "/staff/complaints", page="3", sort="oldest", **june)
    assert rows_of(oldest) == [filler_number(i) for i in range(100, 120)]
    status, beyond = await get(session, "/staff/complaints", page="4", **june)
    assert status == 200 and rows_of(beyond) == [] and "回到第一页" in beyond


@pytest.mark.parametrize("sort, pages", [
    # June's severities: i % 3 == 0 low, 1 medium, 2 high (40 each), newest first within each.
    ("severity", [[*range(119, 1, -3), *range(118, 90, -3)],
                  [*range(88, 0, -3), *range(117, 59, -3)],
                  [*range(57, -1, -3)]]),
    # June's steps: 1 + i % 4 (30 each).
    ("step", [[*range(116, -1, -4), *range(117, 40, -4)],
              [*range(37, 0, -4), *range(118, 1, -4), *range(119, 82, -4)],
              [*range(79, 2, -4)]]),
])
async def test_pages_sorted_by_severity_or_step_cross_from_one_value_to_the_next(
        manager, sort, pages) -> None:
    session, _ = manager
    for number, expected in enumerate(pages, start=1):
        assert len(expected) == (50 if number < 3 else 20)
        status, page = await get(session, "/staff/complaints", start="2026-06-01",
                                 end="2026-06-30", sort=sort, page=str(number))
        assert rows_of(page) == [filler_number(i) for i in expected]
        assert total_of(page) == 120
    status, page = await get(session, "/staff/complaints", start="2026-06-01", end="2026-06-30",
                             sort=sort, page="4")
    assert status == 200 and rows_of(page) == [] and "回到第一页" in page


async def test_bad_parameters_get_a_chinese_message_not_a_500(manager) -> None:
    session, data = manager
    status, page = await get(session, "/staff/complaints", status="lost", page="0",
                             start="2026-02-30", q="x" * 101)
    assert status == 400 and rows_of(page) == []
    assert errors_of(page) == ["状态“lost”不在可选范围内，请从列表中选择",
                               "搜索内容太长（101 个字），最多 100 个字",
                               "页码“0”无效，应为 1 到 1000000 之间的整数",
                               "开始日期“2026-02-30”不是有效的日期，请按 年-月-日 填写，例如 2026-11-20"]
    assert 'data-log="filters"' in page
    status, page = await get(session, "/staff/complaints", category="<script>")
    assert status == 400 and "类别“&lt;script&gt;”" in page and "<script>" not in page
    status, page = await get(session, "/staff/complaints", agent="999999")
    assert status == 400 and errors_of(page) == ["处理人“999999”不存在，请从列表中选择"]
    status, page = await get(session, "/staff/complaints/export", format="pdf")
    assert status == 400 and errors_of(page) == ["导出格式“pdf”无效，请选择 CSV 或 Excel（xlsx）"]
    status, page = await get(session, "/staff/complaints/export", end="2026-13-01")
    assert status == 400 and errors_of(page)[0].startswith("结束日期“2026-13-01”不是有效的日期")


async def test_strangers_go_to_login_and_agents_are_refused(client: TestClient,
                                                            database: TestDatabase,
                                                            clock: FixedClock) -> None:
    data = await dataset(database.url, clock)
    paths = ["/staff/complaints", "/staff/complaints/export?format=csv",
             f"/staff/complaints/{data.numbers['m1']}"]
    async with browser(client.make_url("/").origin()) as stranger:
        for path in paths:
            async with stranger.get(path, allow_redirects=False) as resp:
                assert resp.status == 302
                assert resp.headers["Location"].startswith("/staff/login?next=")
    async with browser(client.make_url("/").origin()) as agent:
        await logged_in(agent, data.agent)
        for path in paths:
            async with agent.get(path, allow_redirects=False) as resp:
                body = await resp.text()
                assert resp.status == 403, path
                assert "需要主管账号" in body and data.numbers["m1"] not in body
                assert resp.headers.get("Content-Disposition") is None


def parse_csv(body: bytes) -> List[List[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8"), newline="")))


async def download(session: aiohttp.ClientSession,
                   **params: str) -> Tuple[aiohttp.ClientResponse, bytes]:
    async with session.get("/staff/complaints/export", params=params) as resp:
        assert resp.status == 200, await resp.text()
        return resp, await resp.read()


async def test_csv_export_is_the_filtered_log_with_chinese_headers(manager) -> None:
    session, data = manager
    resp, body = await download(session, format="csv")
    assert resp.content_type == "text/csv"
    assert "filename*=UTF-8''%E6%8A%95%E8%AF%89%E8%AE%B0%E5%BD%95_20261025-20261123.csv" in \
        resp.headers["Content-Disposition"]
    table = parse_csv(body)
    assert table[0] == HEADER
    assert [row[0] for row in table[1:]] == named(data, "m1", "m2", "m3", "m4", "m5", "m6")
    m4 = table[4]
    assert m4[:12] == [data.numbers["m4"], "2026-11-20 23:59:59", str(data.customer_ids["key"]),
                       "日志关键", "关键客户", "微信公众号", "", "错发漏发", "非常严重", "已重新打开",
                       "4 跟踪", "客服乙、客服甲"]
    assert m4[12] == "发错颜色了_还少一件"
    assert table[1][12] == "衣服洗了一次就破了 / 太失望了"
    _, body = await download(session, format="csv", q="50%")
    assert [row[0] for row in parse_csv(body)[1:]] == named(data, "m3")
    _, body = await download(session, format="csv", agent=str(data.agent_a), sort="oldest")
    assert [row[0] for row in parse_csv(body)[1:]] == named(data, "m6", "m4", "m1")
    _, body = await download(session, format="csv", start="2026-06-01", end="2026-06-30")
    assert [row[0] for row in parse_csv(body)[1:]] == [filler_number(i) for i in range(119, -1, -1)]


def xlsx_rows(body: bytes) -> List[List[str]]:
    """The cells of the only sheet, row by row (inline strings and numbers)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert "xl/workbook.xml" in archive.namelist()
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iterfind(".//m:sheetData/m:row", ns):
        cells = []
        for cell in row.iterfind("m:c", ns):
            text = cell.find("m:is/m:t", ns)
            value = cell.find("m:v", ns)
            cells.append(text.text if text is not None else value.text)
        rows.append(cells)
    return rows


async def test_xlsx_export_is_the_filtered_log(manager) -> None:
    session, data = manager
    resp, body = await download(session, format="xlsx", channel="wechat")
    assert resp.content_type == XLSX_TYPE
    rows = xlsx_rows(body)
    assert rows[0] == HEADER
    assert [r[0] for r in rows[1:]] == named(data, "m2", "m4")
    assert rows[2][1:5] == ["2026-11-20 23:59:59", str(data.customer_ids["key"]), "日志关键", "关键客户"]


async def test_a_capped_export_says_so_on_the_page_and_in_the_file(manager, monkeypatch) -> None:
    session, data = manager
    monkeypatch.setattr(rules, "EXPORT_CAP", 2)
    _, page = await get(session, "/staff/complaints")
    assert 'data-log="capped"' in page and "当前筛选共 6 条，导出文件只含前 2 条" in page
    resp, body = await download(session, format="csv")
    table = parse_csv(body)
    assert [row[0] for row in table[1:3]] == named(data, "m1", "m2")
    assert table[3] == ["（仅导出前 2 条；符合筛选的共 6 条，请缩小日期范围或增加筛选条件后分批导出）"]
    assert len(table) == 4 and resp.headers["X-Export-Capped"] == "2"


async def test_the_log_page_links_both_exports_with_its_filter(manager) -> None:
    session, _ = manager
    _, page = await get(session, "/staff/complaints", category="price", q="贵 50%", page="1")
    link = html.unescape(re.search(r'href="([^"]*)" data-log="export-csv"', page).group(1))
    assert link == ("/staff/complaints/export?category=price&start=2026-10-25&end=2026-11-23"
                    "&q=%E8%B4%B5+50%25&format=csv")
    assert 'data-log="export-xlsx"' in page


async def test_an_unknown_complaint_is_a_chinese_404(manager) -> None:
    session, _ = manager
    for number in ("TS999999999999", "nonsense", "export2"):
        status, page = await get(session, f"/staff/complaints/{number}")
        assert status == 404 and "没有找到投诉单" in page and 'data-complaint="missing"' in page


def steps_of(page: str) -> Dict[int, List[Tuple[str, str, str, str]]]:
    """Each step's entries as (actor, time, who, note)."""
    parts = re.split(r'data-step="(\d)"', page)[1:]
    found = {}
    for number, body in zip(parts[::2], parts[1::2]):
        entries = re.findall(r'<li data-actor="(\w+)"><span class="time">(.*?)</span>'
                             r'<span class="actor \w+">(.*?)</span>(.*?)</li>', body)
        found[int(number)] = [tuple(html.unescape(x) for x in e) for e in entries]
    return found


async def _post(client: TestClient, auth: dict, path: str, body: dict) -> dict:
    resp = await client.post(path, json=body, headers=auth)
    assert resp.status in (200, 201), await resp.text()
    return await resp.json()


async def _new_complaint(client: TestClient, auth: dict, url: str, **overrides) -> dict:
    customer_id, order_no = await make_customer(url, tier=overrides.pop("tier", "ordinary"))
    body = complaint_body(customer_id, order_no, vented_at=(ACTOR_NOW - timedelta(minutes=3))
                          .isoformat(), conversation_id=f"conv-{uuid.uuid4().hex[:10]}",
                          **overrides)
    return (await _post(client, auth, "/api/complaints", body))["complaint"]


async def _fire_follow_up(url: str, number: str, at: datetime) -> None:
    """What the scheduler does once Rasa was told: the follow-up kind's hook."""
    async def fire(db) -> None:
        complaint_id = await db.scalar(select(Complaint.id).where(Complaint.number == number))
        follow_up = (await db.execute(select(FollowUp).where(FollowUp.complaint_id == complaint_id))
                     ).scalar_one()
        await COMPLAINT_FOLLOW_UP.fired(db, follow_up, at)
    await in_db(url, fire)
    await mark_follow_up_sent(url, number)


async def test_a_complaints_page_shows_steps_with_who_acted_records_and_transcript(
        client: TestClient, auth: dict, database: TestDatabase, clock: FixedClock) -> None:
    data = await dataset(database.url, clock)
    clock.at = ACTOR_NOW
    complaint = await _new_complaint(client, auth, database.url, severity="high")
    number, conversation = complaint["number"], complaint["conversation_id"]
    await _post(client, auth, f"/api/complaints/{number}/remedy/propose", {})
    refused = await _post(client, auth, f"/api/complaints/{number}/remedy/refuse",
                          {"reason": "不要退款"})
    handoff_id = refused["handoff"]["id"]
    agent_id = (await staff_row(database.url, data.agent)).id

    async def talk(db) -> None:
        for author, text, staff_id in (("customer", "衣服洗了一次就破了！", None),
                                       ("bot", "非常抱歉给您带来不好的体验", None),
                                       ("agent", "您好，我是客服甲，马上为您退款", agent_id),
                                       ("system", "会话已交还机器人", None)):
            db.add(ConversationMessage(conversation_id=conversation, channel="web",
                                       author=author, text=text, staff_id=staff_id,
                                       created_at=ACTOR_NOW))
    await in_db(database.url, talk)
    async with browser(client.make_url("/").origin()) as agent:
        await logged_in(agent, data.agent)
        csrf = await session_csrf(agent)
        base = f"/api/staff/handoffs/{handoff_id}"
        async with agent.post(f"{base}/claim", json={}, headers={"X-CSRF-Token": csrf}) as resp:
            assert resp.status == 200, await resp.text()
        async with agent.post(f"{base}/remedy", headers={"X-CSRF-Token": csrf}, json={
                "complaint_number": number, "option": "refund_full",
                "idempotency_key": key()}) as resp:
            assert resp.status == 201, await resp.text()
    await _fire_follow_up(database.url, number, ACTOR_NOW + timedelta(days=4))
    clock.at = ACTOR_NOW + timedelta(days=4, minutes=5)
    await _post(client, auth, f"/api/complaints/{number}/satisfaction", {
        "score": 5, "resolved": True, "conversation_id": conversation,
        "idempotency_key": key()})

    detail = await (await client.get(f"/api/complaints/{number}", headers=auth)).json()
    assert [e["actor"] for e in detail["complaint"]["timeline"]] == [
        "customer", "bot", "bot", "customer", "agent", "agent", "system", "customer"]

    async with browser(client.make_url("/").origin()) as session:
        await logged_in(session, data.manager)
        status, page = await get(session, f"/staff/complaints/{number}")
    assert status == 200
    steps = steps_of(page)
    order_no = complaint["order_no"]
    assert steps[1] == [("customer", "2026-09-10 14:57:00", "客户", "客户陈述2条：衣服洗了一次就破了！")]
    assert steps[2] == [("bot", "2026-09-10 15:00:00", "机器人",
                         f"登记投诉：商品质量，非常严重，订单 {order_no}，诉求：希望换一件")]
    assert [(a, t, w) for a, t, w, _ in steps[3]] == [
        ("bot", "2026-09-10 15:00:00", "机器人"),
        ("customer", "2026-09-10 15:00:00", "客户"),
        ("agent", "2026-09-10 15:00:00", "人工客服（客服甲）"),
        ("agent", "2026-09-10 15:00:00", "人工客服（客服甲）")]
    assert steps[3][0][3].startswith("提出方案：全额退款——")
    assert steps[3][1][3] == "客户不接受方案：不要退款，已转人工客服"
    assert steps[3][2][3] == "人工客服客服甲提出方案：全额退款"
    assert steps[3][3][3].startswith("客户接受方案，已执行：已为您提交退款 ¥199.00")
    assert steps[4] == [
        ("system", "2026-09-14 15:00:00", "系统", "已发起回访，询问方案是否落实及满意度"),
        ("customer", "2026-09-14 15:05:00", "客户", "回访：问题已解决，满意度 5 分，投诉办结")]

    refund = (await in_db(database.url, lambda db: db.execute(
        select(Refund).where(Refund.idempotency_key == f"complaint:{number}:refund")),
        commit=False)).scalar_one()
    record = re.search(r'data-complaint="record">(.*?)</div>', page, re.S).group(1)
    assert f"退款单 #{refund.id}，订单 {order_no}" in record
    assert "金额 ¥199.00" in record and "状态：已同意，退款处理中" in record
    assert "<blockquote>衣服洗了一次就破了！</blockquote><blockquote>太失望了</blockquote>" in page
    assert 'data-complaint="expectation">希望换一件<' in page
    assert 'data-complaint="accepted">接受<' in page
    assert 'data-complaint="score">5<' in page
    assert "已解决，满意度 5 分" in page
    assert 'data-complaint="handlers">客服甲<' in page
    handoffs = re.search(r'data-complaint="handoffs">(.*?)</table>', page, re.S).group(1)
    assert f'data-handoff="{handoff_id}"' in handoffs and "客服甲" in handoffs
    transcript = re.findall(
        r'data-author="(\w+)"><span class="who">(.*?) · [\d: -]+</span>(.*?)</div>', page)
    assert transcript == [("customer", "客户", "衣服洗了一次就破了！"),
                          ("bot", "机器人", "非常抱歉给您带来不好的体验"),
                          ("agent", "人工客服 · 客服甲", "您好，我是客服甲，马上为您退款"),
                          ("system", "系统", "会话已交还机器人")]
    async with browser(client.make_url("/").origin()) as session:
        await logged_in(session, data.manager)
        assert await log(session, agent=str(agent_id), start="2026-09-10",
                         end="2026-09-10") == [number]


async def test_coupon_and_points_carried_out_by_the_bot_show_their_crm_rows(
        client: TestClient, auth: dict, database: TestDatabase, clock: FixedClock) -> None:
    data = await dataset(database.url, clock)
    clock.at = ACTOR_NOW
    delivery = await _new_complaint(client, auth, database.url, category="delivery",
                                    severity="low")
    service = await _new_complaint(client, auth, database.url, category="service_attitude",
                                   severity="low", tier="small")
    for c in (delivery, service):
        await _post(client, auth, f"/api/complaints/{c['number']}/remedy/propose", {})
        await _post(client, auth, f"/api/complaints/{c['number']}/remedy/accept",
                    {"idempotency_key": key()})

    async def rows(db) -> Tuple[Coupon, PointsEntry]:
        coupon = (await db.execute(select(Coupon).where(
            Coupon.idempotency_key == f"complaint:{delivery['number']}:coupon"))).scalar_one()
        entry = (await db.execute(select(PointsEntry).where(
            PointsEntry.idempotency_key == f"complaint:{service['number']}:points"))).scalar_one()
        return coupon, entry
    coupon, entry = await in_db(database.url, rows, commit=False)
    async with browser(client.make_url("/").origin()) as session:
        await logged_in(session, data.manager)
        _, page = await get(session, f"/staff/complaints/{delivery['number']}")
        assert steps_of(page)[3][-1][:3] == ("bot", "2026-09-10 15:00:00", "机器人")
        record = re.search(r'data-complaint="record">(.*?)</div>', page, re.S).group(1)
        assert f"券码 {coupon.code}" in record and "面额 ¥20.00，满 ¥100.00 可用" in record
        assert 'data-complaint="handlers">无人工参与<' in page
        _, page = await get(session, f"/staff/complaints/{service['number']}")
        record = re.search(r'data-complaint="record">(.*?)</div>', page, re.S).group(1)
        assert f"流水 #{entry.id}：+100 积分" in record


async def test_a_person_closing_a_complaint_is_recorded_as_theirs(
        client: TestClient, auth: dict, database: TestDatabase, clock: FixedClock) -> None:
    data = await dataset(database.url, clock)
    clock.at = ACTOR_NOW
    complaint = await _new_complaint(client, auth, database.url)
    number = complaint["number"]
    await _post(client, auth, f"/api/complaints/{number}/remedy/propose", {})
    handoff = (await _post(client, auth, f"/api/complaints/{number}/remedy/refuse", {}))["handoff"]
    async with browser(client.make_url("/").origin()) as agent:
        await logged_in(agent, data.agent)
        csrf = {"X-CSRF-Token": await session_csrf(agent)}
        base = f"/api/staff/handoffs/{handoff['id']}"
        async with agent.post(f"{base}/claim", json={}, headers=csrf) as resp:
            assert resp.status == 200
        async with agent.post(f"{base}/close-complaint", headers=csrf, json={
                "complaint_number": number, "note": "电话沟通后客户满意"}) as resp:
            assert resp.status == 200, await resp.text()
    async with browser(client.make_url("/").origin()) as session:
        await logged_in(session, data.manager)
        _, page = await get(session, f"/staff/complaints/{number}")
    assert steps_of(page)[4] == [("agent", "2026-09-10 15:00:00", "人工客服（客服甲）",
                                  "人工客服客服甲办结：电话沟通后客户满意")]
    assert 'data-complaint="status">已办结<' in page
    assert 'data-complaint="handlers">客服甲<' in page
