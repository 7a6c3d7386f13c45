"""`make screenshots` (managers' part): the overview, the complaint log, the at-risk customers and
one complaint's page
over a small generated history (bench.review_data, fixed seed and reference time), written to
docs/manager-overview.png, manager-complaints.png, manager-at-risk.png and manager-complaint.png."""

import asyncio
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from bench.review_data import build, database_url
from bench.review_history import MANAGER_PASSWORD, MANAGER_USERNAME, REFERENCE, Sizes
from crm_backend.app import create_app
from crm_backend.core.clock import FixedClock
from crm_backend.core.config import CRMConfig
from scripts.browser import DESKTOP, launch_chromium
from scripts.fake_wechat import BackgroundApp
from scripts.stack import REPO, free_port

SIZES = Sizes(complaints=3_000, messages=40_000)


def _crm(url: str) -> BackgroundApp:
    config = CRMConfig(database_url=url, service_token="shots-service-token-" + "x" * 24,
                       token_secret="shots-token-secret-" + "y" * 24, daily_jobs_hour=None)
    return BackgroundApp(create_app(config, FixedClock(REFERENCE)), free_port()).start()


def _shoot(page, path: str, target: Path, ready: str, height: int = DESKTOP["height"]) -> None:
    page.set_viewport_size({"width": DESKTOP["width"], "height": height})
    page.goto(path)
    expect(page.locator(ready).first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(300)
    page.screenshot(path=str(target), full_page=False)
    print(f"==> {target.relative_to(REPO)}")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="kefu-manager-shots-") as tmp:
        directory = Path(tmp)
        number = asyncio.run(build("sqlite", SIZES, 14, directory,
                                   say=lambda _: None))["long_transcript_complaint"]
        crm = _crm(database_url("sqlite", directory))
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                context = browser.new_context(viewport=DESKTOP, locale="zh-CN",
                                              device_scale_factor=1, base_url=crm.url)
                page = context.new_page()
                page.goto("/staff/login")
                page.fill("input[name=username]", MANAGER_USERNAME)
                page.fill("input[name=password]", MANAGER_PASSWORD)
                page.locator("form button[type=submit]").first.click()
                page.wait_for_url("**/staff/**")
                _shoot(page, "/staff/review?period=30d", REPO / "docs" / "manager-overview.png",
                       "[data-chart]", height=1700)
                _shoot(page, "/staff/complaints", REPO / "docs" / "manager-complaints.png",
                       "table")
                _shoot(page, "/staff/at-risk", REPO / "docs" / "manager-at-risk.png", "table")
                _shoot(page, f"/staff/complaints/{number}",
                       REPO / "docs" / "manager-complaint.png", "[data-complaint=timeline]",
                       height=1100)
                browser.close()
        finally:
            crm.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
