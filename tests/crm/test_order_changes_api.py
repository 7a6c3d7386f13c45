"""Cancel and modify an order against a live server on both databases."""

from __future__ import annotations

from sqlalchemy import select

from crm_backend.core.models import Order, OrderChange, Refund

from .complaint_support import count, database, key, make_customer  # noqa: F401 (own database)


async def _post(client, auth, path: str, body: dict) -> tuple:
    resp = await client.post(path, json=body, headers=auth)
    return resp.status, await resp.json()


async def test_cancel_paid_order_refunds_once(client, auth, database) -> None:
    customer_id, order_no = await make_customer(database.url, order_status="pending_shipment")
    body = {"customer_id": customer_id, "reason": "不想要了", "idempotency_key": key()}
    status, first = await _post(client, auth, f"/api/orders/{order_no}/cancel", body)
    assert status == 201, first
    assert first["order"]["status"] == "cancelled"
    assert first["refund"]["amount_yuan"] == "199.00" and first["refund"]["status_label"]
    status, again = await _post(client, auth, f"/api/orders/{order_no}/cancel", body)
    assert status == 200 and again["refund"] == first["refund"]
    assert await count(database.url, Refund,
                       Refund.idempotency_key == f"cancel-refund:{order_no}") == 1
    status, refused = await _post(client, auth, f"/api/orders/{order_no}/cancel",
                                  {**body, "idempotency_key": key()})
    assert status == 409 and refused["message"] == "订单已经取消了，无需重复操作"


async def test_cancel_unpaid_has_no_refund(client, auth, database) -> None:
    customer_id, order_no = await make_customer(database.url, order_status="pending_payment")
    status, body = await _post(client, auth, f"/api/orders/{order_no}/cancel",
                               {"customer_id": customer_id, "idempotency_key": key()})
    assert status == 201 and body["refund"] is None and body["order"]["status"] == "cancelled"


async def test_cancel_shipped_is_refused_in_chinese(client, auth, database) -> None:
    customer_id, order_no = await make_customer(database.url, order_status="shipped")
    status, body = await _post(client, auth, f"/api/orders/{order_no}/cancel",
                               {"customer_id": customer_id, "idempotency_key": key()})
    assert status == 409 and body["error"] == "cannot_cancel"
    assert body["message"] == "订单已发货，无法取消，可以在签收后申请退货"


async def test_other_customers_order_is_404(client, auth, database) -> None:
    _, order_no = await make_customer(database.url, order_status="pending_shipment")
    other, _ = await make_customer(database.url, order_status=None)
    for action, extra in (("cancel", {}), ("modify", {"field": "phone", "value": "13912345678"})):
        status, _ = await _post(client, auth, f"/api/orders/{order_no}/{action}",
                                {"customer_id": other, "idempotency_key": key(), **extra})
        assert status == 404


async def test_modify_fields_before_shipping(client, auth, database) -> None:
    customer_id, order_no = await make_customer(database.url, order_status="pending_shipment")
    path = f"/api/orders/{order_no}/modify"
    base = {"customer_id": customer_id}
    status, body = await _post(client, auth, path, {**base, "field": "address",
                                                    "value": "北京市海淀区中关村大街1号",
                                                    "idempotency_key": key()})
    assert status == 201 and body["order"]["address"] == "北京市海淀区中关村大街1号"
    status, body = await _post(client, auth, path, {**base, "field": "phone",
                                                    "value": "13912345678", "idempotency_key": key()})
    assert body["order"]["receiver_phone_masked"] == "139****5678"
    status, body = await _post(client, auth, path, {**base, "field": "delivery_time",
                                                    "value": "周六上午", "idempotency_key": key()})
    assert body["order"]["delivery_time"] == "周六上午"
    item = body["order"]["items"][0]
    idem = key()
    status, body = await _post(client, auth, path, {**base, "field": "spec",
                                                    "value": item["colour"], "idempotency_key": idem})
    assert status == 201
    status, _ = await _post(client, auth, path, {**base, "field": "spec", "value": item["colour"],
                                                 "idempotency_key": idem})
    assert status == 200
    assert await count(database.url, OrderChange, OrderChange.idempotency_key == f"modify:{idem}") == 1
    status, body = await _post(client, auth, path, {**base, "field": "phone", "value": "12345",
                                                    "idempotency_key": key()})
    assert status == 400 and body["field"] == "value"
    status, body = await _post(client, auth, path, {**base, "field": "colour", "value": "x",
                                                    "idempotency_key": key()})
    assert status == 400 and body["field"] == "field"


async def test_modify_after_shipping_is_refused(client, auth, database) -> None:
    customer_id, order_no = await make_customer(database.url, order_status="shipped")
    status, body = await _post(client, auth, f"/api/orders/{order_no}/modify", {
        "customer_id": customer_id, "field": "address", "value": "北京市海淀区中关村大街1号",
        "idempotency_key": key()})
    assert status == 409 and body["error"] == "cannot_modify"
    assert body["message"].startswith("订单已发货，无法修改收货地址")


async def test_a_change_is_checked_without_being_made(client, auth, database) -> None:
    customer_id, order_no = await make_customer(database.url, order_status="pending_shipment")
    check = f"/api/orders/{order_no}/modify/check"
    base = {"customer_id": customer_id, "field": "address"}
    status, body = await _post(client, auth, check, {**base, "value": " 上海市浦东新区世纪大道100号 "})
    assert status == 200 and body["value"] == "上海市浦东新区世纪大道100号"
    status, body = await _post(client, auth, check, {**base, "value": "上海"})
    assert status == 400 and "收货地址" in body["message"]
    order = await (await client.get(f"/api/orders/{order_no}", headers=auth)).json()
    assert order["can_modify"] and await count(database.url, OrderChange, OrderChange.order_id.in_(
        select(Order.id).where(Order.order_no == order_no))) == 0
    shipped_customer, shipped = await make_customer(database.url, order_status="shipped")
    status, body = await _post(client, auth, f"/api/orders/{shipped}/modify/check",
                               {"customer_id": shipped_customer, "field": "address",
                                "value": "上海市浦东新区世纪大道100号"})
    assert status == 409 and "已发货" in body["message"]
