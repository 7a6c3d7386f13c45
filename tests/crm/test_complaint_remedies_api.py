"""Remedy propose/accept/refuse and satisfaction against a live server on both databases."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from crm_backend.core.db import create_engine, create_sessionmaker
from crm_backend.core.models import (Coupon, FollowUp, Handoff, Order, PointsEntry, Refund,
                                     RiskSignal)
from crm_backend.core.time import BEIJING

from .complaint_support import (complaint_body, count, database, key,  # noqa: F401 (own database)
                                make_customer, mark_follow_up_sent)
from .databases import TestDatabase


async def _complaint(client: TestClient, auth: dict, database: TestDatabase, *,
                     tier: str = "ordinary", bad_faith: bool = False, **overrides) -> dict:
    customer_id, order_no = await make_customer(database.url, tier=tier, bad_faith=bad_faith)
    resp = await client.post("/api/complaints", headers=auth,
                             json=complaint_body(customer_id, order_no, **overrides))
    assert resp.status == 201, await resp.text()
    return (await resp.json())["complaint"]


async def _post(client: TestClient, auth: dict, path: str, body: dict) -> tuple:
    resp = await client.post(path, json=body, headers=auth)
    return resp.status, await resp.json()


async def test_propose_repeat_then_one_alternative_then_no_more(client, auth, database) -> None:
    complaint = await _complaint(client, auth, database, severity="high")
    path = f"/api/complaints/{complaint['number']}/remedy/propose"
    status, first = await _post(client, auth, path, {"alternative": False})
    assert status == 200, first
    assert first["remedy"]["kind"] == "refund" and first["remedy"]["amount_yuan"] == "199.00"
    assert first["tier_used"] == "ordinary" and first["alternatives_left"] == 1
    assert "原路退回" in first["remedy"]["description"]
    _, again = await _post(client, auth, path, {})
    assert again == first
    _, alternative = await _post(client, auth, path, {"alternative": True})
    assert alternative["remedy"]["kind"] == "resend" and alternative["alternatives_left"] == 0
    assert "补发一件同款" in alternative["remedy"]["description"]
    status, refused = await _post(client, auth, path, {"alternative": True})
    assert status == 409 and refused["error"] == "no_more_alternatives"


async def test_accept_refund_is_exactly_once(client, auth, database) -> None:
    complaint = await _complaint(client, auth, database, severity="high")
    number = complaint["number"]
    await _post(client, auth, f"/api/complaints/{number}/remedy/propose", {})
    path = f"/api/complaints/{number}/remedy/accept"
    status, first = await _post(client, auth, path, {"idempotency_key": key()})
    assert status == 201, first
    assert first["execution"]["kind"] == "refund"
    assert first["execution"]["refund"]["amount_yuan"] == "199.00"
    assert "原路退回" in first["execution"]["summary"]
    assert first["complaint"]["status"] == "awaiting_follow_up"
    assert first["follow_up"]["id"] and first["follow_up"]["due_at"].endswith("+08:00")
    status, again = await _post(client, auth, path, {"idempotency_key": key()})
    assert status == 200 and again["execution"] == first["execution"]
    assert again["follow_up"] == first["follow_up"]
    order = await client.get(f"/api/orders/{complaint['order_no']}", headers=auth)
    assert (await order.json())["status"] == "refunding"
    assert await count(database.url, Refund,
                       Refund.idempotency_key == f"complaint:{number}:refund") == 1
    assert await count(database.url, FollowUp,
                       FollowUp.idempotency_key == f"complaint:{number}:follow-up") == 1


async def test_accept_coupon_points_and_resend_write_once(client, auth, database) -> None:
    delivery = await _complaint(client, auth, database, category="delivery", severity="low")
    number = delivery["number"]
    _, offer = await _post(client, auth, f"/api/complaints/{number}/remedy/propose", {})
    assert offer["remedy"]["kind"] == "coupon"
    for _ in range(2):
        status, done = await _post(client, auth, f"/api/complaints/{number}/remedy/accept",
                                   {"idempotency_key": key()})
    assert done["execution"]["coupon"]["value_yuan"] == "20.00"
    assert await count(database.url, Coupon,
                       Coupon.idempotency_key == f"complaint:{number}:coupon") == 1

    service = await _complaint(client, auth, database, category="service_attitude",
                               severity="low", tier="small")
    number = service["number"]
    await _post(client, auth, f"/api/complaints/{number}/remedy/propose", {})
    for _ in range(2):
        _, done = await _post(client, auth, f"/api/complaints/{number}/remedy/accept",
                              {"idempotency_key": key()})
    assert done["execution"]["points"]["points"] == 100
    assert await count(database.url, PointsEntry,
                       PointsEntry.idempotency_key == f"complaint:{number}:points") == 1

    quality = await _complaint(client, auth, database)
    number = quality["number"]
    _, offer = await _post(client, auth, f"/api/complaints/{number}/remedy/propose", {})
    assert offer["remedy"]["kind"] == "resend"
    for _ in range(2):
        _, done = await _post(client, auth, f"/api/complaints/{number}/remedy/accept",
                              {"idempotency_key": key()})
    resend_no = done["execution"]["resend_order_no"]
    assert await count(database.url, Order, Order.order_no == resend_no) == 1
    order = await (await client.get(f"/api/orders/{resend_no}", headers=auth)).json()
    assert order["status"] == "pending_shipment" and order["total_yuan"] == "0.00"


async def test_key_customer_high_severity_escalates_to_urgent_handoff(client, auth, database
                                                                       ) -> None:
    complaint = await _complaint(client, auth, database, tier="key", severity="high")
    number = complaint["number"]
    _, offer = await _post(client, auth, f"/api/complaints/{number}/remedy/propose", {})
    assert offer["remedy"]["kind"] == "escalate" and offer["alternatives_left"] == 0
    _, done = await _post(client, auth, f"/api/complaints/{number}/remedy/accept",
                          {"idempotency_key": key()})
    assert done["complaint"]["status"] == "handed_off"
    assert done["complaint"]["handoff"]["priority"] == "urgent"


async def test_bad_faith_gets_no_discretionary_compensation(client, auth, database) -> None:
    complaint = await _complaint(client, auth, database, bad_faith=True, category="delivery",
                                 severity="low", expectation="要求赔偿")
    _, offer = await _post(client, auth, f"/api/complaints/{complaint['number']}/remedy/propose",
                           {})
    assert offer["remedy"]["kind"] == "escalate"
    quality = await _complaint(client, auth, database, bad_faith=True, severity="high",
                               expectation="退货")
    _, offer = await _post(client, auth, f"/api/complaints/{quality['number']}/remedy/propose", {})
    assert offer["remedy"]["kind"] == "refund"


async def test_refuse_hands_off_once(client, auth, database) -> None:
    complaint = await _complaint(client, auth, database)
    number = complaint["number"]
    await _post(client, auth, f"/api/complaints/{number}/remedy/propose", {})
    path = f"/api/complaints/{number}/remedy/refuse"
    status, first = await _post(client, auth, path, {"reason": "不想要补发"})
    assert status == 200 and first["handoff"]["status"] == "waiting"
    assert first["handoff"]["queue_position"] >= 1 and first["handoff"]["priority_label"]
    assert first["complaint"]["status"] == "handed_off"
    _, again = await _post(client, auth, path, {})
    assert again["handoff"]["id"] == first["handoff"]["id"]
    status, late = await _post(client, auth, f"/api/complaints/{number}/remedy/accept",
                               {"idempotency_key": key()})
    assert status == 409


async def _accepted(client, auth, database) -> dict:
    complaint = await _complaint(client, auth, database, category="delivery", severity="low")
    number = complaint["number"]
    await _post(client, auth, f"/api/complaints/{number}/remedy/propose", {})
    await _post(client, auth, f"/api/complaints/{number}/remedy/accept", {"idempotency_key": key()})
    await mark_follow_up_sent(database.url, number)
    return complaint


async def test_satisfied_answer_closes(client, auth, database) -> None:
    complaint = await _accepted(client, auth, database)
    body = {"score": 5, "resolved": True, "conversation_id": complaint["conversation_id"],
            "idempotency_key": key()}
    path = f"/api/complaints/{complaint['number']}/satisfaction"
    status, first = await _post(client, auth, path, body)
    assert status == 201, first
    assert first["complaint"]["status"] == "closed" and first["complaint"]["score"] == 5
    assert first["complaint"]["timeline"][-1]["step"] == "follow_up"
    assert first["handoff"] is None
    status, again = await _post(client, auth, path, body)
    assert status == 200 and again["satisfaction"]["id"] == first["satisfaction"]["id"]


async def test_unhappy_answer_reopens_raises_risk_and_hands_off(client, auth, database) -> None:
    complaint = await _accepted(client, auth, database)
    number = complaint["number"]
    body = {"score": 2, "resolved": True, "conversation_id": complaint["conversation_id"],
            "idempotency_key": key(), "comment": "还是不满意"}
    path = f"/api/complaints/{number}/satisfaction"
    status, first = await _post(client, auth, path, body)
    assert status == 201
    assert first["complaint"]["status"] == "reopened"
    assert first["handoff"]["status"] == "waiting"
    _, again = await _post(client, auth, path, body)
    assert again["handoff"]["id"] == first["handoff"]["id"]
    assert await count(database.url, RiskSignal, RiskSignal.signal == "low_satisfaction",
                       RiskSignal.detail.like(f"%{number}%")) == 1
    assert await count(database.url, Handoff,
                       Handoff.conversation_id == complaint["conversation_id"]) == 1
    status, refused = await _post(client, auth, f"/api/complaints/{number}/remedy/propose",
                                  {"alternative": True})
    assert status == 409


async def test_satisfaction_validates(client, auth, database) -> None:
    complaint = await _accepted(client, auth, database)
    status, body = await _post(client, auth, f"/api/complaints/{complaint['number']}/satisfaction",
                               {"score": 6, "resolved": True, "conversation_id": "c",
                                "idempotency_key": key()})
    assert status == 400 and body["field"] == "score"


async def test_only_the_contacted_conversation_sees_and_answers_the_follow_up(
        client, auth, database) -> None:
    complaint = await _complaint(client, auth, database, category="delivery", severity="low")
    number, own = complaint["number"], complaint["conversation_id"]
    await _post(client, auth, f"/api/complaints/{number}/remedy/propose", {})
    await _post(client, auth, f"/api/complaints/{number}/remedy/accept", {"idempotency_key": key()})
    path = f"/api/complaints/{number}/satisfaction"
    early = await client.get(f"/api/complaints/{number}/follow-up",
                             params={"conversation_id": own}, headers=auth)
    assert early.status == 404, "not sent yet: nobody may answer"
    await mark_follow_up_sent(database.url, number)
    stranger = await client.get(f"/api/complaints/{number}/follow-up",
                                params={"conversation_id": "stranger"}, headers=auth)
    assert stranger.status == 404 and "remedy" not in await stranger.text()
    status, body = await _post(client, auth, path, {"score": 1, "resolved": False,
                                                    "conversation_id": "stranger",
                                                    "idempotency_key": key()})
    assert status == 404 and body["error"] == "no_follow_up"
    assert await count(database.url, RiskSignal, RiskSignal.signal == "low_satisfaction",
                       RiskSignal.detail.like(f"%{number}%")) == 0
    assert await count(database.url, Handoff, Handoff.conversation_id == "stranger") == 0
    mine = await client.get(f"/api/complaints/{number}/follow-up",
                            params={"conversation_id": own}, headers=auth)
    assert mine.status == 200 and (await mine.json())["complaint"]["status"] == "awaiting_follow_up"
    status, _ = await _post(client, auth, path, {"score": 5, "resolved": True,
                                                 "conversation_id": own, "idempotency_key": key()})
    assert status == 201


async def test_resends_accepted_at_once_get_their_own_order_numbers(client, auth, database
                                                                     ) -> None:
    numbers = [(await _complaint(client, auth, database))["number"] for _ in range(6)]
    for number in numbers:
        _, offer = await _post(client, auth, f"/api/complaints/{number}/remedy/propose", {})
        assert offer["remedy"]["kind"] == "resend"
    results = await asyncio.gather(*(
        _post(client, auth, f"/api/complaints/{number}/remedy/accept", {"idempotency_key": key()})
        for number in numbers))
    assert [status for status, _ in results] == [201] * len(numbers), results
    assert len({body["execution"]["resend_order_no"] for _, body in results}) == len(numbers)


async def test_a_resend_after_number_9999_takes_a_free_number_of_the_day(client, auth, database,
                                                                          clock) -> None:
    prefix = f"KF{clock.now().astimezone(BEIJING):%Y%m%d}"
    complaint = await _complaint(client, auth, database)
    engine = create_engine(database.url)
    try:
        async with create_sessionmaker(engine)() as db:
            order = await db.scalar(select(Order).where(Order.customer_id == complaint["customer_id"]))
            db.add(Order(order_no=f"{prefix}9999", customer_id=order.customer_id, status="delivered",
                         items_total_fen=100, total_fen=100, receiver_name="测试",
                         receiver_phone="13800001111", address="测试地址", created_at=clock.now()))
            await db.commit()
    finally:
        await engine.dispose()
    number = complaint["number"]
    await _post(client, auth, f"/api/complaints/{number}/remedy/propose", {})
    status, body = await _post(client, auth, f"/api/complaints/{number}/remedy/accept",
                               {"idempotency_key": key()})
    resend = body["execution"]["resend_order_no"]
    assert status == 201 and len(resend) == 14 and resend.startswith(prefix)
    assert resend != f"{prefix}9999"


async def test_a_late_shipment_is_stated_and_rushed_out_with_compensation_once(client, auth,
                                                                               database) -> None:
    customer_id, order_no = await make_customer(database.url, order_status="pending_shipment")
    order = await (await client.get(f"/api/orders/{order_no}", headers=auth)).json()
    assert order["situation"]["code"] == "late_shipment"
    assert "5天" in order["situation"]["sentence"] and "待发货" in order["situation"]["sentence"]
    resp = await client.post("/api/complaints", headers=auth, json=complaint_body(
        customer_id, order_no, category="delivery", severity="medium",
        customer_words=["下单五天了还不发货", "赶紧给我发货，还要补偿"], expectation="compensation"))
    number = (await resp.json())["complaint"]["number"]
    _, offer = await _post(client, auth, f"/api/complaints/{number}/remedy/propose", {})
    assert offer["remedy"]["kind"] == "expedite" and offer["alternatives_left"] == 1
    assert "加急" in offer["remedy"]["description"] and "¥20.00" in offer["remedy"]["description"]
    for _ in range(2):
        status, done = await _post(client, auth, f"/api/complaints/{number}/remedy/accept",
                                   {"idempotency_key": key()})
    assert done["execution"]["expedited_order_no"] == order_no
    assert await count(database.url, Coupon,
                       Coupon.idempotency_key == f"complaint:{number}:coupon") == 1
    assert await count(database.url, Order, Order.order_no == order_no,
                       Order.expedited_at.is_not(None)) == 1
    assert await count(database.url, Refund, Refund.idempotency_key.like(f"complaint:{number}%")) == 0


async def test_a_late_shipment_refund_wish_is_offered_first_and_rushing_is_the_alternative(
        client, auth, database) -> None:
    customer_id, order_no = await make_customer(database.url, order_status="pending_shipment")
    resp = await client.post("/api/complaints", headers=auth, json=complaint_body(
        customer_id, order_no, category="delivery", severity="medium",
        customer_words=["五天了都不发货，不想要了"], expectation="refund"))
    number = (await resp.json())["complaint"]["number"]
    path = f"/api/complaints/{number}/remedy/propose"
    _, first = await _post(client, auth, path, {})
    _, alternative = await _post(client, auth, path, {"alternative": True})
    assert (first["remedy"]["kind"], alternative["remedy"]["kind"]) == ("refund", "expedite")
