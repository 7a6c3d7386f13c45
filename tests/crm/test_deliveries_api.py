"""An order signed for earns its purchase points and updates the tier, once, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_backend.core.config import POLICY_DIR
from crm_backend.core.db import create_engine, create_sessionmaker
from crm_backend.core.models import Order, PointsEntry, Shipment, TrackingEvent
from crm_backend.loyalty.policy import load_rewards_policy
from crm_backend.orders.delivery import delivery_refusal, points_key

from .complaint_support import count, database, make_customer  # noqa: F401 (own database)

REWARDS = load_rewards_policy(POLICY_DIR / "rewards.toml")


@pytest.mark.parametrize("status, allowed", [
    ("shipped", True), ("delivered", True), ("pending_payment", False),
    ("pending_shipment", False), ("cancelled", False), ("refunding", False),
])
def test_only_shipped_orders_can_be_signed_for(status, allowed) -> None:
    refusal = delivery_refusal(status)
    assert (refusal is None) is allowed
    if not allowed:
        assert "已发货" in refusal


async def _delivered(client, auth, order_no: str, body: dict) -> tuple:
    resp = await client.post(f"/api/orders/{order_no}/delivered", json=body, headers=auth)
    return resp.status, await resp.json()


async def _balance(client, auth, customer_id: int) -> int:
    resp = await client.get(f"/api/customers/{customer_id}/points", headers=auth)
    return (await resp.json())["balance"]


async def test_delivery_grants_purchase_points_once(client, auth, database) -> None:
    customer_id, order_no = await make_customer(database.url, order_status="shipped",
                                                total_fen=19950)
    status, first = await _delivered(client, auth, order_no, {})
    assert status == 201, first
    assert first["order"]["status"] == "delivered" and first["order"]["delivered_at"]
    assert first["points"]["delta"] == 199 and order_no in first["points"]["reason"]
    status, again = await _delivered(client, auth, order_no, {"description": "已签收，本人"})
    assert status == 200 and again["points"] == first["points"] and again["tier"] is None
    assert await _balance(client, auth, customer_id) == 199
    assert await count(database.url, PointsEntry,
                       PointsEntry.idempotency_key == points_key(order_no)) == 1


async def test_delivery_updates_the_tier(client, auth, database) -> None:
    customer_id, order_no = await make_customer(database.url, tier="small",
                                                order_status="shipped", total_fen=50000)
    status, body = await _delivered(client, auth, order_no,
                                    {"delivered_at": "2026-11-23T15:00:00+08:00"})
    assert status == 201
    assert (body["tier"]["old_tier"], body["tier"]["tier"], body["tier"]["changed"]) == (
        "small", "ordinary", True)
    upgrade = REWARDS.tier_upgrade_bonus["ordinary"]
    assert await _balance(client, auth, customer_id) == 500 + upgrade
    customer = await (await client.get(f"/api/customers/{customer_id}", headers=auth)).json()
    assert customer["tier"] == "ordinary"


async def _seeded_shipped_order(url: str) -> str:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as db:
            stmt = (select(Order.order_no).join(Shipment).join(TrackingEvent)
                    .where(Order.status == "shipped").order_by(Order.id).limit(1))
            return (await db.execute(stmt)).scalar_one()
    finally:
        await engine.dispose()


async def test_delivery_adds_the_sign_off_scan(client, auth, database) -> None:
    order_no = await _seeded_shipped_order(database.url)
    before = await (await client.get(f"/api/orders/{order_no}", headers=auth)).json()
    last_scan = before["shipment"]["events"][0]
    status, body = await _delivered(client, auth, order_no, {"description": "已签收，签收人：本人"})
    assert status == 201
    newest = body["order"]["shipment"]["events"][0]
    assert (newest["description"], newest["location"]) == ("已签收，签收人：本人",
                                                           last_scan["location"])
    after = await (await client.get(f"/api/orders/{order_no}", headers=auth)).json()
    assert after["status_label"] == "已签收" and after["shipment"]["events"][0] == newest


async def test_unshipped_order_is_refused_and_unchanged(client, auth, database) -> None:
    customer_id, order_no = await make_customer(database.url, order_status="pending_shipment")
    status, body = await _delivered(client, auth, order_no, {})
    assert status == 409 and body["error"] == "order_not_shipped"
    assert "待发货" in body["message"]
    assert await count(database.url, Order, Order.order_no == order_no,
                       Order.status == "pending_shipment") == 1
    assert await _balance(client, auth, customer_id) == 0


async def test_bad_requests_change_nothing(client, auth, database) -> None:
    _customer_id, order_no = await make_customer(database.url, order_status="shipped")
    assert (await _delivered(client, auth, "KF000000000000", {}))[0] == 404
    assert (await _delivered(client, auth, "not-an-order", {}))[0] == 400
    status, body = await _delivered(client, auth, order_no, {"delivered_at": "昨天"})
    assert status == 400 and body["field"] == "delivered_at"
    resp = await client.post(f"/api/orders/{order_no}/delivered", json={})
    assert resp.status == 401
    assert await count(database.url, Order, Order.order_no == order_no,
                       Order.status == "shipped") == 1
