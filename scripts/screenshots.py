"""`make screenshots`: the widget on the demo shop page at desktop and mobile width, taken from a
fresh stack on free ports, written to docs/widget-desktop.png and docs/widget-mobile.png."""

import sys
import tempfile
from pathlib import Path
from typing import Any, Dict

from playwright.sync_api import expect, sync_playwright

from scripts.browser import DESKTOP, MOBILE, launch_chromium
from scripts.model import ensure_model
from scripts.stack import REPO, StackConfig, seeded_stack

SHOTS = {"desktop": (DESKTOP, ["我的快递到哪了"]),
         "mobile": (MOBILE, ["我的积分有多少", "我的快递到哪了"])}


def conversation(browser: Any, config: StackConfig, viewport: Dict[str, int], messages: list,
                 target: Path) -> None:
    """Demo customer 1 asks `messages`; a screenshot once the last answer is shown."""
    context = browser.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=1)
    page = context.new_page()
    page.goto(f"{config.crm_url}/demo/")
    page.select_option('[data-demo="customer-switch"]', "1")
    status = page.locator('[data-kefu="status"]')
    expect(status).to_have_attribute("data-state", "online", timeout=30_000)
    for text in messages:
        replies = page.locator('[data-kefu="message"][data-role="bot"]').count()
        page.locator('[data-kefu="input"]').fill(text)
        page.locator('[data-kefu="input"]').press("Enter")
        page.wait_for_function(
            "n => document.querySelectorAll('[data-kefu=message][data-role=bot]').length > n",
            arg=replies, timeout=60_000)
        expect(page.locator('[data-kefu="typing"]')).to_have_count(0, timeout=60_000)
    page.wait_for_timeout(500)
    page.screenshot(path=str(target))
    context.close()
    print(f"==> {target.relative_to(REPO)}")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="kefu-shots-") as tmp:
        stack = seeded_stack(Path(tmp), ensure_model())
        config = stack.config
        try:
            stack.start()
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                for name, (viewport, messages) in SHOTS.items():
                    conversation(browser, config, viewport, messages,
                                 REPO / "docs" / f"widget-{name}.png")
                browser.close()
        finally:
            stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
