"""The managers' at-risk page over real HTTP on SQLite and PostgreSQL: filters, rows and reasons,
last contact, open complaints, win-back history, assigning an owner, starting a win-back task
once under a double submit, unknown and resolved flags, CSRF, roles and the export.

The module has a seeded database of its own: every test makes its own customers, and an owner
of its own whose id (the `owner` filter) keeps the list to the test's flags.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import uuid
import zipfile
from datetime import datetime, timedelta
from typing import AsyncIterator, Dict, List, Optional, Sequence

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select, update

from crm_backend.at_risk import rules
from crm_backend.core.clock import FixedClock
from crm_backend.core.models import (Complaint, ConversationBinding, ConversationMessage, Customer,
                                     Handoff, Notification, Order, RiskFlag, StaffUser,
                                     WinBackAttempt)

from .databases import TestDatabase, own_seeded_database
from .staff_support import (add_staff, browser, error_of, in_db, logged_in,
                            session_csrf, staff_row)

TOKEN_INPUT = re.compile(r'name="task_token" value="([^"]+)"')
ROW = re.compile(r'data-at-risk="row" data-flag-id="(\d+)" data-customer-id="(\d+)"')


class Manager:
    """A logged-in manager's browser, with their CSRF token and staff id."""

    def __init__(self, web: aiohttp.ClientSession, csrf: str, staff_id: int, name: str) -> None:
        self.web, self.csrf, self.staff_id, self.name = web, csrf, staff_id, name

    async def page(self, **params: str) -> str:
        async with self.web.get("/staff/at-risk", params=params,
                                allow_redirects=False) as resp:
            assert resp.status == 200, await resp.text()
            return await resp.text()

    async def post(self, path: str, **form: str) -> aiohttp.ClientResponse:
        resp = await self.web.post(path, data={"csrf_token": self.csrf, **form},
                                   allow_redirects=False)
        await resp.read()
        return resp


# A seeded database of this module's own: the customers, orders and flags made here would
# change what the seed's own tests read in the session's shared one.
database = own_seeded_database("at-risk", scope="module")


@pytest.fixture
async def manager(client: TestClient, database: TestDatabase,
                  clock: FixedClock) -> AsyncIterator[Manager]:
    name = f"李主管{uuid.uuid4().hex[:4]}"
    username = await add_staff(database.url, clock, role="manager", display_name=name)
    staff = await staff_row(database.url, username)
    async with browser(client.make_url("/").origin()) as web:
        await logged_in(web, username)
        yield Manager(web, await session_csrf(web), staff.id, name)


async def _staff(url: str, clock: FixedClock, name: str, role: str = "agent") -> StaffUser:
    return await staff_row(url, await add_staff(url, clock, role=role, display_name=name))


async def _customer(url: str, clock: FixedClock, name: str, tier: str = "ordinary",
                    bad_faith: bool = False) -> Customer:
    customer = Customer(name=name, phone="13800000000", tier=tier, tier_reason="测试",
                        is_bad_faith=bad_faith, created_at=clock.now() - timedelta(days=400))

    async def add(db):
        db.add(customer)
        await db.flush()
        return customer
    return await in_db(url, add)


async def _flag(url: str, clock: FixedClock, customer: Customer, score: int, level: str,
                reasons: Sequence[str], owner: Optional[int] = None,
                status: str = "open") -> RiskFlag:
    at = clock.now() - timedelta(days=1)
    flag = RiskFlag(customer_id=customer.id, score=score, level=level, reasons=list(reasons),
                    status=status, created_at=at - timedelta(days=2), updated_at=at,
                    resolved_at=at if status != "open" else None, owner_staff_id=owner,
                    owner_assigned_at=at if owner else None)

    async def add(db):
        db.add(flag)
        await db.flush()
        return flag
    return await in_db(url, add)


async def _add(url: str, *rows: object) -> None:
    async def add(db):
        db.add_all(rows)
    await in_db(url, add)


async def _read(url: str, stmt) -> list:
    async def load(db):
        return list((await db.execute(stmt)).scalars())
    return await in_db(url, load, commit=False)


def _rows(html: str) -> List[int]:
    """The customer ids of the page's rows, in order."""
    return [int(customer) for _, customer in ROW.findall(html)]


def _row(html: str, flag_id: int) -> str:
    """The HTML of one flag's row."""
    start = html.index(f'id="flag-{flag_id}"')
    return html[start:html.index("</tr>", start)]


def _text(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def _complaint(customer: Customer, number: str, status: str, at: datetime,
               conversation_id: Optional[str] = None) -> Complaint:
    return Complaint(number=number, customer_id=customer.id, customer_tier=customer.tier,
                     category="delivery", severity="medium", status=status, current_step=2,
                     channel="wechat", conversation_id=conversation_id, created_at=at,
                     updated_at=at)


def _number() -> str:
    return f"TS{uuid.uuid4().int % 10**12:012d}"


def _order(customer: Customer, at: datetime) -> Order:
    return Order(order_no=f"KF19{uuid.uuid4().int % 10**10:010d}", customer_id=customer.id,
                 status="delivered", items_total_fen=1000, total_fen=1000, receiver_name="测试",
                 receiver_phone="13800000000", address="测试地址", created_at=at)


def _message(conversation_id: str, author: str, at: datetime) -> ConversationMessage:
    return ConversationMessage(conversation_id=conversation_id, channel="web", author=author,
                               text="你好", created_at=at)


async def test_filters_rows_and_reasons(manager: Manager, database: TestDatabase,
                                        clock: FixedClock) -> None:
    url = database.url
    owner = await _staff(url, clock, "跟进人甲")
    a = await _customer(url, clock, "甲客户", tier="key")
    b = await _customer(url, clock, "乙客户", tier="ordinary")
    c = await _customer(url, clock, "丙客户", tier="small", bad_faith=True)
    d = await _customer(url, clock, "丁客户", tier="ordinary")
    e = await _customer(url, clock, "戊客户", tier="key")
    fa = await _flag(url, clock, a, 90, "high", ["表达流失意向2次（“再也不买了”）", "30天内投诉3次"],
                     owner=owner.id)
    fb = await _flag(url, clock, b, 45, "medium", ["30天内投诉1次", "满意度2分"], owner=owner.id)
    fc = await _flag(url, clock, c, 25, "low", ["曾规律购买（近一年4单），已95天未下单"],
                     owner=owner.id)
    await _flag(url, clock, d, 99, "high", ["30天内投诉5次"], owner=owner.id, status="resolved")
    fe = await _flag(url, clock, e, 30, "low", ["强烈负面情绪2次"])
    mine = str(owner.id)

    html = await manager.page(owner=mine)
    assert _rows(html) == [a.id, b.id, c.id]
    assert 'data-at-risk="summary">共 <strong>3</strong> 位风险客户' in html
    row = _row(html, fa.id)
    assert '<span data-at-risk="customer">甲客户</span>' in row
    assert '<span class="hint" data-at-risk="tier">关键客户</span>' in row
    assert 'data-at-risk="level">高</span>' in row and '<span data-at-risk="score">90</span>分' in row
    assert ("<li>表达流失意向2次（“再也不买了”）</li><li>30天内投诉3次</li>" in row)
    assert ('<span class="tag">表达流失意向</span><span class="tag">多次投诉</span>'
            '<span class="tag">投诉</span>') in row
    assert '<span data-at-risk="owner">跟进人甲</span>' in row
    assert "已标记劣质客户" in _row(html, fc.id) and "已标记劣质客户" not in row
    assert 'data-at-risk="level">中</span>' in _row(html, fb.id)

    cases: Dict[str, List[int]] = {
        "level=high": [a.id], "level=medium": [b.id], "level=low": [c.id],
        "tier=key": [a.id], "tier=ordinary": [b.id], "tier=small": [c.id],
        "reason=complaint": [a.id, b.id], "reason=repeated_complaints": [a.id],
        "reason=churn_language": [a.id], "reason=low_satisfaction": [b.id],
        "reason=inactivity": [c.id], "reason=negative_emotion": [],
        "level=medium&reason=complaint": [b.id], "tier=key&reason=inactivity": [],
    }
    for query, expected in cases.items():
        params = dict(pair.split("=") for pair in query.split("&"))
        assert _rows(await manager.page(owner=mine, **params)) == expected, query

    unowned = _rows(await manager.page(owner="none", reason="negative_emotion"))
    assert e.id in unowned and not {a.id, b.id, c.id} & set(unowned)
    everyone = _rows(await manager.page(tier="key", reason="negative_emotion"))
    assert e.id in everyone and d.id not in everyone and fe.id

    odd = await manager.page(owner=mine, level="extreme")
    assert _rows(odd) == [a.id, b.id, c.id] and "风险等级条件无法识别，已忽略" in odd


async def test_paging_by_fifty(manager: Manager, database: TestDatabase,
                               clock: FixedClock) -> None:
    url = database.url
    owner = await _staff(url, clock, "跟进人乙")
    at = clock.now() - timedelta(days=1)
    customers = [Customer(name=f"分页客户{i}", phone="13800000000", tier="small", tier_reason="测试",
                          created_at=at) for i in range(52)]
    await _add(url, *customers)
    await _add(url, *(RiskFlag(customer_id=c.id, score=100 - i, level="high", reasons=["30天内投诉1次"],
                               status="open", created_at=at, updated_at=at, owner_staff_id=owner.id)
                      for i, c in enumerate(customers)))
    first = await manager.page(owner=str(owner.id))
    assert _rows(first) == [c.id for c in customers[:50]]
    assert "第 1 / 2 页" in first and f'href="/staff/at-risk?owner={owner.id}&amp;page=2"' in first
    second = await manager.page(owner=str(owner.id), page="2")
    assert _rows(second) == [c.id for c in customers[50:]]
    assert f'href="/staff/at-risk?owner={owner.id}" rel="prev"' in second
    assert _rows(await manager.page(owner=str(owner.id), page="99")) == _rows(second)


async def test_last_contact_open_complaints_and_winback_history(
        manager: Manager, database: TestDatabase, clock: FixedClock) -> None:
    url = database.url
    now = clock.now()
    owner = await _staff(url, clock, "跟进人丙")
    x = await _customer(url, clock, "联系甲")
    y = await _customer(url, clock, "联系乙")
    z = await _customer(url, clock, "联系丙")
    w = await _customer(url, clock, "联系丁")
    conv_x, conv_y = f"conv-{uuid.uuid4().hex}", f"conv-{uuid.uuid4().hex}"
    open_number, reopened_number, closed_number = _number(), _number(), _number()
    await _add(url,
               # x: a handoff 10 days ago, their own message in it 5 days ago; later bot and
               # agent messages are not the customer's contact.
               Handoff(conversation_id=conv_x, customer_id=x.id, reason="测试", status="closed",
                       created_at=now - timedelta(days=10)),
               _message(conv_x, "customer", now - timedelta(days=5)),
               _message(conv_x, "agent", now - timedelta(days=2)),
               _message(conv_x, "bot", now - timedelta(days=1)),
               _order(x, now - timedelta(days=40)),
               _complaint(x, open_number, "open", now - timedelta(days=20), conv_x),
               _complaint(x, reopened_number, "reopened", now - timedelta(days=8)),
               _complaint(x, closed_number, "closed", now - timedelta(days=30)),
               # y: a conversation bound to them, their message 3 days ago beats an order 4
               # days ago.
               ConversationBinding(conversation_id=conv_y, customer_id=y.id, order_no="KF1",
                                   bound_at=now - timedelta(days=4),
                                   expires_at=now + timedelta(days=1)),
               _message(conv_y, "customer", now - timedelta(days=3, hours=2)),
               _order(y, now - timedelta(days=4)),
               # z: only an order.
               _order(z, now - timedelta(days=40)),
               WinBackAttempt(customer_id=x.id, trigger="churn_language", tier_used="ordinary",
                              action="retention_offer", idempotency_key=f"winback:{uuid.uuid4()}",
                              offer={"kind": "coupon", "title": "满200减30券"}, outcome="accepted",
                              outcome_at=now - timedelta(days=6),
                              created_at=now - timedelta(days=7)),
               WinBackAttempt(customer_id=x.id, trigger="manager", tier_used="ordinary",
                              action="task", idempotency_key=f"winback:{uuid.uuid4()}",
                              offer={"kind": "task", "owner_name": "跟进人丙", "started_by": "王主管"},
                              created_at=now - timedelta(days=2)))
    flags = {c.id: await _flag(url, clock, c, score, "medium", ["30天内投诉1次"], owner=owner.id)
             for c, score in ((x, 60), (y, 50), (z, 45), (w, 41))}
    html = await manager.page(owner=str(owner.id))
    assert _rows(html) == [x.id, y.id, z.id, w.id]

    def cell(customer: Customer, name: str) -> str:
        row = _row(html, flags[customer.id].id)
        start = row.index(f'data-at-risk="{name}"')
        return _text(row[start:row.index("</td>", start)].split(">", 1)[1])

    # SEED_NOW is 15:00 Beijing time on 2026-11-23.
    assert cell(x, "last-contact") == "2026-11-18 15:00 客户发消息 · 5天前"
    assert cell(y, "last-contact") == "2026-11-20 13:00 客户发消息 · 3天前"
    assert cell(z, "last-contact") == "2026-10-14 15:00 下单 · 40天前"
    assert cell(w, "last-contact") == "没有记录"
    assert cell(x, "complaints") == f"2 张 {reopened_number} {open_number}"
    row_x = _row(html, flags[x.id].id)
    assert f'<a href="/staff/complaints/{open_number}">{open_number}</a>' in row_x
    assert closed_number not in row_x
    assert cell(y, "complaints") == "无"
    assert cell(x, "winbacks") == (
        "2026-11-21 15:00 主管发起：主管派发挽回任务（按普通客户），负责人跟进人丙，王主管发起 — 进行中 "
        "2026-11-16 15:00 客户表达流失意向：挽回优惠（按普通客户），满200减30券 — 接受挽回")
    assert cell(y, "winbacks") == "尚未挽回"


async def test_assign_owner_notifies_them(manager: Manager, database: TestDatabase,
                                          clock: FixedClock) -> None:
    url = database.url
    agent = await _staff(url, clock, "客服小周")
    customer = await _customer(url, clock, "指派客户", tier="key")
    flag = await _flag(url, clock, customer, 75, "high", ["表达流失意向1次（“换别家”）"])
    path = f"/staff/at-risk/{flag.id}/owner"

    resp = await manager.post(path, staff_id=str(agent.id), back="level=high&page=1")
    assert resp.status == 303
    assert resp.headers["Location"] == f"/staff/at-risk?level=high&done=owner&flag={flag.id}#flag-{flag.id}"
    stored = (await _read(url, select(RiskFlag).where(RiskFlag.id == flag.id)))[0]
    assert stored.owner_staff_id == agent.id and stored.owner_assigned_at == clock.now()
    notes = await _read(url, select(Notification).where(Notification.recipient_staff_id == agent.id))
    assert [(n.kind, n.customer_id, n.status) for n in notes] == [
        ("at_risk_owner", customer.id, "unread")]
    assert notes[0].message == (
        f"主管{manager.name}指定您负责跟进风险客户：关键客户指派客户（ID {customer.id}），风险高（75分）："
        "表达流失意向1次（“换别家”）。请尽快联系客户。")
    html = await manager.page(owner=str(agent.id), done="owner", flag=str(flag.id))
    row = _row(html, flag.id)
    assert '<span data-at-risk="owner">客服小周</span>' in row
    assert 'data-at-risk="row-notice">已指派负责人，并已通知对方。</p>' in row
    assert 'data-at-risk="notice">已指派负责人，并已通知对方。</p>' in html

    again = await manager.post(path, staff_id=str(agent.id))
    assert again.headers["Location"] == f"/staff/at-risk?done=owner_same&flag={flag.id}#flag-{flag.id}"
    assert len(await _read(url, select(Notification).where(
        Notification.recipient_staff_id == agent.id))) == 1

    cleared = await manager.post(path, staff_id="")
    assert cleared.headers["Location"] == f"/staff/at-risk?done=owner_cleared&flag={flag.id}#flag-{flag.id}"
    stored = (await _read(url, select(RiskFlag).where(RiskFlag.id == flag.id)))[0]
    assert stored.owner_staff_id is None and stored.owner_assigned_at is None

    gone = await _staff(url, clock, "已离职")
    await in_db(url, lambda db: db.execute(update(StaffUser).where(StaffUser.id == gone.id)
                                           .values(disabled_at=clock.now())))
    for staff_id in (str(gone.id), "99999999", "abc"):
        refused = await manager.post(path, staff_id=staff_id)
        assert refused.status == 400
        assert error_of(await refused.text()) == "所选员工不存在或已停用，没有做任何改动。请刷新页面后重新选择。"
    stored = (await _read(url, select(RiskFlag).where(RiskFlag.id == flag.id)))[0]
    assert stored.owner_staff_id is None


async def _task_token(manager: Manager, flag: RiskFlag, **params: str) -> str:
    return TOKEN_INPUT.search(_row(await manager.page(**params), flag.id)).group(1)


async def test_winback_task_is_started_once_under_a_double_submit(
        manager: Manager, database: TestDatabase, clock: FixedClock) -> None:
    url = database.url
    customer = await _customer(url, clock, "挽回客户", tier="ordinary")
    flag = await _flag(url, clock, customer, 55, "medium", ["30天内投诉3次"])
    token = await _task_token(manager, flag, tier="ordinary", reason="repeated_complaints")
    path = f"/staff/at-risk/{flag.id}/winback"

    first, second = await asyncio.gather(*(manager.post(path, task_token=token) for _ in range(2)))
    assert first.status == second.status == 303
    assert first.headers["Location"] == f"/staff/at-risk?done=task&flag={flag.id}#flag-{flag.id}"
    attempts = await _read(url, select(WinBackAttempt).where(
        WinBackAttempt.customer_id == customer.id))
    assert len(attempts) == 1
    task = attempts[0]
    assert (task.trigger, task.action, task.tier_used, task.bad_faith_used, task.outcome) == (
        "manager", "task", "ordinary", False, None)
    assert task.idempotency_key == f"winback:manager:{flag.id}:{token}"
    assert task.offer == {"kind": "task", "title": "专人挽回任务", "flag_id": flag.id,
                          "owner_staff_id": manager.staff_id, "owner_name": manager.name,
                          "started_by_staff_id": manager.staff_id, "started_by": manager.name}
    notes = await _read(url, select(Notification).where(Notification.customer_id == customer.id))
    assert [(n.id, n.kind, n.recipient_staff_id) for n in notes] == [
        (task.notification_id, "winback_task", manager.staff_id)]
    assert notes[0].message == (
        f"主管{manager.name}发起了挽回任务，请您联系风险客户：普通客户挽回客户（ID {customer.id}），"
        "风险中（55分）：30天内投诉3次。联系后请把结果告诉主管。")
    stored = (await _read(url, select(RiskFlag).where(RiskFlag.id == flag.id)))[0]
    assert stored.owner_staff_id == manager.staff_id and stored.owner_assigned_at == clock.now()

    agent = await _staff(url, clock, "客服小吴")
    await manager.post(f"/staff/at-risk/{flag.id}/owner", staff_id=str(agent.id))
    html = await manager.page(owner=str(agent.id))
    later = TOKEN_INPUT.search(_row(html, flag.id)).group(1)
    assert later != token
    assert (await manager.post(path, task_token=later)).status == 303
    attempts = await _read(url, select(WinBackAttempt).where(
        WinBackAttempt.customer_id == customer.id).order_by(WinBackAttempt.id))
    assert len(attempts) == 2 and attempts[1].offer["owner_name"] == "客服小吴"
    assert attempts[1].offer["started_by"] == manager.name
    kinds = await _read(url, select(Notification.kind).where(
        Notification.recipient_staff_id == agent.id).order_by(Notification.id))
    assert kinds == ["at_risk_owner", "winback_task"]

    stale = await manager.post(path, task_token="")
    assert stale.status == 400
    assert error_of(await stale.text()) == "表单已过期（缺少任务编号），没有发起任务。请刷新页面后重试。"
    assert await in_db(url, lambda db: db.scalar(select(func.count(WinBackAttempt.id)).where(
        WinBackAttempt.customer_id == customer.id)), commit=False) == 2


async def test_unknown_and_resolved_flags_change_nothing(
        manager: Manager, database: TestDatabase, clock: FixedClock) -> None:
    url = database.url
    agent = await _staff(url, clock, "客服小郑")
    for path in ("/staff/at-risk/99999999/owner", "/staff/at-risk/99999999/winback",
                 "/staff/at-risk/abc/owner", "/staff/at-risk/0/winback"):
        resp = await manager.post(path, staff_id=str(agent.id), task_token="T" * 22)
        assert resp.status == 404, path
        assert error_of(await resp.text()) == "没有这条风险标记（可能编号有误），没有做任何改动。"

    customer = await _customer(url, clock, "已解除客户")
    flag = await _flag(url, clock, customer, 50, "medium", ["30天内投诉1次"], status="resolved")
    for action, form in (("owner", {"staff_id": str(agent.id)}),
                         ("winback", {"task_token": "R" * 22})):
        resp = await manager.post(f"/staff/at-risk/{flag.id}/{action}", **form)
        assert resp.status == 409
        assert error_of(await resp.text()) == "这条风险标记已经解除，客户已不在风险名单上；没有做任何改动。"
    stored = (await _read(url, select(RiskFlag).where(RiskFlag.id == flag.id)))[0]
    assert stored.owner_staff_id is None
    assert await _read(url, select(WinBackAttempt).where(
        WinBackAttempt.customer_id == customer.id)) == []
    assert await _read(url, select(Notification).where(
        Notification.customer_id == customer.id)) == []


async def test_csrf_missing_is_refused(manager: Manager, database: TestDatabase,
                                       clock: FixedClock) -> None:
    url = database.url
    customer = await _customer(url, clock, "防伪客户")
    flag = await _flag(url, clock, customer, 50, "medium", ["30天内投诉1次"])
    for action, form in (("owner", {"staff_id": str(manager.staff_id)}),
                         ("winback", {"task_token": "C" * 22})):
        async with manager.web.post(f"/staff/at-risk/{flag.id}/{action}", data=form,
                                    allow_redirects=False) as resp:
            assert resp.status == 403
        async with manager.web.post(f"/staff/at-risk/{flag.id}/{action}",
                                    data={**form, "csrf_token": "wrong"},
                                    allow_redirects=False) as resp:
            assert resp.status == 403
    stored = (await _read(url, select(RiskFlag).where(RiskFlag.id == flag.id)))[0]
    assert stored.owner_staff_id is None
    assert await _read(url, select(WinBackAttempt).where(
        WinBackAttempt.customer_id == customer.id)) == []


async def test_agents_are_refused_and_strangers_sent_to_login(
        client: TestClient, database: TestDatabase, clock: FixedClock) -> None:
    url = database.url
    customer = await _customer(url, clock, "权限客户")
    flag = await _flag(url, clock, customer, 50, "medium", ["30天内投诉1次"])
    origin = client.make_url("/").origin()
    async with browser(origin) as stranger:
        async with stranger.get("/staff/at-risk?level=high", allow_redirects=False) as resp:
            assert resp.status == 302
            assert resp.headers["Location"].startswith("/staff/login?next=/staff/at-risk")
        async with stranger.get("/staff/at-risk/export?format=csv",
                                allow_redirects=False) as resp:
            assert resp.status == 302
    username = await add_staff(url, clock, role="agent")
    async with browser(origin) as agent:
        await logged_in(agent, username)
        csrf = await session_csrf(agent)
        for path in ("/staff/at-risk", "/staff/at-risk/export?format=xlsx"):
            async with agent.get(path, allow_redirects=False) as resp:
                assert resp.status == 403, path
                assert "需要主管账号" in await resp.text()
        for action in ("owner", "winback"):
            async with agent.post(f"/staff/at-risk/{flag.id}/{action}",
                                  data={"csrf_token": csrf, "staff_id": "", "task_token": "A" * 22},
                                  allow_redirects=False) as resp:
                assert resp.status == 403
    assert await _read(url, select(WinBackAttempt).where(
        WinBackAttempt.customer_id == customer.id)) == []


def _xlsx_rows(body: bytes) -> List[List[str]]:
    """The cell texts of the sheet, row by row (inline strings and numbers)."""
    sheet = zipfile.ZipFile(io.BytesIO(body)).read("xl/worksheets/sheet1.xml").decode()
    rows = []
    for row in re.findall(r"<row [^>]*>(.*?)</row>", sheet):
        rows.append([re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<c [^>]*>(.*?)</c>", row)])
    return rows


async def test_export_rows_match_the_filter(manager: Manager, database: TestDatabase,
                                            clock: FixedClock) -> None:
    url = database.url
    now = clock.now()
    owner = await _staff(url, clock, "导出负责人")
    a = await _customer(url, clock, "导出甲", tier="key")
    b = await _customer(url, clock, "导出乙", tier="small")
    c = await _customer(url, clock, "导出丙", tier="key")
    numbers = [_number() for _ in range(7)]
    await _add(url, *(_complaint(a, n, "open", now - timedelta(days=i + 1))
                      for i, n in enumerate(numbers)),
               WinBackAttempt(customer_id=a.id, trigger="churn_language", tier_used="key",
                              action="handoff_and_alert", idempotency_key=f"winback:{uuid.uuid4()}",
                              created_at=now - timedelta(days=3)))
    await _flag(url, clock, a, 80, "high", ["30天内投诉7次", "满意度1分"], owner=owner.id)
    await _flag(url, clock, b, 72, "high", ["表达流失意向1次"], owner=owner.id)
    await _flag(url, clock, c, 41, "medium", ["30天内投诉2次"], owner=owner.id)

    params = {"owner": str(owner.id), "reason": "complaint", "page": "1"}
    async with manager.web.get("/staff/at-risk/export", params={"format": "csv", **params}) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert "filename*=UTF-8''%E9%A3%8E%E9%99%A9%E5%AE%A2%E6%88%B7_20261123.csv" in \
            resp.headers["Content-Disposition"]
        body = await resp.read()
    assert body.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(body[3:].decode("utf-8"))))
    assert table[0] == ["客户ID", "客户", "客户等级", "风险等级", "风险分", "风险原因", "原因类别",
                        "最近联系", "最近联系方式", "距今天数", "未结投诉数", "未结投诉单号",
                        "挽回次数", "最近一次挽回", "负责人", "风险标记时间", "最近评估时间"]
    assert table[1:] == [
        [str(a.id), "导出甲", "关键客户", "高", "80", "30天内投诉7次；满意度1分", "满意度低、多次投诉、投诉", "2026-11-22 15:00", "投诉", "1", "7",
         " ".join(numbers), "1", "2026-11-20 15:00 客户表达流失意向 转人工并通知负责人 按关键客户（进行中）",
         "导出负责人", "2026-11-20 15:00", "2026-11-22 15:00"],
        [str(c.id), "导出丙", "关键客户", "中", "41", "30天内投诉2次", "投诉", "", "", "", "0", "",
         "0", "", "导出负责人", "2026-11-20 15:00", "2026-11-22 15:00"],
    ]

    async with manager.web.get("/staff/at-risk/export",
                               params={"format": "xlsx", "owner": str(owner.id),
                                       "level": "high"}) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        rows = _xlsx_rows(await resp.read())
    assert [r[:5] for r in rows[1:]] == [[str(a.id), "导出甲", "关键客户", "高", "80"],
                                         [str(b.id), "导出乙", "小客户", "高", "72"]]

    async with manager.web.get("/staff/at-risk/export", params={"format": "pdf"}) as resp:
        assert resp.status == 400


async def test_export_holds_the_riskiest_up_to_its_cap(manager: Manager, database: TestDatabase,
                                                       clock: FixedClock, monkeypatch) -> None:
    monkeypatch.setattr(rules, "EXPORT_LIMIT", 2)
    url = database.url
    owner = await _staff(url, clock, "封顶负责人")
    people = [await _customer(url, clock, name) for name in ("封顶甲", "封顶乙", "封顶丙")]
    for person, score in zip(people, (70, 90, 80)):
        await _flag(url, clock, person, score, "high", ["30天内投诉1次"], owner=owner.id)
    html = await manager.page(owner=str(owner.id))
    assert "当前筛选共 3 位，导出只含风险最高的 2 位" in html
    async with manager.web.get("/staff/at-risk/export",
                               params={"format": "csv", "owner": str(owner.id)}) as resp:
        table = list(csv.reader(io.StringIO((await resp.read())[3:].decode("utf-8"))))
    assert [row[1] for row in table[1:]] == ["封顶乙", "封顶丙"]
    assert "当前筛选共" not in await manager.page(owner=str(owner.id), level="high", tier="small")
