"""Order-status inquiries through the REST channel, checked against the CRM's real data."""

from typing import Any, Dict, List, Tuple

import pytest

from bot.actions.orders import OPEN_STATUSES
from tests.e2e.conftest import RunningStack, new_sender, reply_text

pytestmark = pytest.mark.e2e


def customers_with_orders(stack: RunningStack) -> List[Tuple[Dict[str, Any], List[Dict[str, Any]]]]:
    found = []
    for customer_id in range(1, 80):
        try:
            customer = stack.crm(f"/api/customers/{customer_id}")
        except Exception:
            continue
        orders = stack.crm(f"/api/customers/{customer_id}/orders?limit=10")["orders"]
        found.append((customer, orders))
    return found


@pytest.fixture(scope="module")
def seeded(stack: RunningStack) -> List[Tuple[Dict[str, Any], List[Dict[str, Any]]]]:
    return customers_with_orders(stack)


@pytest.fixture(scope="module")
def shipped_order(stack: RunningStack, seeded) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """A customer and one of their shipped orders that has tracking events (from the CRM)."""
    for customer, orders in seeded:
        for order in orders:
            if order["status"] == "shipped":
                detail = stack.crm(f"/api/orders/{order['order_no']}")
                if detail["shipment"] and detail["shipment"]["events"]:
                    return customer, detail
    pytest.fail("the seed has no shipped order with tracking events")


def assert_describes(text: str, order: Dict[str, Any]) -> None:
    assert order["order_no"] in text
    assert order["status_label"] in text
    assert order["shipment"]["carrier"] in text
    assert order["shipment"]["events"][0]["description"] in text


def test_logged_in_customer_gets_status_carrier_and_latest_tracking(stack, shipped_order):
    customer, order = shipped_order
    token = stack.token(customer["id"])
    replies = stack.say(new_sender(), f"订单{order['order_no']}到哪了", {"customer_token": token})
    assert_describes(reply_text(replies), order)


def test_several_open_orders_are_offered_as_choices(stack, seeded):
    customer, orders = next(
        (c, o) for c, o in seeded if sum(x["status"] in OPEN_STATUSES for x in o) >= 2
    )
    token = stack.token(customer["id"])
    sender = new_sender()
    replies = stack.say(sender, "我的快递到哪了", {"customer_token": token})
    offered = [b["payload"] for r in replies for b in r.get("buttons") or []]
    open_numbers = [o["order_no"] for o in orders if o["status"] in OPEN_STATUSES][:5]
    assert [n for n in open_numbers if any(n in p for p in offered)] == open_numbers

    chosen = next(o for o in orders if o["status"] in OPEN_STATUSES)
    replies = stack.say(sender, offered[0], {"customer_token": token})
    text = reply_text(replies)
    assert chosen["order_no"] in text and chosen["status_label"] in text


def test_anonymous_customer_is_verified_by_order_number_and_phone_tail(stack, shipped_order):
    customer, order = shipped_order
    sender = new_sender()
    asked = reply_text(stack.say(sender, "我的快递到哪了？"))
    assert "订单号" in asked and order["order_no"] not in asked

    asked = reply_text(stack.say(sender, order["order_no"].lower()))
    assert "后四位" in asked

    tail = customer["phone_masked"][-4:]
    answer = reply_text(stack.say(sender, f"尾号{tail}"))
    assert_describes(answer, order)
    assert "没太明白" not in answer


def test_wrong_phone_tail_reveals_nothing(stack, shipped_order):
    customer, order = shipped_order
    wrong_tail = f"{(int(customer['phone_masked'][-4:]) + 1) % 10000:04d}"
    text = reply_text(stack.say(new_sender(), f"{order['order_no']} 手机尾号 {wrong_tail}"))
    assert "没有对上" in text
    assert order["status_label"] not in text
    assert order["shipment"]["carrier"] not in text
    assert order["shipment"]["tracking_no"] not in text


def test_forged_token_is_refused_and_reveals_nothing(stack, shipped_order):
    customer, order = shipped_order
    genuine = stack.token(customer["id"])
    header, payload, signature = genuine.split(".")
    forged = f"{header}.{payload}.{signature[::-1]}"
    for token in (forged, "not-a-token", ""):
        text = reply_text(
            stack.say(new_sender(), f"订单{order['order_no']}到哪了", {"customer_token": token})
        )
        assert "凭证无效" in text
        assert order["status_label"] not in text
        assert order["shipment"]["carrier"] not in text
        assert order["shipment"]["events"][0]["description"] not in text


def test_someone_elses_order_is_not_found(stack, seeded, shipped_order):
    owner, order = shipped_order
    other = next(c for c, orders in seeded if c["id"] != owner["id"])
    text = reply_text(
        stack.say(new_sender(), f"查一下{order['order_no']}",
                  {"customer_token": stack.token(other["id"])})
    )
    assert "没有找到订单" in text
    assert order["shipment"]["carrier"] not in text


def test_unknown_order_gets_a_polite_answer(stack, shipped_order):
    customer, _ = shipped_order
    text = reply_text(
        stack.say(new_sender(), "KF209912319999 到哪了", {"customer_token": stack.token(customer["id"])})
    )
    assert "没有找到订单 KF209912319999" in text


def test_customer_can_abandon_verification(stack):
    sender = new_sender()
    stack.say(sender, "帮我查下物流")
    text = reply_text(stack.say(sender, "算了，不查了"))
    assert "取消" in text
    assert "您好" in reply_text(stack.say(sender, "你好"))
