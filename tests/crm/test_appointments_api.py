"""Appointments against a live server on both databases: what an order may book, the slots from
policy, a booking once per order and kind whatever the races, a change within policy, and clear
refusals that write nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from crm_backend.appointments.rules import Slot, slots
from crm_backend.core.models import Appointment, AppointmentChange, Order
from crm_backend.core.time import BEIJING
from crm_backend.policies import load_policies
from crm_backend.core.config import CRMConfig

from .after_sales_support import (NOW, at_once, count, database, get, key,  # noqa: F401
                                  make_order, make_product, post, statuses)

POLICY = load_policies(CRMConfig()).appointments
TODAY = NOW.astimezone(BEIJING).date()


def slot_id(days: int, window: str = "09:00-12:00") -> str:
    return f"{(TODAY + timedelta(days=days)).isoformat()} {window}"


def test_slots_come_from_the_policy() -> None:
    offered = slots("installation", NOW, POLICY)
    assert offered[0] == Slot(TODAY + timedelta(days=1), "09:00-12:00")
    assert offered[-1] == Slot(TODAY + timedelta(days=7), "14:00-18:00")
    assert len(offered) == 7 * 2
    assert offered[0].label.endswith("09:00-12:00") and "（周" in offered[0].label


async def _booked(url: str, order_no: str) -> int:
    return await count(url, Appointment, Appointment.order_id.in_(
        select(Order.id).where(Order.order_no == order_no)))


async def _large_order(url: str, status: str = "shipped", bulky: bool = True,
                       install: bool = True, delivered_days_ago: float = 1) -> tuple:
    sku = await make_product(url, "家居家电", 300000, bulky=bulky, needs_installation=install)
    return await make_order(url, [(sku, 1, 300000)], status=status,
                            delivered_days_ago=delivered_days_ago)


async def test_an_order_says_what_it_may_book_with_its_slots(client, auth, database) -> None:
    customer_id, order_no = await _large_order(database.url, "shipped")
    status, body = await get(client, auth, f"/api/appointments/{order_no}?customer_id={customer_id}")
    assert status == 200
    kinds = {k["kind"]: k for k in body["kinds"]}
    assert kinds["delivery"]["allowed"] and kinds["installation"]["allowed"]
    assert not kinds["pickup"]["allowed"] and "售后" in kinds["pickup"]["reason"]
    assert kinds["delivery"]["slots"][0]["id"] == slot_id(1)
    assert len(kinds["delivery"]["slots"]) == 7 * 3
    status, listed = await get(client, auth, f"/api/appointments?customer_id={customer_id}")
    assert [o["order_no"] for o in listed["orders"]] == [order_no]


async def test_a_booking_is_made_once_per_order_and_kind(client, auth, database) -> None:
    customer_id, order_no = await _large_order(database.url)
    path = f"/api/appointments/{order_no}"
    body = {"customer_id": customer_id, "kind": "delivery", "slot": slot_id(2, "13:00-18:00"),
            "idempotency_key": key()}
    status, first = await post(client, auth, path, body)
    assert status == 201 and first["appointment"]["window"] == "13:00-18:00"
    status, again = await post(client, auth, path, body)
    assert status == 200 and again["appointment"] == first["appointment"]
    status, refused = await post(client, auth, path, {**body, "slot": slot_id(3),
                                                      "idempotency_key": key()})
    assert status == 409 and refused["error"] == "already_booked" and "改约" in refused["message"]
    status, other_kind = await post(client, auth, path, {
        **body, "kind": "installation", "slot": slot_id(2, "14:00-18:00"),
        "idempotency_key": key()})
    assert status == 201
    assert await _booked(database.url, order_no) == 2


async def test_bookings_at_once_make_one(client, auth, database) -> None:
    customer_id, order_no = await _large_order(database.url)
    shared = key()
    bodies = [{"customer_id": customer_id, "kind": "installation",
               "slot": slot_id(1 + i % 5, "14:00-18:00"),
               "idempotency_key": shared if i == 0 or i % 3 == 0 else key()} for i in range(10)]
    results = await at_once(client, auth, f"/api/appointments/{order_no}", bodies)
    assert statuses(results)[201] == 1 and set(statuses(results)) <= {200, 201, 409}, results
    assert await _booked(database.url, order_no) == 1


async def test_a_change_moves_the_booking_within_policy(client, auth, database) -> None:
    customer_id, order_no = await _large_order(database.url)
    await post(client, auth, f"/api/appointments/{order_no}", {
        "customer_id": customer_id, "kind": "delivery", "slot": slot_id(2),
        "idempotency_key": key()})
    path = f"/api/appointments/{order_no}/change"
    body = {"customer_id": customer_id, "kind": "delivery", "slot": slot_id(4, "18:00-21:00"),
            "idempotency_key": key()}
    status, moved = await post(client, auth, path, body)
    assert status == 201 and moved["appointment"]["id"] == slot_id(4, "18:00-21:00")
    assert moved["appointment"]["changes"] == 1
    status, again = await post(client, auth, path, body)
    assert status == 200 and again["appointment"]["changes"] == 1
    status, same = await post(client, auth, path, {**body, "idempotency_key": key()})
    assert status == 409 and same["error"] == "no_change"
    results = await at_once(client, auth, path, [
        {**body, "slot": slot_id(5 + i % 2), "idempotency_key": key()} for i in range(6)])
    assert statuses(results)[201] == 1, results
    assert all(b["error"] in ("too_many_changes", "no_change") for s, b in results if s == 409)
    status, last = await post(client, auth, path, {**body, "slot": slot_id(7),
                                                   "idempotency_key": key()})
    assert status == 409 and last["error"] == "too_many_changes"
    assert await count(database.url, AppointmentChange, AppointmentChange.appointment_id.in_(
        select(Appointment.id).join(Order).where(Order.order_no == order_no))) == 2


async def test_refusals_are_clear_and_write_nothing(client, auth, database) -> None:
    small = await _large_order(database.url, bulky=False, install=False)
    delivered = await _large_order(database.url, "delivered", delivered_days_ago=40)
    shipped = await _large_order(database.url)
    cases = [
        (small, "delivery", slot_id(2), 409, "没有大件商品"),
        (small, "pickup", slot_id(2), 409, "售后"),
        (delivered, "delivery", slot_id(2), 409, "已签收"),
        (delivered, "installation", slot_id(2), 409, "30 天内"),
        (shipped, "delivery", slot_id(0), 400, "约不了"),
        (shipped, "delivery", slot_id(9), 400, "约不了"),
        (shipped, "delivery", slot_id(2, "07:00-09:00"), 400, "约不了"),
        (shipped, "delivery", "明天上午", 400, "slot"),
        (shipped, "visit", slot_id(2), 400, "kind"),
        ((delivered[0], shipped[1]), "delivery", slot_id(2), 404, "订单不存在"),
        ((shipped[0], "KF000000000000"), "delivery", slot_id(2), 404, "订单不存在"),
    ]
    for (customer_id, order_no), kind, slot, expected, words in cases:
        status, body = await post(client, auth, f"/api/appointments/{order_no}", {
            "customer_id": customer_id, "kind": kind, "slot": slot, "idempotency_key": key()})
        assert status == expected and words in body["message"], (kind, slot, body)
    for _, order_no in (small, delivered, shipped):
        assert await _booked(database.url, order_no) == 0
    status, body = await post(client, auth, f"/api/appointments/{shipped[1]}/change", {
        "customer_id": shipped[0], "kind": "delivery", "slot": slot_id(2),
        "idempotency_key": key()})
    assert status == 404 and "还没有预约" in body["message"]


async def test_a_pickup_follows_an_approved_return_and_the_seeded_booking(client, auth,
                                                                          database) -> None:
    status, body = await get(client, auth, "/api/appointments?customer_id=67")
    by_item = {o["item_summary"]: o for o in body["orders"]}
    washer = by_item["滚筒洗衣机 10kg"]
    (booked,) = washer["appointments"]
    assert booked["kind"] == "delivery" and booked["window"] == "13:00-18:00"
    jacket = by_item["轻薄羽绒服"]
    assert [k["kind"] for k in jacket["kinds"] if k["allowed"]] == ["pickup"]
    assert [k["kind"] for k in by_item["壁挂式空调 1.5匹"]["kinds"] if k["allowed"]] == [
        "installation"]
    assert [k["kind"] for k in by_item["对开门冰箱 501L"]["kinds"] if k["allowed"]] == [
        "delivery"]
