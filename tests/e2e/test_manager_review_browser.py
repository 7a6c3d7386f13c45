"""A manager reviews complaints in Chromium against the real CRM process on loopback (only the
CRM: a freshly migrated and seeded SQLite database with complaints of this test): log in, filter
the log, open a complaint and see its four steps with who acted, export CSV and find exactly the
filtered rows in the file. An agent is refused the manager's pages."""

import csv
import io
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crm_backend.core.models import Complaint, ComplaintEvent, Customer, StaffUser
from scripts.browser import DESKTOP
from scripts.stack import REPO, VENV_BIN, Process, StackConfig, crm_cli
from tests.e2e.staff_client import PASSWORD

pytestmark = pytest.mark.e2e


# (key, days ago, category, severity, status, current step, words); the log is filtered on 物流.
COMPLAINTS = (
    ("late", 1, "delivery", "high", "awaiting_follow_up", 4, "快递三天都没到，急用！"),
    ("broken", 2, "delivery", "low", "open", 2, "外箱压坏了"),
    ("quality", 3, "product_quality", "medium", "closed", 4, "鞋底开胶了"),
    ("price", 4, "price", "low", "open", 1, "刚买就降价了"),
)


def _write_complaints(url: str) -> Dict[str, str]:
    """The test's complaints (and the "late" one's four steps); their numbers by key."""
    now = datetime.now(timezone.utc)
    numbers = {}
    with Session(create_engine(url)) as db:
        customer = db.execute(select(Customer).order_by(Customer.id)).scalars().first()
        agent_id = db.scalar(select(StaffUser.id).where(StaffUser.username == "xiaomei"))
        for index, (name, days, category, severity, status, step, words) in enumerate(COMPLAINTS):
            at = now - timedelta(days=days)
            complaint = Complaint(
                number=f"TS99{uuid.uuid4().int % 10**10:010d}", customer_id=customer.id,
                customer_tier=customer.tier, category=category, severity=severity,
                customer_words=words, status=status, current_step=step, channel="web",
                conversation_id=f"e2e-{name}", created_at=at, updated_at=at)
            db.add(complaint)
            db.flush()
            numbers[name] = complaint.number
        late = db.execute(select(Complaint).where(Complaint.number == numbers["late"])).scalar_one()
        start = late.created_at
        for minutes, step, actor, staff_id, note in (
                (0, 1, "customer", None, "客户陈述1条：快递三天都没到，急用！"),
                (1, 2, "bot", None, "登记投诉：物流延误/破损，非常严重"),
                (2, 3, "bot", None, "提出方案：补偿优惠券"),
                (30, 3, "agent", agent_id, "人工客服客服小美提出方案：补偿积分"),
                (60 * 24, 4, "system", None, "已发起回访，询问方案是否落实及满意度")):
            db.add(ComplaintEvent(complaint_id=late.id, step=step, actor=actor, staff_id=staff_id,
                                  note=note, occurred_at=start + timedelta(minutes=minutes)))
        db.commit()
    return numbers


@pytest.fixture(scope="module")
def crm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackConfig]:
    """The CRM alone as a real server on a free loopback port, on its own seeded database."""
    work_dir = tmp_path_factory.mktemp("manager-review")
    database = work_dir / "crm.sqlite3"
    config = StackConfig.for_tests(work_dir, Path("no-model"), f"sqlite+aiosqlite:///{database}")
    crm_cli(config, "migrate")
    crm_cli(config, "seed")
    process = Process("crm", [str(VENV_BIN / "python"), "-m", "crm_backend", "serve"],
                      f"{config.crm_url}/health", config.log_dir / "crm.log",
                      listen=(config.host, config.crm_port))
    process.start(REPO, config.env())
    try:
        process.wait_ready(60)
        yield config
    finally:
        process.terminate()
        process.wait_or_kill(10)
        process.close_socket()


@pytest.fixture(scope="module")
def numbers(crm: StackConfig) -> Dict[str, str]:
    return _write_complaints(f"sqlite:///{crm.crm_database_url.split(':///', 1)[1]}")


def log_in(browser: Browser, crm: StackConfig, username: str) -> Page:
    page = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True).new_page()
    page.goto(f"{crm.crm_url}/staff/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator('[data-staff="who"]')).to_be_visible()
    return page


def test_a_manager_filters_opens_a_complaint_and_exports_the_filtered_log(
        crm: StackConfig, numbers: Dict[str, str], browser: Browser) -> None:
    page = log_in(browser, crm, "chenjl")
    page.click("nav.staff >> text=投诉记录")
    expect(page.locator('[data-log="rows"] tr[data-number]')).to_have_count(len(COMPLAINTS))

    page.select_option("#f-category", "delivery")
    page.click('[data-log="search"]')
    rows = page.locator('[data-log="rows"] tr[data-number]')
    expect(rows).to_have_count(2)
    assert [rows.nth(i).get_attribute("data-number") for i in range(2)] == [
        numbers["late"], numbers["broken"]]
    expect(page.locator('[data-log="total"]')).to_contain_text("共 2 条")
    expect(page.locator("#f-category")).to_have_value("delivery")

    with page.expect_download() as info:
        page.click('[data-log="export-csv"]')
    download = info.value
    assert download.suggested_filename.startswith("投诉记录_") and \
        download.suggested_filename.endswith(".csv")
    body = Path(download.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    table: List[List[str]] = list(csv.reader(io.StringIO(body[3:].decode(), newline="")))
    assert table[0][:3] == ["投诉单号", "登记时间（北京时间）", "客户编号"]
    assert [row[0] for row in table[1:]] == [numbers["late"], numbers["broken"]]
    assert {row[7] for row in table[1:]} == {"物流延误/破损"}

    page.click(f"text={numbers['late']}")
    expect(page.locator('[data-complaint="number"]')).to_have_text(f"投诉 {numbers['late']}")
    steps = page.locator("[data-step]")
    expect(steps).to_have_count(4)
    expect(steps.nth(0)).to_contain_text("客户陈述1条：快递三天都没到，急用！")
    expect(steps.nth(0).locator('[data-actor="customer"]')).to_contain_text("客户")
    expect(steps.nth(1).locator('[data-actor="bot"]')).to_contain_text("机器人")
    expect(steps.nth(2).locator('[data-actor="agent"]')).to_contain_text("人工客服（客服小美）")
    expect(steps.nth(3).locator('[data-actor="system"]')).to_contain_text("系统")
    for index in range(4):
        expect(steps.nth(index)).to_have_class("reached" if index < 3 else "reached current")
    expect(page.locator('[data-complaint="words"]')).to_contain_text("快递三天都没到，急用！")


def test_an_agent_is_refused_the_managers_pages(crm: StackConfig, numbers: Dict[str, str],
                                                browser: Browser) -> None:
    page = log_in(browser, crm, "xiaomei")
    expect(page.locator("nav.staff >> text=投诉记录")).to_have_count(0)
    for path in ("/staff/complaints", f"/staff/complaints/{numbers['late']}",
                 "/staff/complaints/export?format=csv"):
        response = page.goto(f"{crm.crm_url}{path}")
        assert response is not None and response.status == 403, path
        expect(page.locator('[data-staff="error"]')).to_contain_text("需要主管账号")
        expect(page.locator("body")).not_to_contain_text(numbers["late"])
