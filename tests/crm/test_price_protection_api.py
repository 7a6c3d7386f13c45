"""Price protection against a live server on both databases: the shop's price changes, an
order's verdict, the difference refunded once per item whatever the retries and races, and
every refusal in Chinese with nothing written."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from crm_backend.core.models import (Order, OrderItem, PriceChange, PriceProtectionClaim,
                                     Product, Refund)

from .after_sales_support import (NOW, add_refund, at_once, count, database,  # noqa: F401
                                  get, iso, key, make_order, make_product, post, rows, statuses)


async def _drop(client, auth, sku: str, price_fen: int, days_ago: float) -> None:
    status, body = await post(client, auth, f"/api/products/{sku}/prices", {
        "price_fen": price_fen, "reason": "测试降价", "idempotency_key": key(),
        "changed_at": iso(NOW - timedelta(days=days_ago))})
    assert status == 201, body


async def _claims(url: str, order_no: str) -> int:
    return await count(url, PriceProtectionClaim, PriceProtectionClaim.order_id.in_(
        select(Order.id).where(Order.order_no == order_no)))


async def _refunds(url: str, order_no: str) -> list:
    return await rows(url, select(Refund.amount_fen, Refund.idempotency_key).join(Order)
                      .where(Order.order_no == order_no))


async def test_a_drop_is_refunded_once_per_item(client, auth, database) -> None:
    sku = await make_product(database.url, "数码电子", 100000)
    customer_id, order_no = await make_order(database.url, [(sku, 2, 100000)], paid_days_ago=5)
    await _drop(client, auth, sku, 90000, 3)
    await _drop(client, auth, sku, 95000, 2)
    status, check = await get(client, auth,
                              f"/api/price-protection/{order_no}?customer_id={customer_id}")
    assert status == 200 and check["eligible"] and check["eligible_total_yuan"] == "200.00"
    (line,) = check["items"]
    assert (line["lowest_unit_yuan"], line["difference_yuan"], line["window_days"]) == (
        "900.00", "100.00", 30)
    assert line["current_price_yuan"] == "950.00"
    body = {"customer_id": customer_id, "idempotency_key": key()}
    path = f"/api/price-protection/{order_no}/claims"
    status, first = await post(client, auth, path, body)
    assert status == 201 and first["refund_total_yuan"] == "200.00", first
    assert first["claims"][0]["refund"]["status"] == "approved"
    status, again = await post(client, auth, path, body)
    assert status == 200 and again["claims"] == first["claims"]
    status, refused = await post(client, auth, path, {**body, "idempotency_key": key()})
    assert status == 409 and refused["error"] == "already_claimed"
    assert "申请过价保" in refused["message"] and "¥200.00" in refused["message"]
    item_id = (await rows(database.url, select(OrderItem.id).join(Order)
                          .where(Order.order_no == order_no)))[0][0]
    assert await _refunds(database.url, order_no) == [(20000, f"price-protection:{item_id}")]
    assert await _claims(database.url, order_no) == 1
    status, after = await get(client, auth,
                              f"/api/price-protection/{order_no}?customer_id={customer_id}")
    assert after["items"][0]["code"] == "already_claimed" and after["items"][0]["claim"]


async def test_claims_at_once_refund_once(client, auth, database) -> None:
    sku = await make_product(database.url, "服装", 50000)
    customer_id, order_no = await make_order(database.url, [(sku, 1, 50000)], paid_days_ago=4)
    await _drop(client, auth, sku, 45000, 1)
    shared = key()
    bodies = [{"customer_id": customer_id, "idempotency_key": shared if i % 2 else key()}
              for i in range(12)]
    results = await at_once(client, auth, f"/api/price-protection/{order_no}/claims", bodies)
    assert statuses(results)[201] == 1, results
    assert set(statuses(results)) <= {200, 201, 409}
    assert all(b["error"] == "already_claimed" for s, b in results if s == 409)
    assert await _claims(database.url, order_no) == 1
    assert [amount for amount, _ in await _refunds(database.url, order_no)] == [5000]


async def test_one_item_or_every_eligible_item_of_an_order(client, auth, database) -> None:
    phone = await make_product(database.url, "数码电子", 300000)
    rice = await make_product(database.url, "食品生鲜", 9000)
    case = await make_product(database.url, "数码电子", 10000)
    customer_id, order_no = await make_order(
        database.url, [(phone, 1, 300000), (rice, 1, 9000), (case, 3, 10000)], paid_days_ago=6)
    for sku, price in ((phone, 280000), (rice, 7000), (case, 8000)):
        await _drop(client, auth, sku, price, 2)
    path = f"/api/price-protection/{order_no}/claims"
    status, body = await post(client, auth, path, {"customer_id": customer_id, "sku": rice,
                                                   "idempotency_key": key()})
    assert status == 409 and body["error"] == "category_not_protected"
    assert "不参加价保" in body["message"]
    status, body = await post(client, auth, path, {"customer_id": customer_id, "sku": phone,
                                                   "idempotency_key": key()})
    assert status == 201 and body["refund_total_yuan"] == "200.00"
    status, body = await post(client, auth, path, {"customer_id": customer_id,
                                                   "idempotency_key": key()})
    assert status == 201 and [c["sku"] for c in body["claims"]] == [case]
    assert body["refund_total_yuan"] == "60.00"
    assert await _claims(database.url, order_no) == 2
    status, body = await post(client, auth, path, {"customer_id": customer_id,
                                                   "idempotency_key": key()})
    assert status == 409 and body["error"] == "not_eligible" and "大米" not in body["message"]


async def test_every_refusal_writes_nothing(client, auth, database) -> None:
    cases = []
    sku = await make_product(database.url, "服装", 60000)
    await _drop(client, auth, sku, 50000, 17)
    cases.append((await make_order(database.url, [(sku, 1, 60000)], paid_days_ago=20),
                  "window_passed", "已于"))
    quiet = await make_product(database.url, "服装", 60000)
    cases.append((await make_order(database.url, [(quiet, 1, 60000)], paid_days_ago=3),
                  "no_price_drop", "没有降价"))
    for status, code in (("cancelled", "order_cancelled"), ("refunded", "order_refunded"),
                         ("pending_payment", "order_not_paid")):
        dropped = await make_product(database.url, "服装", 60000)
        made = await make_order(database.url, [(dropped, 1, 60000)], status=status,
                                paid_days_ago=3)
        await _drop(client, auth, dropped, 50000, 1)
        cases.append((made, code, "订单"))
    for (customer_id, order_no), code, words in cases:
        status, body = await post(client, auth, f"/api/price-protection/{order_no}/claims",
                                  {"customer_id": customer_id, "idempotency_key": key()})
        assert status == 409 and body["error"] == code and words in body["message"], body
        assert await _claims(database.url, order_no) == 0
        assert await _refunds(database.url, order_no) == []


async def test_a_difference_beyond_what_is_left_of_the_order_is_refused(client, auth,
                                                                         database) -> None:
    sku = await make_product(database.url, "数码电子", 100000)
    customer_id, order_no = await make_order(database.url, [(sku, 1, 100000)], paid_days_ago=3)
    await add_refund(database.url, order_no, 99500)
    await _drop(client, auth, sku, 90000, 1)
    status, body = await post(client, auth, f"/api/price-protection/{order_no}/claims",
                              {"customer_id": customer_id, "idempotency_key": key()})
    assert status == 409 and body["error"] == "refund_exceeds_order"
    assert await _claims(database.url, order_no) == 0


async def test_unknown_or_bad_input_is_a_clear_4xx(client, auth, database) -> None:
    sku = await make_product(database.url, "数码电子", 100000)
    customer_id, order_no = await make_order(database.url, [(sku, 1, 100000)], paid_days_ago=3)
    other, _ = await make_order(database.url, [(sku, 1, 100000)])
    await _drop(client, auth, sku, 80000, 1)
    path = f"/api/price-protection/{order_no}/claims"
    cases = [
        ("/api/price-protection/KF000000000000/claims",
         {"customer_id": customer_id, "idempotency_key": key()}, 404),
        (path, {"customer_id": other, "idempotency_key": key()}, 404),
        ("/api/price-protection/KF12/claims", {"customer_id": customer_id,
                                               "idempotency_key": key()}, 400),
        (path, {"customer_id": customer_id}, 400),
        (path, {"customer_id": "1", "idempotency_key": key()}, 400),
        (path, {"customer_id": customer_id, "sku": "NOPE", "idempotency_key": key()}, 400),
    ]
    for target, body, expected in cases:
        status, answer = await post(client, auth, target, body)
        assert status == expected and answer["message"], (target, body, answer)
    status, _ = await get(client, auth, f"/api/price-protection/{order_no}")
    assert status == 400
    status, _ = await get(client, auth, f"/api/price-protection/{order_no}?customer_id={other}")
    assert status == 404
    assert await _claims(database.url, order_no) == 0


async def test_the_shops_price_changes_once_per_key(client, auth, database) -> None:
    sku = await make_product(database.url, "家居家电", 200000)
    body = {"price_fen": 180000, "reason": "双十二", "idempotency_key": key()}
    status, first = await post(client, auth, f"/api/products/{sku}/prices", body)
    assert status == 201 and first["price_yuan"] == "1800.00"
    assert first["change"]["old_price_yuan"] == "2000.00"
    status, again = await post(client, auth, f"/api/products/{sku}/prices", body)
    assert status == 200 and again["change"] == first["change"]
    status, reused = await post(client, auth, f"/api/products/{sku}/prices",
                                {**body, "price_fen": 170000})
    assert status == 409 and reused["error"] == "idempotency_key_reused"
    status, history = await get(client, auth, f"/api/products/{sku}/prices")
    assert [c["price_yuan"] for c in history["changes"]] == ["1800.00"]
    assert await count(database.url, PriceChange, PriceChange.product_id.in_(
        select(Product.id).where(Product.sku == sku))) == 1
    for target, payload, expected in (
            ("/api/products/NOPE/prices", body, 404),
            (f"/api/products/{sku}/prices", {**body, "price_fen": 0, "idempotency_key": key()}, 400),
            (f"/api/products/{sku}/prices", {"price_fen": 1000}, 400)):
        status, _ = await post(client, auth, target, payload)
        assert status == expected


async def test_orders_within_a_window_are_listed_with_what_they_would_refund(
        client, auth, database) -> None:
    sku = await make_product(database.url, "服装", 40000)
    customer_id, recent = await make_order(database.url, [(sku, 1, 40000)], paid_days_ago=2)
    _, old = await make_order(database.url, [(sku, 1, 40000)], paid_days_ago=60,
                              delivered_days_ago=57, customer_id=customer_id)
    await _drop(client, auth, sku, 35000, 1)
    status, body = await get(client, auth, f"/api/price-protection?customer_id={customer_id}")
    assert status == 200 and [o["order_no"] for o in body["orders"]] == [recent]
    assert body["orders"][0]["eligible_total_yuan"] == "50.00"
    assert old not in str(body)


async def test_the_seeded_demo_cases(client, auth, database) -> None:
    status, body = await get(client, auth, "/api/price-protection?customer_id=67")
    verdicts = {item["name"]: item for order in body["orders"] for item in order["items"]}
    assert verdicts["FreeBuds Pro 3 降噪耳机"]["eligible"]
    assert verdicts["FreeBuds Pro 3 降噪耳机"]["amount_yuan"] == "200.00"
    assert verdicts["轻薄羽绒服"]["code"] == "window_passed"
    assert verdicts["壁挂式空调 1.5匹"]["code"] == "no_price_drop"
    status, body = await get(client, auth, "/api/price-protection?customer_id=1")
    mate = next(o for o in body["orders"] if "Mate 60" in o["item_summary"])
    assert mate["eligible_total_yuan"] == "500.00"
