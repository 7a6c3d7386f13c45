"""After-sales requests against a live server on both databases: the seeded progress with steps
and the next thing to do, a request made once, each step once and in order (a return's refund
once), and clear refusals that write nothing."""

from __future__ import annotations

from sqlalchemy import select

from crm_backend.aftersales.rules import next_statuses, transition_refusal
from crm_backend.core.models import AfterSalesRequest, AfterSalesStep, Order, Refund

from .after_sales_support import (at_once, count, database, get, key,  # noqa: F401
                                  make_order, make_product, post, statuses)


async def _requests_of(url: str, order_no: str) -> int:
    return await count(url, AfterSalesRequest, AfterSalesRequest.order_id.in_(
        select(Order.id).where(Order.order_no == order_no)))


def test_which_step_may_follow_which() -> None:
    assert next_statuses("return", "received") == ("refunding",)
    assert next_statuses("repair", "received") == ("repairing",)
    assert next_statuses("exchange", "awaiting_return") == ("sent_back", "received")
    assert transition_refusal("return", "submitted", "approved") is None
    assert "下一步只能是" in transition_refusal("return", "submitted", "refunding")
    assert "不能再变更" in transition_refusal("return", "rejected", "approved")


async def test_seeded_progress_shows_steps_and_the_next_thing_to_do(client, auth,
                                                                     database) -> None:
    status, body = await get(client, auth, "/api/after-sales?customer_id=2")
    assert status == 200
    by_status = {r["status"]: r for r in body["requests"]}
    assert set(by_status) == {"refunding", "rejected", "submitted"}
    refunding = by_status["refunding"]
    assert [s["label"] for s in refunding["steps"]] == [
        "已提交", "审核通过", "待寄回", "已寄回", "商家已收货", "退款中"]
    assert refunding["steps"][0]["at"] < refunding["steps"][-1]["at"]
    assert f"¥{refunding['refund_yuan']}" in refunding["next_step"]
    rejected = by_status["rejected"]
    assert rejected["reject_reason"] and rejected["reject_reason"] in rejected["next_step"]
    assert rejected["item_name"] == "纯棉四件套 1.8m床" and not rejected["open"]
    assert "24 小时内审核" in by_status["submitted"]["next_step"]
    status, body = await get(client, auth, "/api/after-sales?customer_id=67&open=true")
    (exchange,) = [r for r in body["requests"] if r["kind"] == "exchange"]
    assert exchange["status_label"] == "待寄回" and "文一西路1500号" in exchange["next_step"]
    assert "预约上门取件" in exchange["next_step"]
    assert all(r["open"] for r in body["requests"])
    status, one = await get(client, auth,
                            f"/api/after-sales/{exchange['number']}?customer_id=67")
    assert status == 200 and one["number"] == exchange["number"]
    status, _ = await get(client, auth, f"/api/after-sales/{exchange['number']}?customer_id=2")
    assert status == 404


async def test_a_request_is_made_once(client, auth, database) -> None:
    sku = await make_product(database.url, "家居家电", 30000)
    customer_id, order_no = await make_order(database.url, [(sku, 1, 30000)],
                                             delivered_days_ago=2)
    body = {"customer_id": customer_id, "order_no": order_no, "kind": "return",
            "reason": "不想要了", "idempotency_key": key()}
    status, made = await post(client, auth, "/api/after-sales", body)
    assert status == 201 and made["number"].startswith("SH") and made["status"] == "submitted"
    assert made["refund_yuan"] == "300.00" and [s["status"] for s in made["steps"]] == [
        "submitted"]
    status, again = await post(client, auth, "/api/after-sales", body)
    assert status == 200 and again["number"] == made["number"]
    status, refused = await post(client, auth, "/api/after-sales",
                                 {**body, "idempotency_key": key()})
    assert status == 409 and refused["error"] == "already_open"
    assert made["number"] in refused["message"]
    assert await _requests_of(database.url, order_no) == 1


async def test_requests_at_once_make_one(client, auth, database) -> None:
    sku = await make_product(database.url, "数码电子", 30000)
    customer_id, order_no = await make_order(database.url, [(sku, 1, 30000)],
                                             delivered_days_ago=1)
    shared = key()
    bodies = [{"customer_id": customer_id, "order_no": order_no, "kind": "repair",
               "reason": "屏幕闪烁", "idempotency_key": shared if i % 2 else key()}
              for i in range(10)]
    results = await at_once(client, auth, "/api/after-sales", bodies)
    assert statuses(results)[201] == 1 and set(statuses(results)) <= {200, 201, 409}, results
    assert len({b["number"] for s, b in results if s in (200, 201)}) == 1
    assert await _requests_of(database.url, order_no) == 1


async def test_refused_requests_write_nothing(client, auth, database) -> None:
    sku = await make_product(database.url, "服装", 30000)
    shipped = await make_order(database.url, [(sku, 1, 30000)], status="shipped")
    late = await make_order(database.url, [(sku, 1, 30000)], paid_days_ago=20,
                            delivered_days_ago=10)
    other, _ = await make_order(database.url, [(sku, 1, 30000)])
    cases = [
        (shipped, "return", 409, "签收后"),
        (late, "return", 409, "7 天内"),
        ((other, late[1]), "repair", 404, "订单不存在"),
        ((late[0], "KF000000000000"), "repair", 404, "订单不存在"),
        (late, "refund", 400, "kind"),
    ]
    for (customer_id, order_no), kind, expected, words in cases:
        status, body = await post(client, auth, "/api/after-sales", {
            "customer_id": customer_id, "order_no": order_no, "kind": kind,
            "reason": "质量问题", "idempotency_key": key()})
        assert status == expected and words in body["message"], body
    status, body = await post(client, auth, "/api/after-sales", {
        "customer_id": late[0], "order_no": late[1], "kind": "repair",
        "idempotency_key": key()})
    assert status == 400 and body["field"] == "reason"
    for _, order_no in (shipped, late):
        assert await _requests_of(database.url, order_no) == 0
    status, _ = await get(client, auth, "/api/after-sales")
    assert status == 400


async def _new(client, auth, database, kind: str = "return") -> tuple:
    sku = await make_product(database.url, "家居家电", 40000)
    customer_id, order_no = await make_order(database.url, [(sku, 1, 40000)],
                                             delivered_days_ago=1)
    status, made = await post(client, auth, "/api/after-sales", {
        "customer_id": customer_id, "order_no": order_no, "kind": kind,
        "reason": "有划痕", "idempotency_key": key()})
    assert status == 201
    return order_no, made["number"]


async def _step(client, auth, number: str, status: str, **extra) -> tuple:
    return await post(client, auth, f"/api/after-sales/{number}/steps",
                      {"status": status, "idempotency_key": key(), **extra})


async def test_steps_follow_in_order_and_a_return_refunds_once(client, auth, database) -> None:
    order_no, number = await _new(client, auth, database)
    status, body = await _step(client, auth, number, "refunding")
    assert status == 409 and "下一步只能是" in body["message"]
    approve = {"status": "approved", "idempotency_key": key()}
    status, body = await post(client, auth, f"/api/after-sales/{number}/steps", approve)
    assert status == 201 and body["status_label"] == "审核通过"
    status, body = await post(client, auth, f"/api/after-sales/{number}/steps", approve)
    assert status == 200 and len(body["steps"]) == 2
    for step, extra in (("awaiting_return", {}), ("sent_back", {"tracking_no": "SF100200300"}),
                        ("received", {})):
        status, body = await _step(client, auth, number, step, **extra)
        assert status == 201, body
    assert body["return_tracking_no"] == "SF100200300"
    results = await at_once(client, auth, f"/api/after-sales/{number}/steps", [
        {"status": "refunding", "idempotency_key": key()} for _ in range(8)])
    assert statuses(results) == {201: 1, 200: 7}, results
    refunds = await count(database.url, Refund, Refund.order_id.in_(
        select(Order.id).where(Order.order_no == order_no)))
    assert refunds == 1
    assert await count(database.url, AfterSalesStep, AfterSalesStep.request_id.in_(
        select(AfterSalesRequest.id).where(AfterSalesRequest.number == number))) == 6
    status, body = await get(client, auth, f"/api/after-sales/{number}")
    assert body["status"] == "refunding" and "¥400.00" in body["next_step"]


async def test_a_rejection_needs_its_reason_and_ends_the_request(client, auth, database) -> None:
    _, number = await _new(client, auth, database, "exchange")
    status, body = await _step(client, auth, number, "rejected")
    assert status == 400 and body["field"] == "reject_reason"
    status, body = await _step(client, auth, number, "rejected", reject_reason="超出换货期限")
    assert status == 201 and body["reject_reason"] == "超出换货期限"
    assert "超出换货期限" in body["next_step"] and body["steps"][-1]["note"] == "驳回：超出换货期限"
    status, body = await _step(client, auth, number, "approved")
    assert status == 409 and "不能再变更" in body["message"]


async def test_outbound_steps_name_the_parcel_and_bad_steps_are_4xx(client, auth,
                                                                    database) -> None:
    _, number = await _new(client, auth, database, "exchange")
    for step in ("approved", "awaiting_return", "received"):
        assert (await _step(client, auth, number, step))[0] == 201
    status, body = await _step(client, auth, number, "replacement_sent")
    assert status == 400 and body["field"] == "tracking_no"
    status, body = await _step(client, auth, number, "replacement_sent", carrier="顺丰速运",
                               tracking_no="SF900800700")
    assert status == 201 and "SF900800700" in body["next_step"]
    for path, payload, expected in (
            ("/api/after-sales/SH000000000000/steps", {"status": "approved",
                                                       "idempotency_key": key()}, 404),
            (f"/api/after-sales/{number}/steps", {"status": "lost", "idempotency_key": key()},
             400),
            (f"/api/after-sales/{number}/steps", {"status": "completed"}, 400)):
        status, _ = await post(client, auth, path, payload)
        assert status == expected
