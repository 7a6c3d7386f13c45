"""A proxy between the action server and the CRM that can be made slow on purpose (for the
WeChat channel's answers that miss the passive window)."""

import asyncio

import aiohttp
from aiohttp import web

from scripts.fake_wechat import BackgroundApp

HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}


class SlowProxy(BackgroundApp):
    """Forwards every request to `target`, each after `delay` seconds (0 by default)."""

    def __init__(self, port: int, target: str) -> None:
        self.target = target.rstrip("/")
        self.delay = 0.0
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        super().__init__(app, port)

    async def _forward(self, request: web.Request) -> web.Response:
        if self.delay:
            await asyncio.sleep(self.delay)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        async with aiohttp.ClientSession() as http:
            async with http.request(request.method, f"{self.target}{request.path_qs}",
                                    headers=headers, data=await request.read()) as answer:
                body = await answer.read()
                kept = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_HEADERS}
                return web.Response(status=answer.status, body=body, headers=kept)
