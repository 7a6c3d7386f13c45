"""How fast the managers' pages and exports answer on the large history of `bench.review_data`.

    .venv/bin/python -m bench.review_speed --backend sqlite|postgresql
        [--repeat 5] [--match TEXT] [--work-dir DIR] [--limit-ms 500]

Starts the CRM on the bench database (a real server on a free loopback port, its clock at the
history's reference time, no background jobs), logs in as the bench manager and asks for every
URL in URLS once to warm up, then `--repeat` times. Per URL it prints the server time (measured
inside the CRM by a middleware only this bench adds, sent back as a Server-Timing header) and
the client's round trip, median and max, and marks any server time over the limit. A URL the
CRM does not serve (404: a page not merged yet) is printed as "missing" and is not a failure.
Exit status 1 when some URL was over the limit or failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import aiohttp
from aiohttp import web

from bench.review_data import database_url, notes_path, work_dir
from bench.review_history import MANAGER_PASSWORD, MANAGER_USERNAME, REFERENCE
from crm_backend.app import create_app
from crm_backend.core.clock import FixedClock
from crm_backend.core.config import CRMConfig

# Every manager page and export the bench asks for. `{complaint}` is the complaint with the
# longest transcript, `{agent}` an agent who handled complaints, `{year_ago}`/`{quarter_ago}`/`{today}` Beijing
# days. Add new pages here.
URLS: Sequence[str] = (
    "/staff/review?period=today",
    "/staff/review?period=7d",
    "/staff/review?period=30d",
    "/staff/review?period=custom&start={quarter_ago}&end={today}",
    "/staff/review/export?format=csv&period=30d",
    "/staff/review/export?format=xlsx&period=30d",
    "/staff/complaints",
    "/staff/complaints?status=closed",
    "/staff/complaints?status=reopened",
    "/staff/complaints?step=remedy",
    "/staff/complaints?category=delivery",
    "/staff/complaints?severity=high",
    "/staff/complaints?tier=key",
    "/staff/complaints?channel=wechat",
    "/staff/complaints?agent={agent}",
    "/staff/complaints?start={year_ago}&end={today}",
    "/staff/complaints?start={year_ago}&end={today}&q=质量",
    "/staff/complaints?q=破损",
    "/staff/complaints?q=退款一直不到账",
    "/staff/complaints?sort=oldest",
    "/staff/complaints?sort=severity",
    "/staff/complaints?start={year_ago}&end={today}&page=100",
    "/staff/complaints/{complaint}",
    "/staff/complaints/export?format=csv",
    "/staff/complaints/export?format=xlsx",
    "/staff/complaints/export?format=csv&start={year_ago}&end={today}&severity=high",
    "/staff/complaints/export?format=csv&start={year_ago}&end={today}",
    "/staff/complaints/export?format=xlsx&start={year_ago}&end={today}",
    "/staff/at-risk",
    "/staff/at-risk?level=high",
    "/staff/at-risk?tier=key",
    "/staff/at-risk?reason=complaint",
    "/staff/at-risk?reason=repeated_complaints&level=medium",
    "/staff/at-risk?reason=inactivity",
    "/staff/at-risk?owner=none",
    "/staff/at-risk?owner={agent}",
    "/staff/at-risk?page=60",
    "/staff/at-risk/export?format=csv",
    "/staff/at-risk/export?format=xlsx",
    "/staff/at-risk/export?format=csv&level=high&tier=key",
)


TIMING_HEADER = "Server-Timing"


CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]*)"')


@web.middleware
async def server_timing(request: web.Request, handler: Any) -> web.StreamResponse:
    """The time the CRM spent on a request, everything inside it included, as a header."""
    started = time.perf_counter()
    response = await handler(request)
    if not response.prepared:
        response.headers[TIMING_HEADER] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response


def _padded(text: str, width: int = 74) -> str:
    """`text` padded to `width` terminal columns (a Chinese character takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - columns)


@dataclass
class Figures:
    """One URL's measurements."""

    url: str
    status: int = 0
    server_ms: List[float] = field(default_factory=list)
    round_trip_ms: List[float] = field(default_factory=list)
    size: int = 0

    def line(self, limit_ms: float) -> str:
        if self.status == 404:
            return f"{_padded(self.url)}missing (404: not served by this CRM)"
        if self.status != 200:
            return f"{_padded(self.url)}FAILED with HTTP {self.status}"
        mark = "  OVER" if max(self.server_ms) > limit_ms else ""
        return (f"{_padded(self.url)}{statistics.median(self.server_ms):7.1f} {max(self.server_ms):7.1f}"
                f"   {statistics.median(self.round_trip_ms):7.1f} {max(self.round_trip_ms):7.1f}"
                f"  {self.size / 1024:7.0f}{mark}")


def _bench_config(url: str) -> CRMConfig:
    """The CRM's settings for the bench: its database, no Rasa, no daily jobs."""
    return CRMConfig(database_url=url, service_token="bench-service-token-" + "x" * 24,
                     token_secret="bench-token-secret-" + "y" * 24, daily_jobs_hour=None)


async def _log_in(client: aiohttp.ClientSession) -> None:
    async with client.get("/staff/login") as resp:
        token = CSRF_INPUT.search(await resp.text()).group(1)
    async with client.post("/staff/login", data={"username": MANAGER_USERNAME,
                                                 "password": MANAGER_PASSWORD,
                                                 "csrf_token": token},
                           allow_redirects=False) as resp:
        if resp.status != 303:
            raise SystemExit(f"could not log in as {MANAGER_USERNAME}: HTTP {resp.status} — "
                             f"was the database built by bench.review_data?")


async def _measure(client: aiohttp.ClientSession, url: str, repeat: int) -> Figures:
    figures = Figures(url)
    for run in range(repeat + 1):
        started = time.perf_counter()
        async with client.get(url, allow_redirects=False) as resp:
            body = await resp.read()
            elapsed = (time.perf_counter() - started) * 1000
            figures.status, figures.size = resp.status, len(body)
            timing = resp.headers.get(TIMING_HEADER, "")
        if resp.status != 200:
            return figures
        if run == 0:
            continue
        figures.round_trip_ms.append(elapsed)
        figures.server_ms.append(float(timing.split("dur=", 1)[1]) if "dur=" in timing else elapsed)
    return figures


def _fill(url: str, values: Dict[str, str]) -> str:
    return url.format(**values)


async def run(backend: str, directory: Path, repeat: int, match: Optional[str],
              limit_ms: float) -> List[Figures]:
    notes_file = notes_path(backend, directory)
    if not notes_file.exists():
        raise SystemExit(f"{notes_file} not found: build the history first with "
                         f"python -m bench.review_data --backend {backend}")
    notes = json.loads(notes_file.read_text())
    app = create_app(_bench_config(database_url(backend, directory)), FixedClock(REFERENCE))
    app.middlewares.insert(0, server_timing)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    today = REFERENCE.date()
    values = {"complaint": notes["long_transcript_complaint"], "agent": "3",
              "today": today.isoformat(), "year_ago": (today - timedelta(days=365)).isoformat(),
              "quarter_ago": (today - timedelta(days=91)).isoformat()}
    counts = notes["counts"]
    print(f"review speed — {backend}: {counts['complaints']} complaints, "
          f"{counts['conversation_messages']} messages, {counts['risk_flags']} risk flags; "
          f"CRM on 127.0.0.1:{port}, clock {REFERENCE.isoformat()}; one warm-up then "
          f"{repeat} requests per URL")
    print(f"{'URL':<74}{'server ms':>15}   {'round trip ms':>15}  {'KiB':>7}")
    print(f"{'':<74}{'median':>7} {'max':>7}   {'median':>7} {'max':>7}")
    results = []
    try:
        async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}",
                                         cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
            await _log_in(client)
            for url in URLS:
                if match and match not in url:
                    continue
                figures = await _measure(client, _fill(url, values), repeat)
                print(figures.line(limit_ms), flush=True)
                results.append(figures)
    finally:
        await runner.cleanup()
    served = [f for f in results if f.status == 200]
    over = [f for f in served if max(f.server_ms) > limit_ms]
    missing = [f for f in results if f.status == 404]
    failed = [f for f in results if f.status not in (200, 404)]
    print(f"{len(served)} URLs answered, {len(over)} over {limit_ms:.0f} ms, "
          f"{len(missing)} missing, {len(failed)} failed")
    return results


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--match", default=None, help="only URLs containing this text")
    parser.add_argument("--work-dir", default=None)
    parser.add_argument("--limit-ms", type=float, default=500.0)
    args = parser.parse_args(argv)
    results = asyncio.run(run(args.backend, work_dir(args.work_dir), max(1, args.repeat),
                              args.match, args.limit_ms))
    bad = [f for f in results if f.status not in (200, 404)
           or (f.status == 200 and max(f.server_ms) > args.limit_ms)]
    raise SystemExit(1 if bad else 0)


if __name__ == "__main__":
    main()
