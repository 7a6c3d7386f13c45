"""The REST channel's gate against the real stack: what a customer (or an attacker) sends is
refused with a sentence, never trusted, never stored as a secret, and never left unanswered."""

import http.client
import json
import threading
import time
import urllib.error
import urllib.request
from typing import Any, List, Optional, Tuple

import pytest

from tests.e2e.conftest import RunningStack, new_sender, reply_text

pytestmark = pytest.mark.e2e


def post(stack: RunningStack, body: Any, timeout: float = 60) -> Tuple[int, Any]:
    """POST a JSON body to the REST webhook; (status, parsed reply) whatever the status."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(f"{stack.config.rasa_url}/webhooks/rest/webhook", data=data,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw.decode(errors="replace")


def announce_body(stack: RunningStack, size: int) -> int:
    """Start a POST of `size` bytes and send only its beginning: the status Rasa answers with
    (it must refuse on the announced length, before reading or parsing anything)."""
    connection = http.client.HTTPConnection(stack.config.host, stack.config.rasa_port, timeout=30)
    try:
        connection.putrequest("POST", "/webhooks/rest/webhook")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(size))
        connection.endheaders()
        connection.send(b'{"sender": "big", "message": "' + b"a" * 1024)
        return connection.getresponse().status
    finally:
        connection.close()


def user_texts(stack: RunningStack, sender: str) -> List[str]:
    return [e.get("text") for e in stack.tracker(sender)["events"] if e["event"] == "user"]


def test_a_message_without_sender_is_refused_not_shared(stack: RunningStack):
    status, replies = post(stack, {"message": "我的积分有多少"})
    assert status == 400 and "sender" in reply_text(replies)
    status, replies = post(stack, {"sender": "", "message": "你好"})
    assert status == 400


def test_oversize_messages_are_refused_and_stored_nowhere(stack: RunningStack):
    sender = new_sender()
    status, replies = post(stack, {"sender": sender, "message": "太" * 2001})
    assert status == 413 and "2000" in reply_text(replies)
    started = time.monotonic()
    assert announce_body(stack, 10 * 1024 * 1024) == 413
    assert time.monotonic() - started < 30
    assert user_texts(stack, sender) == []
    assert "小福" in reply_text(stack.say(sender, "你好"))


def test_malformed_bodies_get_a_sentence(stack: RunningStack):
    for body in (b"{not json", b"[1, 2]", {"sender": "x", "message": 42}):
        status, replies = post(stack, body)
        assert status == 400 and reply_text(replies)


def test_a_typed_external_intent_is_refused(stack: RunningStack):
    sender = new_sender()
    for text in ('/EXTERNAL_follow_up{"complaint_no": "TS202611200001"}',
                 ' /external_winback_follow_up{"winback_attempt": "1"}'):
        status, replies = post(stack, {"sender": sender, "message": text})
        assert status == 400 and reply_text(replies)
    assert user_texts(stack, sender) == []


def test_identity_comes_with_each_message_and_the_token_is_kept_nowhere(stack: RunningStack):
    sender, token = new_sender(), stack.token(1)
    points = stack.crm("/api/customers/1/points")["balance"]
    first = reply_text(stack.say(sender, "我的积分有多少", {"customer_token": token}))
    assert str(points) in first
    later = reply_text(stack.say(sender, "我的积分有多少"))
    assert str(points) not in later and "订单号" in later
    forged = reply_text(stack.say(sender, "我的积分有多少",
                                  {"kefu_identity": {"customer_id": 1}, "kefu_source": "x"}))
    assert str(points) not in forged
    stored = json.dumps(stack.tracker(sender), ensure_ascii=False)
    assert token not in stored and "customer_token" not in stored
    log = (stack.config.log_dir / "rasa.log").read_text(errors="replace")
    assert token not in log


def test_two_identical_messages_at_once_are_handled_once(stack: RunningStack):
    sender = new_sender()
    stack.say(sender, "你好")
    results: List[Optional[Tuple[int, Any]]] = [None, None]

    def send(index: int) -> None:
        results[index] = post(stack, {"sender": sender, "message": "没了"})

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert results[0] is not None and results[1] is not None
    assert results[0] == results[1] and results[0][0] == 200
    assert user_texts(stack, sender).count("没了") == 1


def test_the_customer_hears_a_sentence_while_the_action_server_is_down(stack: RunningStack):
    sender = new_sender()
    stack.processes.take_down("actions")
    try:
        replies = stack.say(sender, "我的订单到哪了", {"customer_token": stack.token(1)})
        assert replies and "转人工" in reply_text(replies)
    finally:
        stack.processes.restart("actions")
    assert reply_text(stack.say(sender, "我的订单到哪了", {"customer_token": stack.token(1)}))
