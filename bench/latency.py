"""REST latency and throughput of the whole stack on a realistic workload, against bare `rasa init`.

    .venv/bin/python -m bench.latency [--customers 40] [--messages 25] [--compare-rasa-init]
    .venv/bin/python -m bench.latency --open-loop [--levels 10,20,40,80] [--level-seconds 90]

Starts its own stack on free loopback ports (CRM migrated and seeded + action server + Rasa).

Closed loop (default): N logged-in customers (each with its signed token, one conversation
each) talk at once, each sending its next message as soon as the last is answered, M messages
each. They ask order questions (picking an order when the bot asks which), product questions
(names from the CRM's catalogue) and points in turn, and each makes one whole complaint (vent,
order, category, severity, wish, accept the remedy) that must reach the CRM: the complaint rows
of these conversations are counted in the CRM afterwards. Prints
messages/s, p50 and p95 overall and per kind of message, the CPU milliseconds each process (and
the bench client) spent per message, then the resident memory (RSS) of the three processes
after the load and the model file's size. With --compare-rasa-init it also
trains and serves a plain `rasa init` bot with the same Rasa install, sends it the same number of
messages the same way and prints the ratios.

Open loop (--open-loop): for each level C, C customer slots; each holds a customer who sends a
short script (an order question, a product question, points, an order question) and thinks
5–15 s (uniformly) between messages; a customer who is done is replaced by a new one, so
customers arrive at a steady rate whatever the latency. Prints p50/p95 per level and the largest
level whose p95 is at most --p95-limit-ms (300). Levels stop once one is far over the limit.

A benchmark that prints, not a test: nothing is timed against a limit.
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import aiohttp

from scripts.model import ensure_model
from scripts.stack import (VENV_BIN, Process, Stack, StackConfig, base_env, crm_cli, free_port,
                           seeded_stack, stop_processes)

RASA_INIT_MESSAGES = ["hello", "I am sad", "yes", "are you a bot?", "great", "bye"]
ORDER_QUESTIONS = ("我的快递到哪了", "我的订单到哪了", "发货了吗")
POINTS_QUESTIONS = ("我有多少积分", "我的积分有多少", "积分快过期了吗")
PRODUCT_TEMPLATES = ("{name}还有货吗", "{category}有什么颜色", "{name}多少钱")
VENTS = ("买的东西质量太差了，用一天就坏了", "收到的东西是坏的")
ELIGIBLE_ORDER = ("delivered", "shipped")
KINDS = ("order", "product", "points", "complaint")
QUESTIONS = ("order", "product", "points")
COMPLAINT_LATEST = 8  # a closed-loop customer starts its complaint within its first 8 questions
OPEN_LOOP_SCRIPT = ("order", "product", "points", "order")
COMPLAINT_STEPS = 12  # messages a complaint may take before it counts as stuck
THINK_SECONDS = (5.0, 15.0)


# ----------------------------------------------------------------------------- figures


def quantile_ms(values: Sequence[float], q: float) -> float:
    if len(values) < 2:
        return values[0] * 1000 if values else float("nan")
    return statistics.quantiles(values, n=100)[int(q * 100) - 1] * 1000


@dataclass
class Figures:
    """Latencies of one load, overall and per kind of message."""

    label: str
    wall_seconds: float = 0.0
    errors: int = 0
    by_kind: Dict[str, List[float]] = field(default_factory=lambda: defaultdict(list))

    @property
    def latencies(self) -> List[float]:
        return [s for values in self.by_kind.values() for s in values]

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.wall_seconds if self.wall_seconds else 0.0

    def quantile(self, q: float) -> float:
        return quantile_ms(self.latencies, q)

    def line(self) -> str:
        return (f"{self.label:<10} messages={len(self.latencies):>5}  errors={self.errors:>3}  "
                f"msg/s={self.throughput:7.1f}  p50={self.quantile(0.5):7.1f} ms  "
                f"p95={self.quantile(0.95):7.1f} ms")

    def kind_lines(self) -> List[str]:
        return [f"  {kind:<10} messages={len(values):>5}  p50={quantile_ms(values, 0.5):7.1f} ms"
                f"  p95={quantile_ms(values, 0.95):7.1f} ms"
                for kind, values in sorted(self.by_kind.items())]


def reply_text(replies: List[Dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def payloads(replies: List[Dict[str, Any]]) -> List[str]:
    return [b.get("payload", "") for r in replies for b in r.get("buttons") or []]


# ----------------------------------------------------------------------------- the workload


@dataclass(frozen=True)
class Shopper:
    """A seeded CRM customer the bench talks as: its token and an order to complain about."""

    customer_id: int
    token: str
    order_no: str


@dataclass
class Complaint:
    sender: str
    customer_id: int
    numbers_told: List[str] = field(default_factory=list)
    stuck: Optional[str] = None


class Talker:
    """Sends one customer's messages over REST and records each latency under its kind."""

    def __init__(self, session: aiohttp.ClientSession, webhook: str, figures: Figures) -> None:
        self.session, self.webhook, self.figures = session, webhook, figures

    async def say(self, kind: str, sender: str, text: str,
                  metadata: Optional[Dict[str, Any]]) -> Optional[List[Dict[str, Any]]]:
        body: Dict[str, Any] = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        started = time.perf_counter()
        try:
            async with self.session.post(self.webhook, json=body) as response:
                raw = await response.read()
                if response.status != 200:
                    self.figures.errors += 1
                    return None
        except (aiohttp.ClientError, asyncio.TimeoutError):
            self.figures.errors += 1
            return None
        self.figures.by_kind[kind].append(time.perf_counter() - started)
        return json.loads(raw)


class KefuCustomer:
    """One logged-in customer in one conversation."""

    def __init__(self, talker: Talker, shopper: Shopper, sender: str, products: List[str],
                 complaints: List[Complaint], budget: int, rng: random.Random) -> None:
        self.talker, self.shopper, self.sender = talker, shopper, sender
        self.products, self.complaints, self.budget, self.rng = products, complaints, budget, rng
        self.sent = 0

    async def say(self, kind: str, text: str) -> List[Dict[str, Any]]:
        self.sent += 1
        replies = await self.talker.say(kind, self.sender, text,
                                        {"customer_token": self.shopper.token})
        return replies or []

    async def ask(self, kind: str) -> None:
        if kind == "order":
            replies = await self.say(kind, self.rng.choice(ORDER_QUESTIONS))
            # Several recent orders: the bot asks which one; the customer picks one.
            picks = [p for p in payloads(replies) if p.startswith("/inform")]
            if picks and self.sent < self.budget:
                await self.say(kind, picks[0])
        elif kind == "product":
            await self.say(kind, self.rng.choice(self.products))
        elif kind == "points":
            await self.say(kind, self.rng.choice(POINTS_QUESTIONS))
        else:
            await self.complain()

    async def complain(self) -> None:
        """A whole complaint: vent, then answer what the bot asks, then accept the remedy."""
        record = Complaint(self.sender, self.shopper.customer_id)
        self.complaints.append(record)
        message, repeats = self.rng.choice(VENTS), 0
        for _ in range(COMPLAINT_STEPS):
            if self.sent >= self.budget:
                record.stuck = "(message budget spent)"
                return
            replies = await self.say("complaint", message)
            text, offered = reply_text(replies), payloads(replies)
            for number in _complaint_numbers(text):
                if number not in record.numbers_told:
                    record.numbers_told.append(number)
            if "已经为您办理" in text or ("人工" in text and record.numbers_told):
                return
            nxt: Optional[str] = None
            if "/request_alternative" in offered or "/affirm" in offered:
                nxt = "/affirm"
            elif any(p.startswith('/inform{"order_no"') for p in offered) or "哪一笔订单" in text:
                nxt = f'/inform{{"order_no":"{self.shopper.order_no}"}}'
            elif any('"complaint_category"' in p for p in offered):
                nxt = '/inform{"complaint_category":"product_quality"}'
            elif any('"complaint_severity"' in p for p in offered):
                nxt = '/inform{"complaint_severity":"low"}'
            elif any('"complaint_expectation"' in p for p in offered):
                nxt = '/inform{"complaint_expectation":"refund"}'
            elif "订单号" in text:
                nxt = f"订单号是{self.shopper.order_no}"
            elif "记下" in text or "慢慢说" in text or "还有其他情况" in text:
                nxt = "没了"
            if nxt is None:
                repeats += 1
                if repeats > 2:
                    record.stuck = text[:80]
                    return
                continue
            message, repeats = nxt, 0
        record.stuck = "(too many steps)"


def _complaint_numbers(text: str) -> List[str]:
    marker = "投诉单号："
    found = []
    start = text.find(marker)
    while start >= 0:
        number = text[start + len(marker):start + len(marker) + 14]
        if number.startswith("TS") and number[2:].isdigit():
            found.append(number)
        start = text.find(marker, start + 1)
    return found


def crm_get(config: StackConfig, path: str) -> Any:
    request = urllib.request.Request(f"{config.crm_url}{path}",
                                     headers={"Authorization": f"Bearer {config.service_token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def shoppers(config: StackConfig, wanted: int) -> List[Shopper]:
    """Seeded customers in good standing with a delivered or shipped order, up to `wanted`."""
    found: List[Shopper] = []
    for customer_id in range(1, 200):
        if len(found) >= wanted:
            break
        try:
            customer = crm_get(config, f"/api/customers/{customer_id}")
            orders = crm_get(config, f"/api/customers/{customer_id}/orders?limit=50")["orders"]
        except urllib.error.HTTPError:
            continue
        if customer.get("is_bad_faith"):
            continue
        eligible = [o["order_no"] for o in orders if o["status"] in ELIGIBLE_ORDER]
        if eligible:
            token = crm_cli(config, "token", str(customer_id)).strip()
            found.append(Shopper(customer_id, token, eligible[0]))
    if not found:
        raise SystemExit("the seed has no customer with a delivered or shipped order")
    return found


def product_questions(config: StackConfig) -> List[str]:
    products = crm_get(config, "/api/products?limit=50")["products"]
    return [template.format(name=p["name"], category=p["category"])
            for p in products[:12] for template in PRODUCT_TEMPLATES]


def complaints_in_crm(config: StackConfig, senders: Sequence[str],
                      customer_ids: Sequence[int]) -> int:
    wanted, found = set(senders), 0
    for customer_id in sorted(set(customer_ids)):
        body = crm_get(config, f"/api/complaints?customer_id={customer_id}&limit=100")
        found += sum(1 for c in body["complaints"] if c.get("conversation_id") in wanted)
    return found


# ----------------------------------------------------------------------------- memory


def rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants (from /proc)."""
    total = 0
    for current in _tree(pid):
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(int(line.split()[1]) * 1024 for line in status.splitlines()
                          if line.startswith("VmRSS:"))
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total


def _tree(pid: int) -> Iterator[int]:
    """A process and all its descendants (from /proc)."""
    pending = [pid]
    while pending:
        current = pending.pop()
        yield current
        try:
            pending += [int(child) for child in Path(
                f"/proc/{current}/task/{current}/children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process and its descendants have used so far."""
    ticks = 0
    for current in _tree(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def stack_cpu(stack: Stack) -> Dict[str, float]:
    return {p.name: cpu_seconds(p.popen.pid) for p in stack.processes if p.popen is not None}


def client_cpu_seconds() -> float:
    """CPU time of this benchmark process (the customers' side shares the machine too)."""
    used = os.times()
    return used.user + used.system


def cpu_line(before: Dict[str, float], after: Dict[str, float], messages: int,
             client_seconds: Optional[float] = None) -> str:
    """CPU milliseconds per message of each process under the load (steadier than msg/s on a
    shared machine: it does not count time spent waiting for a core)."""
    used = {name: (after[name] - before[name]) * 1000 / max(messages, 1) for name in after}
    client = None if client_seconds is None else client_seconds * 1000 / max(messages, 1)
    return ("CPU per message: " + "  ".join(f"{name} {ms:.1f} ms" for name, ms in used.items())
            + f"  total {sum(used.values()):.1f} ms"
            + (f"  (bench client {client:.1f} ms)" if client is not None else ""))


def memory_lines(stack: Stack, model: Path) -> List[str]:
    sizes = {p.name: rss_bytes(p.popen.pid) for p in stack.processes if p.popen is not None}
    mib = 1024 * 1024
    return ["memory after the load (RSS): "
            + "  ".join(f"{name} {size / mib:.0f} MiB" for name, size in sizes.items())
            + f"  total {sum(sizes.values()) / mib:.0f} MiB",
            f"model file: {model.name} {model.stat().st_size / mib:.1f} MiB"]


# ----------------------------------------------------------------------------- closed loop


def closed_loop_kinds(index: int) -> Iterator[str]:
    """A customer's questions: order, product and points in turn, and one whole complaint
    starting at a position that differs between customers (early enough to finish)."""
    complaint_at, turn = index % COMPLAINT_LATEST, index
    while True:
        if turn - index == complaint_at:
            yield "complaint"
        yield QUESTIONS[turn % len(QUESTIONS)]
        turn += 1


async def closed_loop(config: StackConfig, people: List[Shopper], products: List[str],
                      customers: int, messages: int) -> Tuple[Figures, List[Complaint]]:
    figures, complaints = Figures("kefu"), []

    async def one(index: int, talker: Talker) -> None:
        rng = random.Random(index)
        shopper = people[index % len(people)]
        customer = KefuCustomer(talker, shopper, f"bench-{index}-{rng.randrange(10**9)}",
                                products, complaints, messages, rng)
        for kind in closed_loop_kinds(index):
            if customer.sent >= messages:
                break
            await customer.ask(kind)

    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        talker = Talker(session, f"{config.rasa_url}/webhooks/rest/webhook", figures)
        started = time.perf_counter()
        await asyncio.gather(*(one(i, talker) for i in range(customers)))
        figures.wall_seconds = time.perf_counter() - started
    return figures, complaints


def measure_kefu(work_dir: Path, customers: int, messages: int) -> Figures:
    model = ensure_model()
    stack = seeded_stack(work_dir, model)
    config = stack.config
    try:
        stack.start()
        people = shoppers(config, customers)
        products = product_questions(config)
        print(f"==> closed loop: {customers} customers x {messages} messages "
              f"({len(people)} CRM customers), kinds {', '.join(KINDS)}  [{uptime()}]",
              flush=True)
        before, client_before = stack_cpu(stack), client_cpu_seconds()
        figures, complaints = asyncio.run(
            closed_loop(config, people, products, customers, messages))
        used = cpu_line(before, stack_cpu(stack), len(figures.latencies),
                        client_cpu_seconds() - client_before)
        told = sum(len(c.numbers_told) for c in complaints)
        rows = complaints_in_crm(config, [c.sender for c in complaints],
                                 [c.customer_id for c in complaints])
        print(figures.line())
        for line in figures.kind_lines():
            print(line)
        print(f"complaints: {len(complaints)} started, {told} numbers told, {rows} rows in the "
              f"CRM for these conversations, "
              f"{sum(1 for c in complaints if c.stuck)} unfinished")
        print(used)
        for line in memory_lines(stack, model):
            print(line)
        print(f"[{uptime()}]", flush=True)
        return figures
    finally:
        stack.stop()


# ----------------------------------------------------------------------------- open loop


async def open_level(config: StackConfig, people: List[Shopper], products: List[str],
                     slots: int, seconds: float, seed: int) -> Figures:
    """`slots` customers at a time for `seconds`; a finished customer is replaced."""
    figures = Figures(f"C={slots}")
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds

    async def slot(index: int, talker: Talker) -> None:
        await asyncio.sleep(rng.uniform(0, THINK_SECONDS[1]))  # arrivals spread, not a burst
        generation = 0
        while time.monotonic() < deadline:
            shopper = people[(index + generation * slots) % len(people)]
            customer = KefuCustomer(talker, shopper, f"open-{seed}-{index}-{generation}",
                                    products, [], len(OPEN_LOOP_SCRIPT) * 2, rng)
            for kind in OPEN_LOOP_SCRIPT:
                if time.monotonic() >= deadline:
                    return
                await customer.ask(kind)
                await asyncio.sleep(rng.uniform(*THINK_SECONDS))
            generation += 1

    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout,
                                     connector=aiohttp.TCPConnector(limit=0)) as session:
        talker = Talker(session, f"{config.rasa_url}/webhooks/rest/webhook", figures)
        started = time.perf_counter()
        await asyncio.gather(*(slot(i, talker) for i in range(slots)))
        figures.wall_seconds = time.perf_counter() - started
    return figures


def measure_open_loop(work_dir: Path, levels: List[int], seconds: float,
                      limit_ms: float) -> None:
    model = ensure_model()
    stack = seeded_stack(work_dir, model)
    config = stack.config
    try:
        stack.start()
        people = shoppers(config, max(levels))
        products = product_questions(config)
        print(f"==> open loop: think {THINK_SECONDS[0]:g}-{THINK_SECONDS[1]:g} s, script "
              f"{', '.join(OPEN_LOOP_SCRIPT)}, {seconds:g} s per level", flush=True)
        best: Optional[int] = None
        for level in levels:
            figures = asyncio.run(open_level(config, people, products, level, seconds, level))
            p95 = figures.quantile(0.95)
            print(f"{figures.line()}  [{uptime()}]", flush=True)
            if p95 <= limit_ms and figures.errors == 0:
                best = level
            elif p95 > 3 * limit_ms:
                break
        print(f"largest level with p95 <= {limit_ms:g} ms: "
              f"{best if best is not None else 'none'} concurrent customers")
        for line in memory_lines(stack, model):
            print(line)
    finally:
        stack.stop()


# ----------------------------------------------------------------------------- rasa init


async def rasa_init_load(webhook: str, customers: int, messages: int) -> Figures:
    figures = Figures("rasa-init")

    async def one(index: int, talker: Talker) -> None:
        for turn in range(messages):
            text = RASA_INIT_MESSAGES[(index + turn) % len(RASA_INIT_MESSAGES)]
            await talker.say("rasa-init", f"bench-init-{index}", text, None)

    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        talker = Talker(session, webhook, figures)
        started = time.perf_counter()
        await asyncio.gather(*(one(i, talker) for i in range(customers)))
        figures.wall_seconds = time.perf_counter() - started
    return figures


def measure_rasa_init(work_dir: Path, customers: int, messages: int) -> Figures:
    """Train and serve the stock `rasa init` bot with the same Rasa install, then load it."""
    bot_dir = work_dir / "rasa-init"
    print("==> Training a bare `rasa init` bot for comparison …", flush=True)
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
        print(f"==> rasa init: {customers} customers x {messages} messages  [{uptime()}]",
              flush=True)
        assert process.popen is not None
        before = {"rasa-init": cpu_seconds(process.popen.pid)}
        client_before = client_cpu_seconds()
        figures = asyncio.run(rasa_init_load(
            f"http://127.0.0.1:{port}/webhooks/rest/webhook", customers, messages))
        print(cpu_line(before, {"rasa-init": cpu_seconds(process.popen.pid)},
                       len(figures.latencies), client_cpu_seconds() - client_before))
        print(f"rasa-init RSS after the load: {rss_bytes(process.popen.pid) / 2**20:.0f} MiB"
              f"  [{uptime()}]")
        return figures
    finally:
        stop_processes([process])


def uptime() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=40)
    parser.add_argument("--messages", type=int, default=25)
    parser.add_argument("--compare-rasa-init", action="store_true")
    parser.add_argument("--open-loop", action="store_true",
                        help="ramp concurrent customers who think 5-15 s between messages")
    parser.add_argument("--levels", default="40,80,160,300,350,400,450,600",
                        help="open loop: concurrent customers per level, comma-separated")
    parser.add_argument("--level-seconds", type=float, default=60)
    parser.add_argument("--p95-limit-ms", type=float, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kefu-bench-") as tmp:
        work_dir = Path(tmp)
        if args.open_loop:
            measure_open_loop(work_dir, [int(x) for x in args.levels.split(",")],
                              args.level_seconds, args.p95_limit_ms)
            return
        kefu = measure_kefu(work_dir, args.customers, args.messages)
        if args.compare_rasa_init:
            baseline = measure_rasa_init(work_dir, args.customers, args.messages)
            print(kefu.line())
            print(baseline.line())
            print(f"ratio kefu/rasa-init: msg/s {kefu.throughput / baseline.throughput:.2f}x  "
                  f"p50 {kefu.quantile(0.5) / baseline.quantile(0.5):.2f}x  "
                  f"p95 {kefu.quantile(0.95) / baseline.quantile(0.95):.2f}x")


if __name__ == "__main__":
    main()
