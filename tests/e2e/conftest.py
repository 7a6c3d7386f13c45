"""One running stack (CRM + action server + Rasa) per test session, on free loopback ports."""

import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional

import pytest
from playwright.sync_api import Browser, sync_playwright

from scripts.model import ensure_model
from scripts.browser import launch_chromium
from scripts.fake_wechat import FakeWeChatServer
from scripts.stack import Stack, StackConfig, crm_cli, free_port, seeded_stack
from tests.e2e.slow_proxy import SlowProxy


@dataclass
class RunningStack:
    config: StackConfig
    processes: Stack
    wechat_api: FakeWeChatServer
    crm_proxy: SlowProxy

    def crm(self, path: str, method: str = "GET", body: Optional[dict] = None) -> Any:
        """Call the CRM's API as the action server does (service token)."""
        request = urllib.request.Request(
            f"{self.config.crm_url}{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {self.config.service_token}",
                     "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return json.loads(raw) if raw else None

    def tracker(self, sender: str) -> Dict[str, Any]:
        """The conversation's tracker from Rasa's HTTP API (its token)."""
        url = (f"{self.config.rasa_url}/conversations/{sender}/tracker"
               f"?token={self.config.rasa_api_token}")
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())

    def token(self, customer_id: int) -> str:
        return crm_cli(self.config, "token", str(customer_id)).strip()

    def say(self, sender: str, text: str, metadata: Optional[dict] = None) -> List[Dict[str, Any]]:
        """Send one message through the REST channel; the bot's replies."""
        body: Dict[str, Any] = {"sender": sender, "message": text}
        if metadata is not None:
            body["metadata"] = metadata
        request = urllib.request.Request(
            f"{self.config.rasa_url}/webhooks/rest/webhook",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def post_raw(self, url: str, data: bytes, headers: Dict[str, str]) -> int:
        request = urllib.request.Request(url, data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


def reply_text(replies: List[Dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The stack, the fake WeChat API it is configured with, and a proxy the action server
    reaches the CRM through (a test may slow it down)."""
    work_dir = tmp_path_factory.mktemp("stack")
    proxy_port = free_port()
    running = seeded_stack(work_dir, ensure_model(), f"http://127.0.0.1:{proxy_port}")
    config = running.config
    proxy = SlowProxy(proxy_port, config.crm_url).start()
    wechat_api = FakeWeChatServer(int(config.wechat["WECHAT_API_BASE"].rsplit(":", 1)[1])).start()
    try:
        running.start(progress=lambda message: None)
        yield RunningStack(config, running, wechat_api, proxy)
    finally:
        running.stop()
        wechat_api.stop()
        proxy.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium for one test module (Playwright's sync API holds the module's thread:
    async tests live in modules without it)."""
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()
