"""The CRM's access log keeps people's requests and every refused or failed call, not the bot's
routine service calls (served the way `python -m crm_backend serve` serves them)."""

from __future__ import annotations

import logging
import uuid
from typing import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from crm_backend.app import create_app
from crm_backend.core.access_log import CRMAccessLogger, is_routine_service_call


@pytest.mark.parametrize("path, status, routine", [
    ("/api/conversations/c-1/inbound", 201, True),
    ("/api/customers/3/points", 200, True),
    ("/api/customers/999/points", 404, False),
    ("/api/orders/KF1", 401, False),
    ("/api/staff/handoffs", 200, False),
    ("/staff/login", 200, False),
    ("/widget/kefu-widget.js", 200, False),
    ("/apiary", 200, False),
])
def test_routine_service_calls(path: str, status: int, routine: bool) -> None:
    assert is_routine_service_call(path, status) is routine


@pytest.fixture
async def served(config, clock) -> AsyncIterator[TestClient]:
    server = TestServer(create_app(config, clock), host="127.0.0.1")
    await server.start_server(access_log_class=CRMAccessLogger)
    client = TestClient(server)
    await client.start_server()
    yield client
    await client.close()


async def test_the_log_keeps_people_and_failures_only(served, auth, caplog) -> None:
    conversation = f"conv-{uuid.uuid4().hex}"
    with caplog.at_level(logging.INFO, logger="aiohttp.access"):
        kept = await served.post(f"/api/conversations/{conversation}/inbound", headers=auth,
                                 json={"channel": "web", "text": "在吗"})
        refused = await served.get(f"/api/conversations/{conversation}/messages")
        page = await served.get("/staff/login")
    assert (kept.status, refused.status, page.status) == (201, 401, 200)
    logged = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert not any("/inbound" in line for line in logged)
    assert any(f"GET /api/conversations/{conversation}/messages" in line and " 401 " in line
               for line in logged)
    assert any("GET /staff/login" in line for line in logged)
