"""Restarting a component loses nothing: conversations live in the tracker store, data in the CRM."""

import os
import signal
from typing import List

import pytest

from scripts.stack import Supervisor
from tests.e2e.conftest import RunningStack, new_sender, reply_text

pytestmark = pytest.mark.e2e


def test_rasa_restart_keeps_the_verified_conversation(stack: RunningStack):
    order = stack.crm("/api/customers/1/orders?status=shipped&limit=1")["orders"][0]
    tail = stack.crm("/api/customers/1")["phone_masked"][-4:]
    sender = new_sender()
    verified = reply_text(stack.say(sender, f"{order['order_no']} 尾号{tail} 到哪了"))
    assert order["status_label"] in verified

    stack.processes.restart("rasa")
    stack.processes.restart("actions")

    again = reply_text(stack.say(sender, f"订单{order['order_no']}现在到哪了"))
    assert "后四位" not in again, again
    assert order["order_no"] in again and order["status_label"] in again


@pytest.mark.parametrize("name", ["actions", "crm"])
def test_the_supervisor_restarts_a_killed_process_and_says_so(stack: RunningStack, name: str):
    process = stack.processes.process(name)
    os.killpg(process.popen.pid, signal.SIGKILL)
    process.popen.wait(timeout=30)
    lines: List[str] = []
    Supervisor(stack.processes, log=lines.append).check()
    assert stack.processes.running()
    assert any(f"{name} 意外退出" in line for line in lines)
    assert any(f"{name} 已重启" in line for line in lines)
    sender = new_sender()
    text = reply_text(stack.say(sender, "我的积分有多少", {"customer_token": stack.token(1)}))
    assert "积分" in text and "暂时" not in text
