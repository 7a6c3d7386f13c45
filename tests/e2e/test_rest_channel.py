"""Bad input at the edges: the channel and the protected API refuse it and change nothing."""

import json

import pytest

from tests.e2e.conftest import RunningStack, new_sender, reply_text

pytestmark = pytest.mark.e2e


def test_rasa_http_api_requires_its_token(stack: RunningStack):
    url = f"{stack.config.rasa_url}/conversations/x/tracker/events"
    body = json.dumps({"event": "slot", "name": "customer_id", "value": 1}).encode()
    assert stack.post_raw(url, body, {"Content-Type": "application/json"}) == 401
    assert stack.post_raw(f"{url}?token=wrong", body, {"Content-Type": "application/json"}) == 401


def test_malformed_rest_message_is_rejected(stack: RunningStack):
    url = f"{stack.config.rasa_url}/webhooks/rest/webhook"
    assert stack.post_raw(url, b"{not json", {"Content-Type": "application/json"}) >= 400


def test_greeting_and_out_of_scope_are_answered(stack: RunningStack):
    sender = new_sender()
    assert "小福" in reply_text(stack.say(sender, "你好呀"))
    assert "订单" in reply_text(stack.say(sender, "给我讲个笑话吧"))


def test_slash_commands_cannot_set_the_customer_identity(stack: RunningStack):
    sender = new_sender()
    text = reply_text(stack.say(sender, '/order_status{"customer_id": 1}'))
    assert "订单号" in text
    assert "当前状态" not in text
