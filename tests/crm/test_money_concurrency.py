"""Money under concurrent requests to the live server, on both databases: a remedy is carried
out once, one order is never refunded beyond what was paid, and points are never spent twice
(issue 10, item 1)."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import List, Tuple

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from crm_backend.core.db import create_engine
from crm_backend.core.models import Coupon, Order, PointsEntry, Refund

from .complaint_support import (complaint_body, count, database, key,  # noqa: F401 (own database)
                                make_customer)
from .databases import TestDatabase

CONCURRENT_ACCEPTS = 12


CONCURRENT_ACCEPTS_PER_COMPLAINT = 4


CONCURRENT_REDEMPTIONS = 20


async def _post(client: TestClient, auth: dict, path: str, body: dict) -> Tuple[int, dict]:
    resp = await client.post(path, json=body, headers=auth)
    return resp.status, await resp.json()


async def _proposed(client: TestClient, auth: dict, customer_id: int, order_no: str,
                    **overrides) -> Tuple[str, dict]:
    """A new complaint about the order with its first remedy offered; (number, remedy)."""
    status, body = await _post(client, auth, "/api/complaints",
                               complaint_body(customer_id, order_no, **overrides))
    assert status == 201, body
    number = body["complaint"]["number"]
    status, proposal = await _post(client, auth, f"/api/complaints/{number}/remedy/propose", {})
    assert status == 200, proposal
    return number, proposal["remedy"]


async def test_one_remedy_accepted_many_times_at_once_is_carried_out_once(
        client: TestClient, auth: dict, database: TestDatabase) -> None:
    customer_id, order_no = await make_customer(database.url)
    number, remedy = await _proposed(client, auth, customer_id, order_no, category="delivery",
                                     severity="low")
    assert remedy["kind"] == "coupon", remedy
    results = await asyncio.gather(*(
        _post(client, auth, f"/api/complaints/{number}/remedy/accept", {"idempotency_key": key()})
        for _ in range(CONCURRENT_ACCEPTS)))
    assert Counter(status for status, _ in results) == Counter(
        {201: 1, 200: CONCURRENT_ACCEPTS - 1}), results
    assert len({body["execution"]["coupon"]["code"] for _, body in results}) == 1
    assert await count(database.url, Coupon, Coupon.customer_id == customer_id) == 1


async def _accept_all_at_once(client: TestClient, auth: dict, numbers: List[str]
                              ) -> List[Tuple[int, dict]]:
    """Every complaint accepted several times, all requests in flight together."""
    return await asyncio.gather(*(
        _post(client, auth, f"/api/complaints/{number}/remedy/accept", {"idempotency_key": key()})
        for number in numbers for _ in range(CONCURRENT_ACCEPTS_PER_COMPLAINT)))


async def _refunded_fen(url: str, order_no: str) -> Tuple[int, int]:
    """(count, sum) of the order's refunds that were not rejected."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            row = (await conn.execute(
                select(func.count(Refund.id), func.coalesce(func.sum(Refund.amount_fen), 0))
                .join(Order, Order.id == Refund.order_id)
                .where(Order.order_no == order_no, Refund.status != "rejected"))).one()
            return int(row[0]), int(row[1])
    finally:
        await engine.dispose()


async def test_full_refunds_of_several_complaints_at_once_refund_the_order_once(
        client: TestClient, auth: dict, database: TestDatabase) -> None:
    customer_id, order_no = await make_customer(database.url)
    numbers = []
    for _ in range(3):
        number, remedy = await _proposed(client, auth, customer_id, order_no, severity="high")
        assert remedy["kind"] == "refund" and remedy["amount_yuan"] == "199.00", remedy
        numbers.append(number)
    results = await _accept_all_at_once(client, auth, numbers)
    statuses = Counter(status for status, _ in results)
    assert statuses[201] == 1, results
    assert set(statuses) <= {200, 201, 409}, results
    refusals = [body for status, body in results if status == 409]
    assert len(refusals) == (len(numbers) - 1) * CONCURRENT_ACCEPTS_PER_COMPLAINT
    assert {body["error"] for body in refusals} == {"order_already_refunded"}
    assert all("人工客服" in body["message"] for body in refusals)
    assert await _refunded_fen(database.url, order_no) == (1, 19900)
    order = await (await client.get(f"/api/orders/{order_no}", headers=auth)).json()
    assert order["status"] == "refunding"
    waiting = [n for n in numbers
               if (await (await client.get(f"/api/complaints/{n}", headers=auth)).json()
                   )["complaint"]["status"] == "remedy_proposed"]
    assert len(waiting) == len(numbers) - 1


async def test_price_difference_and_full_refund_at_once_stay_within_the_total(
        client: TestClient, auth: dict, database: TestDatabase) -> None:
    customer_id, order_no = await make_customer(database.url)
    price, remedy = await _proposed(client, auth, customer_id, order_no, category="price")
    assert remedy["kind"] == "price_difference" and remedy["amount_yuan"] == "19.90", remedy
    full, remedy = await _proposed(client, auth, customer_id, order_no, severity="high")
    assert remedy["kind"] == "refund" and remedy["amount_yuan"] == "199.00", remedy
    results = await _accept_all_at_once(client, auth, [price, full])
    assert Counter(status for status, _ in results)[201] == 1, results
    errors = {body["error"] for status, body in results if status == 409}
    assert errors and errors <= {"order_already_refunded", "refund_exceeds_order"}, results
    refunds, refunded = await _refunded_fen(database.url, order_no)
    assert refunds == 1 and refunded in (1990, 19900)


async def test_refunds_after_a_full_refund_are_refused_and_write_nothing(
        client: TestClient, auth: dict, database: TestDatabase) -> None:
    customer_id, order_no = await make_customer(database.url)
    first, _ = await _proposed(client, auth, customer_id, order_no, severity="high")
    second, _ = await _proposed(client, auth, customer_id, order_no, category="price")
    status, _ = await _post(client, auth, f"/api/complaints/{first}/remedy/accept",
                            {"idempotency_key": key()})
    assert status == 201
    status, refused = await _post(client, auth, f"/api/complaints/{second}/remedy/accept",
                                  {"idempotency_key": key()})
    assert status == 409 and refused["error"] == "order_already_refunded"
    assert "退款" in refused["message"] and "人工客服" in refused["message"]
    assert await count(database.url, Refund,
                       Refund.idempotency_key == f"complaint:{second}:refund") == 0
    complaint = await (await client.get(f"/api/complaints/{second}", headers=auth)).json()
    assert complaint["complaint"]["status"] == "remedy_proposed"
    status, handoff = await _post(client, auth, f"/api/complaints/{second}/remedy/refuse", {})
    assert status == 200 and handoff["complaint"]["status"] == "handed_off"


async def test_a_later_complaint_is_offered_only_what_the_order_has_left(
        client: TestClient, auth: dict, database: TestDatabase) -> None:
    customer_id, order_no = await make_customer(database.url)
    price, _ = await _proposed(client, auth, customer_id, order_no, category="price")
    status, _ = await _post(client, auth, f"/api/complaints/{price}/remedy/accept",
                            {"idempotency_key": key()})
    assert status == 201
    _, remedy = await _proposed(client, auth, customer_id, order_no, severity="high")
    assert remedy["kind"] == "resend", remedy


async def test_cancel_and_full_refund_at_once_refund_the_order_once(
        client: TestClient, auth: dict, database: TestDatabase) -> None:
    customer_id, order_no = await make_customer(database.url, order_status="pending_shipment")
    number, remedy = await _proposed(client, auth, customer_id, order_no, severity="high")
    assert remedy["kind"] == "refund" and remedy["amount_yuan"] == "199.00", remedy
    cancels = (_post(client, auth, f"/api/orders/{order_no}/cancel",
                     {"customer_id": customer_id, "idempotency_key": key("cancel")})
               for _ in range(CONCURRENT_ACCEPTS_PER_COMPLAINT))
    accepts = (_post(client, auth, f"/api/complaints/{number}/remedy/accept",
                     {"idempotency_key": key()}) for _ in range(CONCURRENT_ACCEPTS_PER_COMPLAINT))
    results = await asyncio.gather(*cancels, *accepts)
    assert Counter(status for status, _ in results)[201] == 1, results
    assert {body["error"] for status, body in results if status == 409} <= {
        "cannot_cancel", "refund_exceeds_order"}, results
    assert await _refunded_fen(database.url, order_no) == (1, 19900)


async def test_cancel_after_a_price_difference_refunds_the_rest(
        client: TestClient, auth: dict, database: TestDatabase) -> None:
    customer_id, order_no = await make_customer(database.url, order_status="pending_shipment")
    number, remedy = await _proposed(client, auth, customer_id, order_no, category="price")
    assert remedy["kind"] == "price_difference", remedy
    status, _ = await _post(client, auth, f"/api/complaints/{number}/remedy/accept",
                            {"idempotency_key": key()})
    assert status == 201
    status, cancelled = await _post(client, auth, f"/api/orders/{order_no}/cancel",
                                    {"customer_id": customer_id, "idempotency_key": key()})
    assert status == 201 and cancelled["refund"]["amount_yuan"] == "179.10", cancelled
    assert await _refunded_fen(database.url, order_no) == (2, 19900)


async def test_concurrent_redemptions_never_spend_points_twice(
        client: TestClient, auth: dict, database: TestDatabase) -> None:
    customer_id, _ = await make_customer(database.url, order_status=None)
    status, _ = await _post(client, auth, f"/api/customers/{customer_id}/points/grant",
                            {"points": 1500, "reason": "测试", "source": "test",
                             "idempotency_key": key()})
    assert status == 201
    path = f"/api/customers/{customer_id}/points/redeem"
    results = await asyncio.gather(*(
        _post(client, auth, path, {"reward_id": "coupon-10", "idempotency_key": key("redeem")})
        for _ in range(CONCURRENT_REDEMPTIONS)))
    statuses = Counter(status for status, _ in results)
    assert statuses == Counter({201: 1, 409: CONCURRENT_REDEMPTIONS - 1}), results
    assert {body["error"] for status, body in results if status == 409} == {"insufficient_points"}
    points = await (await client.get(f"/api/customers/{customer_id}/points",
                                     headers=auth)).json()
    assert points["balance"] == 500
    assert await count(database.url, Coupon, Coupon.customer_id == customer_id) == 1
    assert await count(database.url, PointsEntry, PointsEntry.customer_id == customer_id,
                       PointsEntry.delta < 0) == 1
