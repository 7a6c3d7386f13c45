"""The HTTP contract the action server depends on, against a live server."""

from __future__ import annotations

import uuid

from datetime import datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient

from crm_backend.core.config import CRMConfig
from crm_backend.identity.rules import issue_customer_token

from .conftest import MAX_BODY_BYTES, SERVICE_TOKEN, TOKEN_SECRET
from .databases import SEED_NOW

BEIJING_SUFFIX = "+08:00"


def _token(customer_id: int, ttl: int = 600, secret: str = TOKEN_SECRET,
           now: datetime = SEED_NOW) -> str:
    """A token issued by the tests' CRM clock (the app under test stands at `SEED_NOW`)."""
    return issue_customer_token(secret, customer_id, ttl, now=now)


async def _first_order(client: TestClient, auth: dict, customer_id: int, status: str) -> str:
    params = {"status": status, "limit": "1"}
    resp = await client.get(f"/api/customers/{customer_id}/orders", params=params, headers=auth)
    assert resp.status == 200
    return (await resp.json())["orders"][0]["order_no"]


async def test_health_needs_no_token_and_checks_the_database(client: TestClient) -> None:
    resp = await client.get("/health")
    assert resp.status == 200
    assert await resp.json() == {"status": "ok"}


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong-token", SERVICE_TOKEN, f"Basic {SERVICE_TOKEN}", "Bearer "]
)
async def test_api_rejects_missing_or_wrong_service_token(client: TestClient, header) -> None:
    headers = {} if header is None else {"Authorization": header}
    resp = await client.get("/api/customers/1", headers=headers)
    assert resp.status == 401
    body = await resp.json()
    assert body["error"] == "unauthorized" and body["message"]


async def test_unknown_api_path_is_401_then_json_404(client: TestClient, auth: dict) -> None:
    assert (await client.get("/api/nope")).status == 401
    resp = await client.get("/api/nope", headers=auth)
    assert resp.status == 404
    assert (await resp.json())["error"] == "not_found"


async def test_customer_shape(client: TestClient, auth: dict) -> None:
    resp = await client.get("/api/customers/1", headers=auth)
    assert resp.status == 200
    assert resp.content_type == "application/json"
    body = await resp.json()
    assert set(body) == {
        "id", "name", "phone_masked", "tier", "tier_label", "tier_reason", "is_bad_faith"
    }
    assert body["id"] == 1 and body["tier"] == "key" and body["tier_label"] == "关键客户"
    assert body["phone_masked"] == "138****1234"
    assert body["tier_reason"].startswith("近一年消费¥")
    assert body["is_bad_faith"] is False


async def test_unknown_and_malformed_customer_ids(client: TestClient, auth: dict) -> None:
    resp = await client.get("/api/customers/999999", headers=auth)
    assert resp.status == 404 and (await resp.json())["error"] == "not_found"
    resp = await client.get("/api/customers/abc", headers=auth)
    assert resp.status == 400 and (await resp.json())["field"] == "id"


async def test_verify_token_good(client: TestClient, auth: dict) -> None:
    payload = {"customer_token": _token(2)}
    resp = await client.post("/api/identity/verify-token", json=payload, headers=auth)
    assert resp.status == 200
    assert (await resp.json())["customer"]["id"] == 2


def _bad_token(case: str) -> str:
    header, _, signature = _token(1).split(".")
    return {
        "forged": f"{header}.{_token(2).split('.')[1]}.{signature}",
        "expired": _token(1, ttl=60, now=SEED_NOW - timedelta(hours=2)),
        "other-secret": _token(1, secret="some-other-secret-of-good-length-0123456789"),
        "garbage": "definitely.not.ajwt",
        "unknown-customer": _token(999999),
        "over-max-lifetime": _token(1, ttl=86400 + 1),
        "issued-in-the-future": _token(1, now=SEED_NOW + timedelta(minutes=5)),
    }[case]


BAD_TOKENS = ["forged", "expired", "other-secret", "garbage", "unknown-customer",
              "over-max-lifetime", "issued-in-the-future"]


@pytest.mark.parametrize("case", BAD_TOKENS)
async def test_verify_token_bad(client: TestClient, auth: dict, case: str) -> None:
    payload = {"customer_token": _bad_token(case)}
    resp = await client.post("/api/identity/verify-token", json=payload, headers=auth)
    assert resp.status == 401
    body = await resp.json()
    assert body["error"] == "invalid_customer_token"
    assert "customer" not in body


@pytest.mark.parametrize("payload", [{}, {"customer_token": 12}, {"customer_token": None}])
async def test_verify_token_missing_field(client: TestClient, auth: dict, payload: dict) -> None:
    resp = await client.post("/api/identity/verify-token", json=payload, headers=auth)
    assert resp.status == 400
    assert (await resp.json())["field"] == "customer_token"


async def _inbound(client: TestClient, auth: dict, **extra: object) -> tuple:
    conversation = f"test-api-inbound-{uuid.uuid4().hex}"
    resp = await client.post(f"/api/conversations/{conversation}/inbound", headers=auth,
                             json={"channel": "web", "text": "我的订单到哪了", **extra})
    kept = await (await client.get(f"/api/conversations/{conversation}/messages",
                                   headers=auth)).json()
    return resp.status, await resp.json(), len(kept["messages"])


async def test_a_message_with_a_good_token_says_whose_it_is(client: TestClient,
                                                             auth: dict) -> None:
    status, body, kept = await _inbound(client, auth, customer_token=_token(2))
    assert status == 201 and body["customer"]["id"] == 2 and body["handoff"] is None
    assert kept == 1
    status, body, kept = await _inbound(client, auth)
    assert status == 201 and "customer" not in body and kept == 1


@pytest.mark.parametrize("case", BAD_TOKENS)
async def test_a_message_with_a_bad_token_is_kept_and_names_nobody(client: TestClient, auth: dict,
                                                                    case: str) -> None:
    status, body, kept = await _inbound(client, auth, customer_token=_bad_token(case))
    assert status == 201 and body["customer"] is None and kept == 1


async def test_a_message_with_a_malformed_token_is_refused(client: TestClient,
                                                           auth: dict) -> None:
    status, body, kept = await _inbound(client, auth, customer_token=12)
    assert status == 400 and body["field"] == "customer_token" and kept == 0


async def test_bind_match_is_case_insensitive(client: TestClient, auth: dict) -> None:
    order_no = await _first_order(client, auth, 1, "shipped")
    payload = {"order_no": order_no.lower(), "phone_tail": "1234",
               "conversation_id": "test-api-case-insensitive"}
    resp = await client.post("/api/identity/bind", json=payload, headers=auth)
    assert resp.status == 200
    assert (await resp.json())["customer"]["id"] == 1


async def test_bind_failures_are_indistinguishable(client: TestClient, auth: dict) -> None:
    order_no = await _first_order(client, auth, 1, "shipped")
    wrong_tail = await client.post(
        "/api/identity/bind", headers=auth,
        json={"order_no": order_no, "phone_tail": "0000", "conversation_id": "test-api-wrong-tail"})
    unknown = await client.post(
        "/api/identity/bind", headers=auth,
        json={"order_no": "KF209901010001", "phone_tail": "1234",
              "conversation_id": "test-api-unknown-order"})
    assert wrong_tail.status == unknown.status == 404
    assert await wrong_tail.read() == await unknown.read()
    assert (await unknown.json())["error"] == "no_match"


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"order_no": "KF12345", "phone_tail": "1234"}, "order_no"),
        ({"order_no": "XX202611180001", "phone_tail": "1234"}, "order_no"),
        ({"phone_tail": "1234"}, "order_no"),
        ({"order_no": "KF202611180001", "phone_tail": "12a4"}, "phone_tail"),
        ({"order_no": "KF202611180001", "phone_tail": "12345"}, "phone_tail"),
        ({"order_no": "KF202611180001", "phone_tail": 1234}, "phone_tail"),
        ({"order_no": "KF202611180001"}, "phone_tail"),
    ],
)
async def test_bind_validation(client: TestClient, auth: dict, payload: dict, field: str) -> None:
    payload = {**payload, "conversation_id": "test-api-validation"}
    resp = await client.post("/api/identity/bind", json=payload, headers=auth)
    assert resp.status == 400
    assert (await resp.json())["field"] == field


async def test_customer_orders_newest_first_and_limited(client: TestClient, auth: dict) -> None:
    resp = await client.get("/api/customers/1/orders", headers=auth)
    orders = (await resp.json())["orders"]
    assert len(orders) == 5
    times = [o["created_at"] for o in orders]
    assert all(t.endswith(BEIJING_SUFFIX) for t in times)
    assert times == sorted(times, reverse=True)
    assert orders[0]["status"] == "shipped" and orders[0]["status_label"] == "已发货"
    assert set(orders[0]) == {
        "order_no", "status", "status_label", "created_at", "total_yuan", "item_summary",
        "can_cancel", "can_modify",
    }
    assert (orders[0]["can_cancel"], orders[0]["can_modify"]) == (False, False)
    assert orders[0]["total_yuan"].count(".") == 1 and len(orders[0]["total_yuan"].split(".")[1]) == 2
    resp = await client.get("/api/customers/1/orders", params={"limit": "50"}, headers=auth)
    assert len((await resp.json())["orders"]) == 12


@pytest.mark.parametrize("status, can_cancel, can_modify", [
    ("pending_payment", True, True), ("pending_shipment", True, True), ("shipped", False, False),
    ("delivered", False, False), ("refunded", False, False),
])
async def test_orders_say_what_the_customer_may_do(client: TestClient, auth: dict, status: str,
                                                   can_cancel: bool, can_modify: bool) -> None:
    """The CRM's orders policy decides; the bot only renders these flags."""
    for customer_id in range(1, 40):
        resp = await client.get(f"/api/customers/{customer_id}/orders",
                                params={"status": status, "limit": "1"}, headers=auth)
        listed = (await resp.json())["orders"]
        if listed:
            break
    order = listed[0]
    assert (order["can_cancel"], order["can_modify"]) == (can_cancel, can_modify)
    detail = await (await client.get(f"/api/orders/{order['order_no']}", headers=auth)).json()
    assert (detail["can_cancel"], detail["can_modify"]) == (can_cancel, can_modify)


async def test_customer_orders_status_filter(client: TestClient, auth: dict) -> None:
    params = {"status": "pending_payment"}
    resp = await client.get("/api/customers/2/orders", params=params, headers=auth)
    orders = (await resp.json())["orders"]
    assert orders and {o["status"] for o in orders} == {"pending_payment"}
    assert orders[0]["status_label"] == "待付款"


async def test_customer_without_orders(client: TestClient, auth: dict) -> None:
    resp = await client.get("/api/customers/4/orders", headers=auth)
    assert resp.status == 200 and await resp.json() == {"orders": []}


@pytest.mark.parametrize(
    "params,field",
    [({"limit": "0"}, "limit"), ({"limit": "51"}, "limit"), ({"limit": "abc"}, "limit"),
     ({"status": "lost"}, "status")],
)
async def test_customer_orders_validation(
    client: TestClient, auth: dict, params: dict, field: str
) -> None:
    resp = await client.get("/api/customers/1/orders", params=params, headers=auth)
    assert resp.status == 400
    body = await resp.json()
    assert body["field"] == field and body["error"] == "invalid_request"


async def test_order_detail_with_events_newest_first(client: TestClient, auth: dict) -> None:
    order_no = await _first_order(client, auth, 1, "shipped")
    resp = await client.get(f"/api/orders/{order_no}", params={"customer_id": "1"}, headers=auth)
    assert resp.status == 200
    detail = await resp.json()
    assert detail["order_no"] == order_no and detail["refund"] is None
    assert detail["items"] and set(detail["items"][0]) == {"sku", "name", "quantity", "unit_price_yuan"}
    shipment = detail["shipment"]
    assert shipment["carrier"] and shipment["tracking_no"]
    times = [e["time"] for e in shipment["events"]]
    assert 2 <= len(times) <= 6
    assert times == sorted(times, reverse=True)
    assert all(t.endswith(BEIJING_SUFFIX) for t in times)
    assert "揽收" in shipment["events"][-1]["description"]


async def test_order_detail_with_refund(client: TestClient, auth: dict) -> None:
    order_no = await _first_order(client, auth, 1, "refunded")
    detail = await (await client.get(f"/api/orders/{order_no}", headers=auth)).json()
    assert detail["refund"]["status"] == "completed" and detail["refund"]["status_label"] == "已退款"
    assert detail["refund"]["amount_yuan"] == detail["total_yuan"]


async def test_order_of_someone_else_looks_unknown(client: TestClient, auth: dict) -> None:
    order_no = await _first_order(client, auth, 2, "shipped")
    mine = {"customer_id": "1"}
    foreign = await client.get(f"/api/orders/{order_no}", params=mine, headers=auth)
    unknown = await client.get("/api/orders/KF209901010001", params=mine, headers=auth)
    assert foreign.status == unknown.status == 404
    assert await foreign.read() == await unknown.read()
    assert (await client.get(f"/api/orders/{order_no.lower()}", headers=auth)).status == 200


async def test_order_number_and_customer_id_validation(client: TestClient, auth: dict) -> None:
    resp = await client.get("/api/orders/123", headers=auth)
    assert resp.status == 400 and (await resp.json())["field"] == "order_no"
    resp = await client.get("/api/orders/KF202611180001", params={"customer_id": "x"}, headers=auth)
    assert resp.status == 400 and (await resp.json())["field"] == "customer_id"


async def test_product_search(client: TestClient, auth: dict) -> None:
    resp = await client.get("/api/products", params={"q": "华为", "limit": "10"}, headers=auth)
    products = (await resp.json())["products"]
    assert products and all(p["brand"] == "华为" or "华为" in p["name"] for p in products)
    resp = await client.get("/api/products", params={"q": "服装"}, headers=auth)
    clothes = (await resp.json())["products"]
    assert clothes and all(p["category"] == "服装" and p["sizes"] for p in clothes)
    resp = await client.get("/api/products", params={"limit": "3"}, headers=auth)
    assert len((await resp.json())["products"]) == 3
    resp = await client.get("/api/products", params={"q": "100%"}, headers=auth)
    assert (await resp.json())["products"] == []


async def test_malformed_json_is_400(client: TestClient, auth: dict) -> None:
    for raw in (b"{not json", b"[1, 2]", b"\xff\xfe"):
        headers = {**auth, "Content-Type": "application/json"}
        resp = await client.post("/api/identity/bind", data=raw, headers=headers)
        assert resp.status == 400
        assert (await resp.json())["error"] == "invalid_json"


async def test_oversize_body_is_413_json(client: TestClient, auth: dict, config: CRMConfig) -> None:
    assert config.max_body_bytes == MAX_BODY_BYTES
    body = {"customer_token": "x" * (MAX_BODY_BYTES + 10)}
    resp = await client.post("/api/identity/verify-token", json=body, headers=auth)
    assert resp.status == 413
    assert (await resp.json())["error"] == "payload_too_large"


async def test_wrong_method_is_json(client: TestClient, auth: dict) -> None:
    resp = await client.delete("/api/customers/1", headers=auth)
    assert resp.status == 405
    assert (await resp.json())["error"] == "method_not_allowed"


HUGE = str(2**63 + 7)


@pytest.mark.parametrize("method, path", [
    ("GET", f"/api/customers/{HUGE}"), ("GET", f"/api/customers/{HUGE}/orders"),
    ("GET", f"/api/customers/{HUGE}/points"), ("GET", f"/api/winback/{HUGE}"),
    ("GET", f"/api/followups/{HUGE}"), ("POST", f"/api/handoffs/{HUGE}/close"),
    ("POST", f"/api/notifications/{HUGE}/read"), ("GET", f"/api/complaints?offset={HUGE}"),
    ("GET", f"/api/complaints?customer_id={HUGE}"),
    ("GET", f"/api/orders/KF202611180009?customer_id={HUGE}"),
])
async def test_ids_and_offsets_beyond_the_database_are_a_400(client: TestClient, auth: dict,
                                                             method: str, path: str) -> None:
    """An id or offset no database column can hold is the caller's mistake, never a 500."""
    resp = await client.request(method, path, headers=auth, json={} if method == "POST" else None)
    body = await resp.json()
    assert resp.status == 400 and body["field"] in ("id", "offset", "customer_id"), body
