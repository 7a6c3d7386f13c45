"""The action server on its own: its webhook, called the way Rasa calls it, against the real CRM."""

import json
import socket
import urllib.error
import urllib.request
from typing import Any, Dict, List, Optional

import pytest

from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def call_action(stack: RunningStack, slots: Dict[str, Any], metadata: Optional[dict] = None,
                action: str = "action_order_status") -> Dict[str, Any]:
    user_event = {"event": "user", "text": "我的快递到哪了", "metadata": metadata or {},
                  "parse_data": {"intent": {"name": "order_status"}, "entities": []}}
    body = {
        "next_action": action,
        "sender_id": "action-test",
        "tracker": {"sender_id": "action-test", "slots": slots, "events": [user_event],
                    "latest_message": {"text": "我的快递到哪了", "intent": {"name": "order_status"},
                                       "entities": []},
                    "active_loop": {}, "paused": False, "latest_action_name": "action_listen"},
        "domain": {},
    }
    request = urllib.request.Request(
        f"{stack.config.actions_url}/webhook", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def texts(result: Dict[str, Any]) -> str:
    return "\n".join(r.get("text") or "" for r in result["responses"])


def slot_events(result: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [e for e in result["events"] if e["event"] == "slot"]


def test_unidentified_customer_is_sent_to_the_lookup_form(stack: RunningStack):
    result = call_action(stack, {"customer_id": None, "order_no": None, "phone_tail": None})
    assert {"event": "followup", "name": "order_lookup_form"} in [
        {k: e.get(k) for k in ("event", "name")} for e in result["events"]
    ]
    assert result["responses"] == []


def test_verified_lookup_sets_the_customer_and_resumes_the_inquiry(stack: RunningStack):
    order_no = stack.crm("/api/customers/1/orders?limit=1")["orders"][0]["order_no"]
    tail = stack.crm("/api/customers/1")["phone_masked"][-4:]
    slots = {"customer_id": None, "order_no": order_no, "phone_tail": tail,
             "pending_inquiry": "action_order_status"}
    result = call_action(stack, slots, action="action_verify_lookup")
    assert {"name": "customer_id", "value": 1} in [
        {k: e.get(k) for k in ("name", "value")} for e in slot_events(result)
    ]
    assert order_no in texts(result)
    assert all(e["event"] != "followup" for e in result["events"])


def test_wrong_tail_is_refused_without_binding(stack: RunningStack):
    order_no = stack.crm("/api/customers/1/orders?limit=1")["orders"][0]["order_no"]
    tail = stack.crm("/api/customers/1")["phone_masked"][-4:]
    wrong = f"{(int(tail) + 1) % 10000:04d}"
    result = call_action(stack, {"customer_id": None, "order_no": order_no, "phone_tail": wrong},
                         action="action_verify_lookup")
    assert "没有对上" in texts(result)
    assert all(e.get("name") != "customer_id" for e in slot_events(result))


def test_valid_token_sets_the_customer_slot(stack: RunningStack):
    result = call_action(stack, {"customer_id": None}, {"customer_token": stack.token(2)})
    assert {"name": "customer_id", "value": 2} in [
        {k: e.get(k) for k in ("name", "value")} for e in slot_events(result)
    ]


def test_forged_token_clears_the_customer_slot(stack: RunningStack):
    result = call_action(stack, {"customer_id": 3}, {"customer_token": "eyJhbGciOi.forged.sig"})
    assert {"name": "customer_id", "value": None} in [
        {k: e.get(k) for k in ("name", "value")} for e in slot_events(result)
    ]
    assert "凭证无效" in texts(result)


def test_unknown_action_name_is_a_clear_error(stack: RunningStack):
    body = json.dumps({"next_action": "action_does_not_exist", "tracker": {}}).encode()
    request = urllib.request.Request(f"{stack.config.actions_url}/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
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
