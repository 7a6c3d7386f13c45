"""The scale-out configuration (docs/scale-out.md) as customers and agents meet it: two Rasa
servers sharing PostgreSQL trackers, a Redis lock store and Redis socket.io rooms, behind nginx.

The alternation test talks to the two Rasa servers directly (so that it knows which server takes
which message); the others go through nginx, as customers and the CRM do. The last test kills a
Rasa server, so it stays last in the module.
"""

import asyncio
import threading
import time
import uuid
from typing import Any, Dict, List, Optional

import pytest

from tests.e2e.widget_socket import WidgetSocket, person_says
from tests.scaleout.conftest import ScaleOutRun, post_json, reply_text

NO_REPLY = "没能处理您刚才的消息"

pytestmark = pytest.mark.scaleout


def user_turns(tracker: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Each user message of the tracker with the bot's texts up to the next one, and whether
    the turn ended listening (a whole turn, not cut into by another)."""
    turns: List[Dict[str, Any]] = []
    for event in tracker["events"]:
        kind = event.get("event")
        if kind == "user":
            turns.append({"text": event.get("text"), "bot": [], "listened": False})
        elif turns and kind == "bot":
            turns[-1]["bot"].append(event.get("text"))
        elif turns and kind == "action":
            turns[-1]["listened"] = event.get("name") == "action_listen"
    return turns


def wait_for(condition, what: str, limit: float = 120) -> None:
    """Wait until `condition()` holds (a generous limit: the machine may be busy)."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def customer_texts(run: ScaleOutRun, sender: str) -> List[str]:
    return [m["text"] for m in run.transcript(sender) if m.get("author") == "customer"]


def test_one_conversation_alternating_between_servers_stays_whole_and_in_order(
        scale_out: ScaleOutRun) -> None:
    """A customer types faster than the bot answers and each message reaches the other server:
    message k+1 is sent as soon as the CRM has message k (before its turn runs), so two servers
    hold turns of one conversation at once and only the Redis lock keeps them apart."""
    sender = f"scale-{uuid.uuid4().hex[:10]}"
    metadata = {"customer_token": scale_out.token(1)}
    texts = ["你好", "我的快递到哪了", "谢谢", "发货了吗", "好的", "我的积分有多少", "再见"]
    servers = scale_out.scale_out.rasa_urls
    replies: Dict[int, List[Dict[str, Any]]] = {}
    overlapped = 0
    threads: List[threading.Thread] = []

    def send(index: int) -> None:
        replies[index] = scale_out.say(servers[index % 2], sender, texts[index], metadata)

    for index in range(len(texts)):
        if index and (index - 1) not in replies:
            overlapped += 1
        thread = threading.Thread(target=send, args=(index,))
        thread.start()
        threads.append(thread)
        wait_for(lambda: len(customer_texts(scale_out, sender)) > index,
                 f"the CRM to keep message {index}")
    for thread in threads:
        thread.join()
    print(f"{overlapped} of {len(texts) - 1} messages arrived while the one before was running")

    assert all(replies[i] and NO_REPLY not in reply_text(replies[i]) for i in replies), replies
    assert customer_texts(scale_out, sender) == texts
    for server in servers:
        turns = user_turns(scale_out.tracker(sender, server))
        assert [t["text"] for t in turns] == texts
        assert all(t["listened"] for t in turns)
        # Each customer heard exactly the turn the tracker holds for their message.
        assert [t["bot"] for t in turns] == [[r.get("text") for r in replies[i]]
                                             for i in range(len(texts))]


def test_messages_arriving_at_both_servers_at_once_are_taken_one_at_a_time(
        scale_out: ScaleOutRun) -> None:
    """rasa#9213 head on: two messages of one conversation released together, one to each
    server, so both servers ask Redis for the conversation's lock at the same moment; round
    after round. Each is taken whole, once, with the replies its customer got."""
    sender = f"scale-{uuid.uuid4().hex[:10]}"
    metadata = {"customer_token": scale_out.token(3)}
    pairs = [("你好", "在吗"), ("我的快递到哪了", "谢谢"), ("发货了吗", "好的"),
             ("我的积分有多少", "再见")]
    servers = scale_out.scale_out.rasa_urls
    replies: Dict[str, List[Dict[str, Any]]] = {}

    def send(barrier: threading.Barrier, server: str, text: str) -> None:
        barrier.wait()
        replies[text] = scale_out.say(server, sender, text, metadata)

    for pair in pairs:
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=send, args=(barrier, server, text))
                   for server, text in zip(servers, pair)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    turns = user_turns(scale_out.tracker(sender))
    assert [sorted(t["text"] for t in turns[i:i + 2]) for i in range(0, len(turns), 2)] == [
        sorted(pair) for pair in pairs]
    assert all(t["listened"] for t in turns)
    assert all(t["bot"] == [r.get("text") for r in replies[t["text"]]] for t in turns)
    assert all(NO_REPLY not in reply_text(r) for r in replies.values())


def test_events_written_through_both_servers_at_once_are_all_kept(
        scale_out: ScaleOutRun) -> None:
    """The lock without the bot's own pace: Rasa's HTTP API (the way the CRM writes a person's
    message) takes the conversation's lock at once, so two servers asked together contend for
    it within a millisecond, round after round. A lock both servers hold at once would let one
    server's save overwrite the other's event, or fail a request."""
    sender = f"scale-{uuid.uuid4().hex[:10]}"
    servers = scale_out.scale_out.rasa_urls
    token = scale_out.config.rasa_api_token
    rounds = 100
    statuses: List[int] = []

    def append(barrier: threading.Barrier, server: str, text: str) -> None:
        barrier.wait()
        statuses.append(post_json(f"{server}/conversations/{sender}/tracker/events?token={token}",
                                  [{"event": "bot", "text": text}]))

    for index in range(rounds):
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=append, args=(barrier, server, f"{index}-{n}"))
                   for n, server in enumerate(servers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert statuses == [200] * (2 * rounds)
    said = [e["text"] for e in scale_out.tracker(sender)["events"] if e.get("event") == "bot"]
    assert sorted(said) == sorted(f"{i}-{n}" for i in range(rounds) for n in range(2))


async def _widget_hears(widget: WidgetSocket, text: str) -> Dict[str, Any]:
    for _ in range(600):
        for reply in widget.replies:
            if reply.get("text") == text:
                return reply
        await asyncio.sleep(0.1)
    raise AssertionError(f"the widget never showed {text!r}: {widget.replies}")


async def test_an_agent_message_reaches_a_widget_connected_to_the_other_server(
        scale_out: ScaleOutRun) -> None:
    """The widget's socket lives on Rasa server 2; the person's message goes into Rasa server 1
    (and then twice through nginx, round-robin, as the agent console's relay sends it)."""
    config = scale_out.config
    first, second = scale_out.scale_out.rasa_urls
    widget = await WidgetSocket(second, config.crm_url).open()
    try:
        assert widget.session_id
        answer = await widget.send("你好")
        assert answer["status"] == "ok" and widget.replies
        lines = ["您好，我是客服小美，这边帮您看一下。", "已经查到了，稍等。", "还有别的需要吗？"]
        await asyncio.to_thread(person_says, first, config.rasa_api_token, widget.session_id,
                                "小美", lines[0])
        shown = await _widget_hears(widget, lines[0])
        assert shown.get("person", {}).get("name") == "小美"
        for line in lines[1:]:
            await asyncio.to_thread(person_says, config.rasa_url, config.rasa_api_token,
                                    widget.session_id, "小美", line)
        for line in lines[1:]:
            await _widget_hears(widget, line)
        shown_lines = [r.get("text") for r in widget.replies if r.get("text") in lines]
        assert shown_lines == lines
    finally:
        await widget.close()


async def test_a_widget_through_nginx_keeps_its_session(scale_out: ScaleOutRun) -> None:
    """The widget long-polls: without sticky sessions half its polls would reach a server that
    does not know its connection. Through nginx every message is taken and answered, and a
    reconnect gets the conversation back."""
    config = scale_out.config
    widget = await WidgetSocket(config.rasa_url, config.crm_url).open()
    try:
        for text in ["你好", "我的快递到哪了", "谢谢"]:
            answer = await widget.send(text)
            assert answer["status"] == "ok"
        assert widget.replies and NO_REPLY not in widget.reply_text()
        session_id = widget.session_id
    finally:
        await widget.close()
    again = await WidgetSocket(config.rasa_url, config.crm_url).open(session_id)
    try:
        said = [m.get("text") for m in again.history or [] if m.get("role") == "user"]
        assert said == ["你好", "我的快递到哪了", "谢谢"]
    finally:
        await again.close()


def test_killing_a_rasa_server_mid_conversation_loses_nothing(scale_out: ScaleOutRun) -> None:
    """Rasa server 1 is killed (SIGKILL, no goodbye) between two messages of a conversation that
    both servers have served; nginx sends everything to server 2, which carries on with the
    whole conversation from PostgreSQL."""
    sender = f"scale-{uuid.uuid4().hex[:10]}"
    metadata = {"customer_token": scale_out.token(2)}
    before = ["你好", "我的快递到哪了", "谢谢", "我的积分有多少"]
    after = ["发货了吗", "好的", "再见"]
    replies: List[Optional[List[Dict[str, Any]]]] = []
    for text in before:
        replies.append(scale_out.say(scale_out.config.rasa_url, sender, text, metadata))

    scale_out.processes.process("rasa-1").kill()
    for text in after:
        replies.append(scale_out.say(scale_out.config.rasa_url, sender, text, metadata))

    texts = before + after
    assert all(r and NO_REPLY not in reply_text(r) for r in replies), replies
    turns = user_turns(scale_out.tracker(sender))
    assert [t["text"] for t in turns] == texts
    assert [t["bot"] for t in turns] == [[r.get("text") for r in reply] for reply in replies]
    assert customer_texts(scale_out, sender) == texts
