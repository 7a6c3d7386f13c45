"""The demo shop page, its demo-only tokens and the widget script's address."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from crm_backend.app import create_app
from crm_backend.core.clock import FixedClock
from crm_backend.core.config import CRMConfig
from crm_backend.identity.rules import verify_customer_token

from .conftest import TOKEN_SECRET


@pytest.fixture
def widget_file(tmp_path: Path) -> Path:
    path = tmp_path / "kefu-widget.js"
    path.write_text("window.KefuWidget = {};\n", encoding="utf-8")
    return path


@pytest.fixture
async def demo_client(config: CRMConfig, clock: FixedClock,
                      widget_file: Path) -> AsyncIterator[TestClient]:
    demo = dataclasses.replace(config, demo_mode=True, widget_script=widget_file,
                               widget_socket_url="http://127.0.0.1:5005", shop_name="<b>小象</b>")
    client = TestClient(TestServer(create_app(demo, clock), host="127.0.0.1"))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


async def test_the_page_offers_demo_customers_and_configures_the_widget(demo_client) -> None:
    response = await demo_client.get("/demo/")
    assert response.status == 200 and response.content_type == "text/html"
    html = await response.text()
    assert "王建国" in html and "匿名访客" in html and 'src="/widget/kefu-widget.js"' in html
    assert '"socketUrl": "http://127.0.0.1:5005"' in html
    # The shop's name is data: escaped in the page and in the embedded JSON alike.
    assert "<b>小象</b>" not in html and "&lt;b&gt;小象&lt;/b&gt;" in html
    assert "\\u003cb\\u003e" in html


async def test_a_demo_token_names_the_chosen_customer(demo_client, clock) -> None:
    response = await demo_client.post("/demo/token", json={"customer_id": 2})
    assert response.status == 200
    body = await response.json()
    assert body["customer"]["name"] == "李娜"
    assert verify_customer_token(TOKEN_SECRET, body["customer_token"], clock.now(), 86400) == 2


@pytest.mark.parametrize("kwargs, status", [
    ({"json": {"customer_id": 999999}}, 404),
    ({"json": {"customer_id": "1"}}, 400),
    ({"json": {}}, 400),
    ({"data": "customer_id=1", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
     403),
    ({"json": {"customer_id": 1}, "headers": {"Origin": "https://evil.example"}}, 403),
])
async def test_bad_token_requests_are_refused(demo_client, kwargs, status) -> None:
    response = await demo_client.post("/demo/token", **kwargs)
    assert response.status == status
    assert "customer_token" not in await response.json()


async def test_outside_demo_mode_there_is_no_demo(client) -> None:
    for response in (await client.get("/demo/"),
                     await client.post("/demo/token", json={"customer_id": 1})):
        assert response.status == 404
        assert "KEFU_DEMO_MODE" in (await response.json())["message"]


async def test_the_widget_script_is_served_and_revalidated(demo_client) -> None:
    response = await demo_client.get("/widget/kefu-widget.js")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("application/javascript")
    assert response.headers["Cache-Control"] == "no-cache"
    assert await response.text() == "window.KefuWidget = {};\n"


async def test_an_unbuilt_widget_says_what_to_run(config, clock, tmp_path) -> None:
    missing = dataclasses.replace(config, widget_script=tmp_path / "none.js")
    client = TestClient(TestServer(create_app(missing, clock), host="127.0.0.1"))
    await client.start_server()
    try:
        response = await client.get("/widget/kefu-widget.js")
        assert response.status == 503 and "make setup" in await response.text()
    finally:
        await client.close()
