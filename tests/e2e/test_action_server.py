"""The action server on its own: its webhook, called the way Rasa calls it, against the real CRM."""

import json
import socket
import urllib.error
import urllib.request
from typing import Any, Dict, Optional

import pytest

from tests.e2e.conftest import RunningStack, new_sender
from tests.e2e.inquiry_helpers import action_body, action_request, vouched

pytestmark = pytest.mark.e2e


def call_action(stack: RunningStack, slots: Dict[str, Any], metadata: Optional[dict] = None,
                action: str = "action_order_status", sender: Optional[str] = None
                ) -> Dict[str, Any]:
    body = action_body(action, sender or new_sender(), slots, "我的快递到哪了", "order_status",
                       metadata=metadata)
    with urllib.request.urlopen(action_request(stack, body), timeout=30) as response:
        return json.loads(response.read())


def texts(result: Dict[str, Any]) -> str:
    return "\n".join(r.get("text") or "" for r in result["responses"])


def binding_of(stack: RunningStack, sender: str) -> Optional[int]:
    try:
        return stack.crm(f"/api/identity/bindings/{sender}")["binding"]["customer_id"]
    except urllib.error.HTTPError as error:
        assert error.code == 404
        return None


def test_unidentified_customer_is_sent_to_the_lookup_form(stack: RunningStack):
    result = call_action(stack, {"order_no": None, "phone_tail": None})
    assert {"event": "followup", "name": "order_lookup_form"} in [
        {k: e.get(k) for k in ("event", "name")} for e in result["events"]
    ]
    assert result["responses"] == []


def test_verified_lookup_binds_the_conversation_in_the_crm_and_resumes(stack: RunningStack):
    order_no = stack.crm("/api/customers/1/orders?limit=1")["orders"][0]["order_no"]
    tail = stack.crm("/api/customers/1")["phone_masked"][-4:]
    sender = new_sender()
    slots = {"order_no": order_no, "phone_tail": tail, "pending_inquiry": "action_order_status"}
    result = call_action(stack, slots, action="action_verify_lookup", sender=sender)
    assert order_no in texts(result)
    assert binding_of(stack, sender) == 1
    again = call_action(stack, {"order_no": None}, sender=sender)
    assert order_no in json.dumps(again["responses"], ensure_ascii=False), \
        "the CRM's binding identifies the next message"


def test_wrong_tail_is_refused_without_binding(stack: RunningStack):
    order_no = stack.crm("/api/customers/1/orders?limit=1")["orders"][0]["order_no"]
    tail = stack.crm("/api/customers/1")["phone_masked"][-4:]
    wrong = f"{(int(tail) + 1) % 10000:04d}"
    sender = new_sender()
    result = call_action(stack, {"order_no": order_no, "phone_tail": wrong},
                         action="action_verify_lookup", sender=sender)
    assert "没有对上" in texts(result)
    assert binding_of(stack, sender) is None


def test_identity_the_channel_vouched_for_is_used_for_that_message_only(stack: RunningStack):
    order_no = stack.crm("/api/customers/2/orders?limit=1")["orders"][0]["order_no"]
    sender = new_sender()
    result = call_action(stack, {}, vouched(2), sender=sender)
    assert order_no in json.dumps(result["responses"], ensure_ascii=False)
    assert binding_of(stack, sender) is None, "a token never becomes a lasting binding"
    rejected = call_action(stack, {}, {"kefu_identity": {"rejected": True}}, sender=sender)
    assert "凭证无效" in texts(rejected)
    assert order_no not in json.dumps(rejected["responses"], ensure_ascii=False)


@pytest.mark.parametrize("secret", [None, "wrong-secret", ""])
def test_webhook_refuses_callers_without_the_shared_secret(stack: RunningStack, secret):
    points = stack.crm("/api/customers/8/points")["balance"]
    call = action_body("action_confirm", new_sender(),
                       {"pending_confirmation": {"kind": "redeem", "reward_id": "coupon-10"}},
                       "确认", "affirm", metadata=vouched(8))
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(action_request(stack, call, secret=secret), timeout=30)
    assert error.value.code == 401
    assert "tracker" not in error.value.read().decode()
    assert stack.crm("/api/customers/8/points")["balance"] == points


def test_unknown_action_name_is_a_clear_error(stack: RunningStack):
    request = action_request(stack, {"next_action": "action_does_not_exist", "tracker": {}})
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=30)
    assert error.value.code == 404


def _outward_address() -> Optional[str]:
    """This machine's address on its default route (a UDP connect sends nothing)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


def test_no_process_listens_beyond_loopback(stack: RunningStack):
    address = _outward_address()
    if address is None:
        pytest.skip("this machine has no address besides loopback")
    config = stack.config
    for name, port in (("crm", config.crm_port), ("actions", config.actions_port),
                       ("rasa", config.rasa_port)):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as outside:
            outside.settimeout(3)
            reached = outside.connect_ex((address, port)) == 0
        assert not reached, f"{name} answers on {address}:{port}"
        with socket.create_connection((config.host, port), timeout=3):
            pass


def test_phone_tail_guesses_lock_the_conversation_even_for_the_right_tail(stack: RunningStack):
    order_no = stack.crm("/api/customers/3/orders?limit=1")["orders"][0]["order_no"]
    tail = stack.crm("/api/customers/3")["phone_masked"][-4:]
    sender = new_sender()
    wrong = [f"{(int(tail) + step) % 10000:04d}" for step in range(1, 6)]
    for guess in wrong:
        body = action_body("action_verify_lookup", sender, {"order_no": order_no, "phone_tail": guess},
                           guess, "inform", metadata={"kefu_source": "198.51.100.7"})
        with urllib.request.urlopen(action_request(stack, body), timeout=30) as response:
            assert "没有对上" in texts(json.loads(response.read()))
    body = action_body("action_verify_lookup", sender, {"order_no": order_no, "phone_tail": tail},
                       tail, "inform", metadata={"kefu_source": "198.51.100.7"})
    with urllib.request.urlopen(action_request(stack, body), timeout=30) as response:
        locked = texts(json.loads(response.read()))
    assert "验证失败次数过多" in locked and order_no not in locked
    assert binding_of(stack, sender) is None
