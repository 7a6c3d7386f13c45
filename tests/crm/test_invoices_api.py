"""E-invoices against a live server on both databases: the seeded invoices, a send once per key
within the daily limit, a re-issue with a checked 统一社会信用代码 once per key within the
policy (the version before voided), and clear refusals that write nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from crm_backend.core.db import create_engine, create_sessionmaker
from crm_backend.core.models import Invoice, InvoiceSend, InvoiceVersion, Order
from crm_backend.invoices.rules import (email_problem, invoice_number, tax_no_problem,
                                        uscc_check_char)

from .after_sales_support import (NOW, at_once, count, database, get, key,  # noqa: F401
                                  make_order, make_product, post, statuses)

COMPANY_17 = "91310115MA1K4LPW3"
COMPANY = COMPANY_17 + uscc_check_char(COMPANY_17)


def test_tax_numbers_are_checked_like_the_authorities_do() -> None:
    assert tax_no_problem("91350100M000100Y43") is None  # a published example code
    assert tax_no_problem(COMPANY) is None and tax_no_problem(COMPANY.lower()) is None
    wrong = COMPANY[:17] + ("0" if COMPANY[17] != "0" else "1")
    assert "校验位" in tax_no_problem(wrong)
    assert "18 位" in tax_no_problem("9131011")
    assert "不含 I、O" in tax_no_problem("91310115MA1K4LPWIO")
    assert email_problem("a.b@example.com") is None and email_problem("a@b") is not None
    assert len(invoice_number(12, 3, NOW)) == 20


async def _invoiced_order(url: str, status: str = "issued", issued_days_ago: float = 2,
                          reissues: int = 0) -> tuple:
    """A delivered order with an issued personal invoice sent to an address."""
    sku = await make_product(url, "数码电子", 50000)
    customer_id, order_no = await make_order(url, [(sku, 1, 50000)], delivered_days_ago=3)
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as db:
            order = await db.scalar(select(Order).where(Order.order_no == order_no))
            issued = NOW - timedelta(days=issued_days_ago)
            number = invoice_number(order.id, 1, issued)
            db.add(Invoice(order_id=order.id, customer_id=customer_id, kind="personal",
                           title="测试客户", status=status, number=number, version=1,
                           reissues=reissues, amount_fen=50000, email="old@example.com",
                           first_issued_at=issued, issued_at=issued, sent_at=issued,
                           created_at=issued, updated_at=issued,
                           versions=[InvoiceVersion(version=1, number=number, kind="personal",
                                                    title="测试客户", reason="签收后自动开具",
                                                    issued_at=issued)]))
            await db.commit()
    finally:
        await engine.dispose()
    return customer_id, order_no


async def _rows(url: str, model, order_no: str) -> int:
    return await count(url, model, model.invoice_id.in_(
        select(Invoice.id).join(Order).where(Order.order_no == order_no)))


async def test_seeded_invoices(client, auth, database) -> None:
    status, body = await get(client, auth, "/api/invoices?customer_id=67")
    assert status == 200
    kinds = {i["order_no"]: i for i in body["invoices"]}
    company = [i for i in kinds.values() if i["kind"] == "company"]
    assert len(company) == 1 and tax_no_problem(company[0]["tax_no"]) is None
    assert {i["status"] for i in kinds.values()} == {"issued", "pending"}
    issued = next(i for i in kinds.values() if i["status"] == "issued")
    assert issued["email_masked"] == "su***@example.com" and len(issued["number"]) == 20
    status, one = await get(client, auth,
                            f"/api/invoices/{issued['order_no']}?customer_id=67")
    assert status == 200 and one["versions"][0]["version"] == 1
    status, body = await get(client, auth, "/api/invoices?customer_id=1")
    assert any(i["status"] == "voided" for i in body["invoices"])


async def test_a_send_is_made_once_per_key_within_the_daily_limit(client, auth,
                                                                  database) -> None:
    customer_id, order_no = await _invoiced_order(database.url)
    path = f"/api/invoices/{order_no}/send"
    body = {"customer_id": customer_id, "email": "new.mail@example.com", "idempotency_key": key()}
    status, first = await post(client, auth, path, body)
    assert status == 201 and first["sent_to"] == "ne***@example.com"
    assert first["invoice"]["email_masked"] == "ne***@example.com"
    status, again = await post(client, auth, path, body)
    assert status == 200
    results = await at_once(client, auth, path, [
        {**body, "idempotency_key": key()} for _ in range(8)])
    assert statuses(results) == {201: 4, 409: 4}, results
    assert all(b["error"] == "too_many_sends" for s, b in results if s == 409)
    assert await _rows(database.url, InvoiceSend, order_no) == 5
    status, bad = await post(client, auth, path, {**body, "email": "nope", "idempotency_key": key()})
    assert status == 400 and bad["field"] == "email"


async def test_a_reissue_voids_the_invoice_before_once(client, auth, database) -> None:
    customer_id, order_no = await _invoiced_order(database.url)
    path = f"/api/invoices/{order_no}/reissue"
    body = {"customer_id": customer_id, "kind": "company", "title": "上海某某科技有限公司",
            "tax_no": COMPANY.lower(), "idempotency_key": key()}
    status, first = await post(client, auth, path, body)
    assert status == 201, first
    invoice = first["invoice"]
    assert (invoice["kind"], invoice["tax_no"], invoice["version"]) == ("company", COMPANY, 2)
    assert invoice["reissues"] == 1 and invoice["reissues_left"] == 1
    assert invoice["versions"][0]["voided_at"] and invoice["versions"][1]["voided_at"] is None
    assert invoice["number"] != invoice["versions"][0]["number"]
    status, again = await post(client, auth, path, body)
    assert status == 200 and again["invoice"]["version"] == 2
    status, same = await post(client, auth, path, {**body, "idempotency_key": key()})
    assert status == 409 and same["error"] == "no_change"
    assert await _rows(database.url, InvoiceVersion, order_no) == 2
    assert await _rows(database.url, InvoiceSend, order_no) == 1


async def test_different_changes_at_once_each_void_the_one_before(client, auth,
                                                                    database) -> None:
    customer_id, order_no = await _invoiced_order(database.url)
    bodies = [{"customer_id": customer_id, "kind": "personal", "title": title,
               "idempotency_key": key()} for title in ("李四", "王五", "赵六")]
    results = await at_once(client, auth, f"/api/invoices/{order_no}/reissue", bodies)
    assert statuses(results) == {201: 2, 409: 1}, results
    status, invoice = await get(client, auth, f"/api/invoices/{order_no}?customer_id={customer_id}")
    assert invoice["version"] == 3 and invoice["reissues"] == 2
    assert [v["voided_at"] is None for v in invoice["versions"]] == [False, False, True]


async def test_reissues_at_once_make_one_version(client, auth, database) -> None:
    customer_id, order_no = await _invoiced_order(database.url)
    shared = key()
    bodies = [{"customer_id": customer_id, "kind": "personal", "title": "李四",
               "idempotency_key": shared if i % 2 else key()} for i in range(10)]
    results = await at_once(client, auth, f"/api/invoices/{order_no}/reissue", bodies)
    assert statuses(results)[201] == 1 and set(statuses(results)) <= {200, 201, 409}, results
    assert all(b["error"] == "no_change" for s, b in results if s == 409)
    assert await _rows(database.url, InvoiceVersion, order_no) == 2


@pytest.mark.parametrize("change, field, words", [
    ({"kind": "company", "title": "上海某某科技有限公司"}, "tax_no", "需要填写税号"),
    ({"kind": "company", "title": "上海某某科技有限公司", "tax_no": "12345"}, "tax_no", "18 位"),
    ({"kind": "company", "title": "上海某某科技有限公司", "tax_no": COMPANY[:17] + "Y"
      if COMPANY[17] != "Y" else COMPANY[:17] + "0"}, "tax_no", "校验位"),
    ({"kind": "personal", "title": "李"}, "title", "抬头"),
    ({"kind": "state", "title": "李四"}, "kind", "kind"),
    ({"kind": "personal", "title": "李四", "email": "x@"}, "email", "邮箱"),
])
async def test_bad_details_are_400_and_change_nothing(client, auth, database, change: dict,
                                                     field: str, words: str) -> None:
    customer_id, order_no = await _invoiced_order(database.url)
    status, body = await post(client, auth, f"/api/invoices/{order_no}/reissue",
                              {"customer_id": customer_id, "idempotency_key": key(), **change})
    assert status == 400 and body["field"] == field and words in body["message"], body
    assert await _rows(database.url, InvoiceVersion, order_no) == 1


async def test_the_policy_limits_reissues(client, auth, database) -> None:
    cases = [(await _invoiced_order(database.url, reissues=2), "too_many_reissues", "最多"),
             (await _invoiced_order(database.url, issued_days_ago=200), "change_window_passed",
              "180 天"),
             (await _invoiced_order(database.url, status="voided"), "invoice_voided", "作废"),
             (await _invoiced_order(database.url, status="pending"), "invoice_not_issued",
              "还没有开出")]
    for (customer_id, order_no), code, words in cases:
        status, body = await post(client, auth, f"/api/invoices/{order_no}/reissue", {
            "customer_id": customer_id, "kind": "personal", "title": "王五",
            "idempotency_key": key()})
        assert status == 409 and body["error"] == code and words in body["message"], body
        assert await _rows(database.url, InvoiceVersion, order_no) == 1


async def test_unknown_orders_and_orders_without_invoice_are_404(client, auth,
                                                                 database) -> None:
    customer_id, order_no = await _invoiced_order(database.url)
    sku = await make_product(database.url)
    bare_customer, bare = await make_order(database.url, [(sku, 1, 100000)])
    for path, body in ((f"/api/invoices/{bare}/send", {"customer_id": bare_customer}),
                       (f"/api/invoices/{order_no}/send", {"customer_id": bare_customer}),
                       ("/api/invoices/KF000000000000/send", {"customer_id": customer_id})):
        status, answer = await post(client, auth, path, {**body, "email": "a@example.com",
                                                         "idempotency_key": key()})
        assert status == 404 and answer["message"]
    status, answer = await get(client, auth, f"/api/invoices/{bare}?customer_id={bare_customer}")
    assert status == 404 and answer["error"] == "invoice_not_found" and "没有开具发票" in answer["message"]
    status, _ = await get(client, auth, "/api/invoices")
    assert status == 400
    assert await _rows(database.url, InvoiceSend, order_no) == 0
