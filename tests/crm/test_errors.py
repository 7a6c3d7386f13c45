"""The error middleware turns every failure into a JSON body."""

from __future__ import annotations

from typing import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from crm_backend.core.http import ApiError, error_middleware


async def _boom(_request: web.Request) -> web.Response:
    raise RuntimeError("database exploded")


async def _api_error(_request: web.Request) -> web.Response:
    raise ApiError(400, "invalid_request", "字段有误", "name")


@pytest.fixture
async def bare_client() -> AsyncIterator[TestClient]:
    app = web.Application(middlewares=[error_middleware])
    app.router.add_get("/boom", _boom)
    app.router.add_get("/api-error", _api_error)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


async def test_unexpected_exception_is_logged_json_500(bare_client: TestClient, caplog) -> None:
    resp = await bare_client.get("/boom")
    assert resp.status == 500
    body = await resp.json()
    assert body == {"error": "internal_error", "message": "服务器内部错误，请稍后重试"}
    assert "database exploded" not in await resp.text()
    assert any("unhandled error" in r.message for r in caplog.records)


async def test_api_error_carries_field(bare_client: TestClient) -> None:
    resp = await bare_client.get("/api-error")
    assert resp.status == 400
    assert await resp.json() == {"error": "invalid_request", "message": "字段有误", "field": "name"}


async def test_json_is_utf8_not_escaped(bare_client: TestClient) -> None:
    resp = await bare_client.get("/api-error")
    assert "字段有误" in (await resp.read()).decode("utf-8")
