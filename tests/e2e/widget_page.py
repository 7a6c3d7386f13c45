"""The widget as a customer sees it in Chromium: open it, type, read what the bot and people say."""

from typing import Any, List

from playwright.sync_api import Locator, Page, expect

REPLY_TIMEOUT_MS = 60_000


class WidgetPage:
    """One browser page holding the widget (the demo shop or a shop page of a test's own)."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def el(self, name: str) -> Locator:
        return self.page.locator(f'[data-kefu="{name}"]')

    def messages(self, role: str) -> Locator:
        return self.page.locator(f'[data-kefu="message"][data-role="{role}"]')

    def texts(self, role: str) -> List[str]:
        return [t.strip() for t in self.messages(role).all_inner_texts()]

    def open(self) -> None:
        """Open the panel unless it is open."""
        if self.el("root").get_attribute("data-state") != "open":
            self.el("launcher").click()
        expect(self.el("panel")).to_be_visible()

    def wait_online(self) -> None:
        expect(self.el("status")).to_have_attribute("data-state", "online", timeout=30_000)

    def say(self, text: str) -> None:
        """Type a message and press Enter; waits until the bot has answered it."""
        before = self.messages("bot").count() + self.messages("person").count()
        self.send(text)
        self.wait_for_replies(before)

    def send(self, text: str) -> None:
        box = self.el("input")
        box.fill(text)
        box.press("Enter")

    def wait_for_replies(self, before: int) -> None:
        expect(self.el("typing")).to_have_count(0, timeout=REPLY_TIMEOUT_MS)
        self.page.wait_for_function(
            "n => document.querySelectorAll('[data-kefu=message][data-role=bot],"
            "[data-kefu=message][data-role=person]').length > n", arg=before,
            timeout=REPLY_TIMEOUT_MS)

    def bot_text(self) -> str:
        return "\n".join(self.texts("bot"))

    def session_id(self, shop_id: str) -> Any:
        return self.page.evaluate(f"localStorage.getItem('kefu:{shop_id}:session')")

