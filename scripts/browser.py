"""Debian's Chromium driven by Playwright (no browser download), for the browser tests and the
README's screenshots; `scripts/browser_deps.sh` installs it when missing."""

from typing import Any

CHROMIUM = "/usr/bin/chromium"

# Root needs --no-sandbox; without the background-networking flags Chromium keeps trying the
# internet, which this machine refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]

DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 375, "height": 740}


def launch_chromium(playwright: Any) -> Any:
    """A headless Chromium of this machine."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
