"""Rasa's endpoint requests through a kept session (bot/endpoint_sessions.py), against a real HTTP
server on loopback: one connection for many calls, the same answers and errors as Rasa's own,
and a call after the connection went idle still goes through."""

import asyncio
from typing import Any, Set

import pytest
from aiohttp import web
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from bot import endpoint_sessions


async def test_calls_share_one_connection_and_answer_as_rasa(monkeypatch) -> None:
    monkeypatch.setattr(EndpointConfig, "session", endpoint_sessions.kept_session)
    peers: Set[Any] = set()

    async def webhook(request: web.Request) -> web.Response:
        peers.add(request.transport.get_extra_info("peername"))
        body = await request.json()
        if body.get("fail"):
            return web.json_response({"error": "坏了"}, status=500)
        return web.json_response({"echo": body, "auth": request.headers.get("Authorization")})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook",
                              headers={"Authorization": "Bearer t"})
    try:
        for n in range(20):
            body = {"n": n, "text": "订单 KF1/2 “到哪了”", "at": 1764600000.123456, "none": None}
            assert await endpoint.request(json=body, method="post") == {
                "echo": body, "auth": "Bearer t"}
        with pytest.raises(ClientResponseError) as raised:
            await endpoint.request(json={"fail": True}, method="post")
        assert raised.value.status == 500
        assert len(peers) == 1
        await asyncio.sleep(endpoint_sessions.IDLE_SECONDS + 0.5)
        assert await endpoint.request(json={"n": 99}, method="post") == {
            "echo": {"n": 99}, "auth": "Bearer t"}
        assert len(peers) == 2
    finally:
        async with endpoint.session() as session:
            await session.close()
        await runner.cleanup()
