"""Helpers shared by the end-to-end tests: a conversation, CRM discovery, webhook calls."""

import json
import time
import urllib.request
from typing import Any, Dict, List, Optional

import yaml

from scripts.stack import REPO
from tests.e2e.conftest import RunningStack, new_sender, reply_text


class Conversation:
    """One logged-in customer talking to the bot; keeps the last buttons offered."""

    def __init__(self, stack: RunningStack, customer_id: int = 1) -> None:
        self.stack = stack
        self.sender = new_sender()
        self.metadata = {"customer_token": stack.token(customer_id)}
        self.replies: List[Dict[str, Any]] = []

    def say(self, text: str) -> str:
        self.replies = self.stack.say(self.sender, text, self.metadata)
        return reply_text(self.replies)

    def payloads(self) -> List[str]:
        return [b["payload"] for r in self.replies for b in r.get("buttons") or []]


def payloads(replies: List[Dict[str, Any]]) -> List[str]:
    return [b["payload"] for r in replies for b in r.get("buttons") or []]


def orders_of(stack: RunningStack, customer_id: int, limit: int = 20) -> List[Dict[str, Any]]:
    return stack.crm(f"/api/customers/{customer_id}/orders?limit={limit}")["orders"]


def find_order(stack: RunningStack, status: str, exclude: tuple = (),
               customers: range = range(1, 40)) -> Dict[str, Any]:
    """A seeded order in `status` with its customer id (from the CRM, not hard-coded)."""
    for customer_id in customers:
        try:
            orders = orders_of(stack, customer_id)
        except Exception:
            continue
        for order in orders:
            if order["status"] == status and order["order_no"] not in exclude:
                return {**order, "customer_id": customer_id}
    raise AssertionError(f"the seed has no order in status {status}")


def order_of(stack: RunningStack, customer_id: int, product: str, status: str) -> str:
    """The number of a customer's seeded order in `status` for a product (asked of the CRM: the
    seed's dates, and so its order numbers, follow the day the tests run)."""
    for order in orders_of(stack, customer_id, limit=50):
        if order["status"] == status and product in order["item_summary"]:
            return order["order_no"]
    raise AssertionError(f"customer {customer_id} has no {status} order of {product}")


def handoffs_of(stack: RunningStack, conversation_id: str) -> List[Dict[str, Any]]:
    """The CRM's handoffs of a conversation (the agent queue, every status)."""
    body = stack.crm("/api/handoffs?limit=200")
    handoffs = body.get("handoffs", body) if isinstance(body, dict) else body
    return [h for h in handoffs if h.get("conversation_id") == conversation_id]


def action_body(action: str, sender: str, slots: Dict[str, Any], text: str, intent: str,
                timestamp: Optional[float] = None, entities: Optional[list] = None,
                metadata: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """What Rasa posts to run `action` after one user message (fixed timestamp for retries)."""
    stamp = timestamp if timestamp is not None else time.time()
    parse = {"intent": {"name": intent}, "entities": entities or [], "text": text}
    user_event = {"event": "user", "text": text, "timestamp": stamp, "metadata": metadata or {},
                  "parse_data": parse}
    return {
        "next_action": action,
        "sender_id": sender,
        "tracker": {"sender_id": sender, "slots": slots, "events": [user_event],
                    "latest_message": parse, "active_loop": {}, "paused": False,
                    "latest_action_name": "action_listen"},
        "domain": {},
    }


def action_request(stack: RunningStack, body: Dict[str, Any],
                   secret: Optional[str] = "stack") -> urllib.request.Request:
    """A POST to the action server carrying the shared secret Rasa sends (or `secret`)."""
    headers = {"Content-Type": "application/json"}
    token = stack.config.action_token if secret == "stack" else secret
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return urllib.request.Request(f"{stack.config.actions_url}/webhook",
                                  data=json.dumps(body).encode(), headers=headers)


def vouched(customer_id: Optional[int]) -> Dict[str, Any]:
    """User-message metadata as the channel writes it after the CRM checked a token."""
    return {} if customer_id is None else {"kefu_identity": {"customer_id": customer_id}}


def call_action(stack: RunningStack, action: str, sender: str, slots: Dict[str, Any],
                text: str, intent: str, timestamp: Optional[float] = None,
                entities: Optional[list] = None, customer_id: Optional[int] = None
                ) -> Dict[str, Any]:
    """Call the action server's webhook the way Rasa does, for a message of `customer_id`."""
    body = action_body(action, sender, slots, text, intent, timestamp, entities,
                       vouched(customer_id))
    with urllib.request.urlopen(action_request(stack, body), timeout=30) as response:
        return json.loads(response.read())


RESPONSES = yaml.safe_load((REPO / "domain.yml").read_text(encoding="utf-8"))["responses"]


class _Kept(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def texts(result: Dict[str, Any]) -> str:
    """What the customer reads of an action's answer: its texts, and the domain.yml responses it
    names filled with their variables (as Rasa does when the answer passes through it)."""
    said = []
    for r in result["responses"]:
        if r.get("response"):
            template = RESPONSES[r["response"]][0]["text"]
            said.append(template.format_map(_Kept({k: v for k, v in r.items() if v is not None})))
        else:
            said.append(r.get("text") or "")
    return "\n".join(said)
