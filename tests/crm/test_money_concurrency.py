"""Money under concurrent requests to the live server, on both databases: a remedy is carried
out once and points are never spent twice (issue 10, item 1)."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Tuple

from aiohttp.test_utils import TestClient

from crm_backend.core.models import Coupon, PointsEntry

from .complaint_support import (complaint_body, count, database, key,  # noqa: F401 (own database)
                                make_customer)
from .databases import TestDatabase

CONCURRENT_ACCEPTS = 12


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
