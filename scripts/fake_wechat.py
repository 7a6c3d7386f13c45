"""WeChat's server API as far as Kefu uses it (stable_token, customer-service messages), on
loopback: the only stand-in the tests use, and what `scripts/wechat_sim.py` shows a developer
without an Official Account. It can expire its token and answer chosen error codes."""

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from aiohttp import web


@dataclass
class FakeWeChatState:
    """What the fake API has issued and received (read by tests and the simulator)."""

    tokens_issued: int = 0
    current_token: Optional[str] = None
    sent: List[Dict[str, Any]] = field(default_factory=list)
    refused: List[Dict[str, Any]] = field(default_factory=list)
    next_errcodes: List[int] = field(default_factory=list)

    def expire_token(self) -> None:
        """The token in use stops working, as after WeChat's two hours or another fetch."""
        self.current_token = f"expired-{self.tokens_issued}"

    def texts_to(self, open_id: str) -> List[str]:
        return [m["text"]["content"] for m in self.sent if m.get("touser") == open_id]


def create_app(state: FakeWeChatState) -> web.Application:
    """The fake API's aiohttp application."""

    async def stable_token(request: web.Request) -> web.Response:
        body = await request.json()
        if not body.get("appid") or not body.get("secret"):
            return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
        state.tokens_issued += 1
        state.current_token = f"token-{state.tokens_issued}"
        return web.json_response({"access_token": state.current_token, "expires_in": 7200})

    async def custom_send(request: web.Request) -> web.Response:
        message = await request.json()
        if request.query.get("access_token") != state.current_token:
            state.refused.append({"errcode": 40001, **message})
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        if state.next_errcodes:
            code = state.next_errcodes.pop(0)
            state.refused.append({"errcode": code, **message})
            return web.json_response({"errcode": code, "errmsg": "refused by the fake API"})
        state.sent.append(message)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    app = web.Application()
    app.router.add_post("/cgi-bin/stable_token", stable_token)
    app.router.add_post("/cgi-bin/message/custom/send", custom_send)
    return app


class BackgroundApp:
    """An aiohttp application served from a thread of its own on 127.0.0.1:`port` (for code that
    is not async itself: tests, the simulator)."""

    def __init__(self, app: web.Application, port: int) -> None:
        self.app, self.port = app, port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: Optional[web.AppRunner] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "BackgroundApp":
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(10)
        return self

    async def _serve(self) -> None:
        self._runner = web.AppRunner(self.app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


class FakeWeChatServer(BackgroundApp):
    """The fake API, with its state."""

    def __init__(self, port: int) -> None:
        self.state = FakeWeChatState()
        super().__init__(create_app(self.state), port)
