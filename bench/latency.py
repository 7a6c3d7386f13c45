"""REST latency and throughput of the whole stack, optionally against a bare `rasa init` bot.

    .venv/bin/python -m bench.latency [--customers 40] [--messages 25] [--compare-rasa-init]

Starts its own stack on free loopback ports (CRM + action server + Rasa), sends the messages of
N simulated customers concurrently over the REST channel and prints messages/s, p50 and p95.
With --compare-rasa-init it also trains and serves a plain `rasa init` bot on this machine in
the same run, measures it the same way and prints the ratios.
"""

import argparse
import asyncio
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional

import aiohttp

from scripts.model import ensure_model
from scripts.stack import (VENV_BIN, Process, base_env, crm_cli, free_port, seeded_stack,
                           stop_processes)

KEFU_MESSAGES = ["你好", "我的快递到哪了", "谢谢", "给我讲个笑话", "发货了吗", "好的", "再见"]
RASA_INIT_MESSAGES = ["hello", "I am sad", "yes", "are you a bot?", "great", "bye"]


@dataclass
class Figures:
    label: str
    latencies: List[float]
    wall_seconds: float
    errors: int

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.wall_seconds

    def quantile(self, q: float) -> float:
        return statistics.quantiles(self.latencies, n=100)[int(q * 100) - 1] * 1000

    def line(self) -> str:
        return (f"{self.label:<10} messages={len(self.latencies):>5}  errors={self.errors:>3}  "
                f"msg/s={self.throughput:7.1f}  p50={self.quantile(0.5):7.1f} ms  "
                f"p95={self.quantile(0.95):7.1f} ms")


async def run_load(label: str, webhook: str, customers: int, messages: int,
                   texts: List[str], metadata_for: Callable[[int], Optional[dict]]) -> Figures:
    """N customers send M messages each, concurrently, each waiting for its reply."""
    latencies: List[float] = []
    errors = 0

    async def customer(index: int, session: aiohttp.ClientSession) -> None:
        nonlocal errors
        sender = f"bench-{label}-{index}"
        metadata = metadata_for(index)
        for turn in range(messages):
            body = {"sender": sender, "message": texts[(index + turn) % len(texts)]}
            if metadata:
                body["metadata"] = metadata
            started = time.perf_counter()
            try:
                async with session.post(webhook, json=body) as response:
                    await response.read()
                    if response.status != 200:
                        errors += 1
                        continue
            except (aiohttp.ClientError, asyncio.TimeoutError):
                errors += 1
                continue
            latencies.append(time.perf_counter() - started)

    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(*(customer(i, session) for i in range(customers)))
        wall = time.perf_counter() - started
    return Figures(label, latencies, wall, errors)


def measure_kefu(work_dir: Path, customers: int, messages: int) -> Figures:
    stack = seeded_stack(work_dir, ensure_model())
    config = stack.config
    try:
        stack.start()
        tokens = [crm_cli(config, "token", str(1 + i % 60)).strip() for i in range(customers)]
        return asyncio.run(run_load(
            "kefu", f"{config.rasa_url}/webhooks/rest/webhook", customers, messages,
            KEFU_MESSAGES, lambda i: {"customer_token": tokens[i]},
        ))
    finally:
        stack.stop()


def measure_rasa_init(work_dir: Path, customers: int, messages: int) -> Figures:
    """Train and serve the stock `rasa init` bot with the same Rasa install, then load it."""
    bot_dir = work_dir / "rasa-init"
    print("==> Training a bare `rasa init` bot for comparison …")
    bot_dir.mkdir()
    subprocess.run([str(VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(bot_dir)],
                   env=base_env(), check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    process = Process("rasa-init", [str(VENV_BIN / "rasa"), "run", "--port", str(port),
                                    "--interface", "127.0.0.1", "--model", "models"],
                      f"http://127.0.0.1:{port}/", work_dir / "rasa-init.log")
    process.start(bot_dir, base_env())
    try:
        process.wait_ready(timeout=240)
        return asyncio.run(run_load(
            "rasa-init", f"http://127.0.0.1:{port}/webhooks/rest/webhook", customers, messages,
            RASA_INIT_MESSAGES, lambda i: None,
        ))
    finally:
        stop_processes([process])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=40)
    parser.add_argument("--messages", type=int, default=25)
    parser.add_argument("--compare-rasa-init", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kefu-bench-") as tmp:
        work_dir = Path(tmp)
        kefu = measure_kefu(work_dir, args.customers, args.messages)
        print(kefu.line())
        if args.compare_rasa_init:
            baseline = measure_rasa_init(work_dir, args.customers, args.messages)
            print(baseline.line())
            print(f"ratio kefu/rasa-init: msg/s {kefu.throughput / baseline.throughput:.2f}x  "
                  f"p50 {kefu.quantile(0.5) / baseline.quantile(0.5):.2f}x  "
                  f"p95 {kefu.quantile(0.95) / baseline.quantile(0.95):.2f}x")


if __name__ == "__main__":
    main()
