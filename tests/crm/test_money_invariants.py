"""Seeded random rounds of concurrent remedies, cancellations and redemptions against the live
server on both databases; the money invariants are then read from the database (issue 10,
item 1): no order refunded past its total, no balance below zero, one debit per redemption
coupon, one row per idempotency key."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Tuple

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from crm_backend.core.config import POLICY_DIR
from crm_backend.core.db import create_engine, create_sessionmaker
from crm_backend.core.models import Complaint, Coupon, Order, PointsEntry, Refund
from crm_backend.loyalty.policy import load_rewards_policy
from crm_backend.loyalty.rules import LedgerLine, balance

from .complaint_support import (NOW, complaint_body, database, key,  # noqa: F401 (own database)
                                make_customer)
from .databases import TestDatabase

SEED = 20261123


ROUNDS = 4


CUSTOMERS_PER_ROUND = 3


REWARDS = load_rewards_policy(POLICY_DIR / "rewards.toml")


COMPLAINTS = {
    "ordinary": [("product_quality", "high"), ("product_quality", "low"), ("price", "medium"),
                 ("delivery", "low"), ("after_sales", "high"), ("service_attitude", "low")],
    "key": [("product_quality", "medium"), ("price", "low"), ("delivery", "low"),
            ("service_attitude", "low")],
}


REFUSALS = {"order_already_refunded", "refund_exceeds_order", "insufficient_points",
            "cannot_cancel"}


@dataclass
class Round:
    """What one round set up and the requests it sends at once."""

    customers: Dict[int, str] = field(default_factory=dict)
    complaints: List[str] = field(default_factory=list)
    requests: List[Tuple[str, dict]] = field(default_factory=list)


async def _post(client: TestClient, auth: dict, path: str, body: dict) -> Tuple[str, int, dict]:
    resp = await client.post(path, json=body, headers=auth)
    return path, resp.status, await resp.json()


async def _complaint(client: TestClient, auth: dict, rng: random.Random, customer_id: int,
                     order_no: str, tier: str) -> str:
    """A complaint with a remedy offered (sometimes the alternative); its number."""
    category, severity = rng.choice(COMPLAINTS[tier])
    _, status, body = await _post(client, auth, "/api/complaints", complaint_body(
        customer_id, order_no, category=category, severity=severity))
    assert status == 201, body
    number = body["complaint"]["number"]
    path = f"/api/complaints/{number}/remedy/propose"
    _, status, offer = await _post(client, auth, path, {})
    assert status == 200, offer
    if offer["alternatives_left"] and rng.random() < 0.3:
        _, status, offer = await _post(client, auth, path, {"alternative": True})
        assert status == 200, offer
    return number


async def _set_up(client: TestClient, auth: dict, url: str, rng: random.Random) -> Round:
    """Customers with an order and points, complaints with offers, and the mixed requests."""
    plan = Round()
    for _ in range(CUSTOMERS_PER_ROUND):
        tier = rng.choice(["ordinary", "key"])
        status = rng.choice(["pending_shipment", "delivered"])
        customer_id, order_no = await make_customer(url, tier=tier, order_status=status,
                                                    total_fen=rng.choice([9900, 19900, 35000]))
        plan.customers[customer_id] = order_no
        points = rng.choice([0, 500, 1000, 2500, 4000])
        if points:
            _, code, body = await _post(client, auth, f"/api/customers/{customer_id}/points/grant",
                                        {"points": points, "reason": "测试", "source": "test",
                                         "idempotency_key": key()})
            assert code == 201, body
        for _ in range(rng.randint(2, 4)):
            number = await _complaint(client, auth, rng, customer_id, order_no, tier)
            plan.complaints.append(number)
            accept_key = key("accept")
            for _ in range(rng.randint(1, 3)):
                plan.requests.append((f"/api/complaints/{number}/remedy/accept",
                                      {"idempotency_key": accept_key}))
                accept_key = accept_key if rng.random() < 0.5 else key("accept")
        redeem_keys: List[str] = []
        for _ in range(rng.randint(1, 5)):
            reused = redeem_keys and rng.random() < 0.3
            redeem_keys.append(rng.choice(redeem_keys) if reused else key("redeem"))
            plan.requests.append((f"/api/customers/{customer_id}/points/redeem",
                                  {"reward_id": rng.choice(REWARDS.catalogue).id,
                                   "idempotency_key": redeem_keys[-1]}))
        if status == "pending_shipment" and rng.random() < 0.6:
            plan.requests.append((f"/api/orders/{order_no}/cancel",
                                  {"customer_id": customer_id, "idempotency_key": key("cancel")}))
    rng.shuffle(plan.requests)
    return plan


async def _check_database(url: str, plan: Round, created_coupons: set) -> None:
    """Every money invariant, read back from the database."""
    ids = list(plan.customers)
    cost = {f"积分兑换：{reward.title}": reward.points_cost for reward in REWARDS.catalogue}
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as db:
            orders = (await db.execute(select(Order).where(Order.customer_id.in_(ids)))).scalars()
            for order in orders:
                refunds = (await db.execute(select(Refund.amount_fen).where(
                    Refund.order_id == order.id, Refund.status != "rejected"))).scalars()
                assert sum(refunds) <= order.total_fen, order.order_no
            for customer_id in ids:
                lines = (await db.execute(select(PointsEntry.delta, PointsEntry.created_at,
                                                 PointsEntry.expires_at)
                                          .where(PointsEntry.customer_id == customer_id))).all()
                assert balance([LedgerLine(*line) for line in lines], NOW) >= 0, customer_id
            coupons = list((await db.execute(select(Coupon).where(
                Coupon.customer_id.in_(ids), Coupon.idempotency_key.like("redeem:%")))).scalars())
            debits = list((await db.execute(select(PointsEntry).where(
                PointsEntry.customer_id.in_(ids), PointsEntry.delta < 0))).scalars())
            by_key = {debit.idempotency_key: debit for debit in debits}
            assert len(by_key) == len(debits) == len(coupons)
            for coupon in coupons:
                debit = by_key[coupon.idempotency_key]
                assert (debit.customer_id, debit.delta) == (coupon.customer_id,
                                                            -cost[coupon.reason])
            assert {coupon.code for coupon in coupons} == created_coupons
            for model in (Refund, Coupon, PointsEntry):
                repeated = await db.scalar(select(func.count()).select_from(
                    select(model.idempotency_key).where(model.idempotency_key.isnot(None))
                    .group_by(model.idempotency_key).having(func.count() > 1).subquery()))
                assert repeated == 0, model.__name__
            complaints = (await db.execute(select(Complaint).where(
                Complaint.number.in_(plan.complaints)))).scalars()
            for complaint in complaints:
                refunds = await db.scalar(select(func.count(Refund.id)).where(
                    Refund.idempotency_key == f"complaint:{complaint.number}:refund"))
                refunded = (complaint.remedy_execution or {}).get("public", {}).get("refund")
                assert refunds == (1 if refunded else 0), complaint.number
    finally:
        await engine.dispose()


async def test_concurrent_money_requests_keep_every_invariant(
        client: TestClient, auth: dict, database: TestDatabase) -> None:
    rng = random.Random(SEED)
    refusals: Counter = Counter()
    for _ in range(ROUNDS):
        plan = await _set_up(client, auth, database.url, rng)
        assert 20 <= len(plan.requests) <= 40
        results = await asyncio.gather(*(_post(client, auth, path, body)
                                         for path, body in plan.requests))
        assert {status for _, status, _ in results} <= {200, 201, 409}, results
        refusals.update(body["error"] for _, status, body in results if status == 409)
        created = {body["coupon"]["code"] for path, status, body in results
                   if path.endswith("/redeem") and status == 201}
        await _check_database(database.url, plan, created)
    assert set(refusals) <= REFUSALS
    assert refusals["insufficient_points"] and (
        refusals["order_already_refunded"] + refusals["refund_exceeds_order"]), refusals
