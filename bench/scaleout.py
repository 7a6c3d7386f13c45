"""REST throughput of the scale-out configuration with one and with two Rasa servers.

    .venv/bin/python -m bench.scaleout [--customers 40] [--messages 25] [--servers 1,2]

For each server count it starts the scale-out configuration on free loopback ports (CRM on a
fresh PostgreSQL database, Rasa's trackers in another, Redis lock store and rooms under a prefix
of its own, as many action servers as Rasa servers, nginx in front), sends the load of
bench/latency.py through nginx (N logged-in customers, M messages each, concurrently, each waiting
for its reply) and prints messages/s, p50 and p95 with the machine's load average, then stops
everything and drops its databases. Needs PostgreSQL, Redis and nginx on this machine
(docs/scale-out.md).
"""

import argparse
import asyncio
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import redis

from bench.latency import Figures, closed_loop, product_questions, shoppers
from scripts.model import ensure_model
from scripts.scaleout import (DEFAULT_TRACKER_URL, ScaleOut, ScaleOutStack, check_services,
                              drop_database)
from scripts.stack import StackConfig, crm_cli


def load_average() -> str:
    return "load average %.2f %.2f %.2f" % os.getloadavg()


def measure(work_dir: Path, servers: int, customers: int, messages: int) -> Figures:
    """One scale-out stack with `servers` Rasa servers (and as many action servers) under load."""
    suffix = uuid.uuid4().hex[:8]
    crm_url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/kefu_bench_crm_{suffix}"
    tracker_url = DEFAULT_TRACKER_URL.replace("kefu_tracker", f"kefu_bench_tracker_{suffix}")
    base = StackConfig.for_tests(work_dir / f"servers-{servers}", ensure_model(), crm_url)
    scale_out = ScaleOut.for_tests(base, tracker_url, servers, servers)
    config = scale_out.config
    check_services(config)
    stack = ScaleOutStack(scale_out)
    try:
        crm_cli(config, "migrate")
        crm_cli(config, "seed")
        print(f"==> {servers} Rasa server(s): starting ({load_average()})")
        stack.start(progress=lambda message: None)
        people, products = shoppers(config, customers), product_questions(config)
        print(f"==> {servers} Rasa server(s): {customers} customers x {messages} messages "
              f"({load_average()})")
        figures, _ = asyncio.run(closed_loop(config, people, products, customers, messages))
        figures.label = f"{servers}-rasa"
        print(f"{figures.line()}  ({load_average()})")
        for line in figures.kind_lines():
            print(line)
        return figures
    finally:
        stack.stop()
        client = redis.Redis.from_url(config.redis_url)
        for key in client.scan_iter(f"{config.redis_prefix}:*"):
            client.delete(key)
        shutil.rmtree(scale_out.run_dir, ignore_errors=True)
        drop_database(crm_url)
        drop_database(tracker_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=40)
    parser.add_argument("--messages", type=int, default=25)
    parser.add_argument("--servers", default="1,2", help="Rasa server counts to measure")
    args = parser.parse_args()
    print(f"==> {os.cpu_count()} CPU cores; {load_average()}")
    results = []
    with tempfile.TemporaryDirectory(prefix="kefu-bench-scaleout-") as tmp:
        for servers in (int(n) for n in args.servers.split(",")):
            results.append(measure(Path(tmp), servers, args.customers, args.messages))
    print("\n==> Summary")
    for figures in results:
        print(figures.line())
    if len(results) > 1:
        first = results[0]
        for other in results[1:]:
            print(f"{other.label} / {first.label}: msg/s {other.throughput / first.throughput:.2f}x"
                  f"  p95 {other.quantile(0.95) / first.quantile(0.95):.2f}x")


if __name__ == "__main__":
    main()
