"""Soak test: concurrent customers for minutes while the CRM and the action server are killed.

    .venv/bin/python -m bench.soak [--customers 40] [--minutes 10]

Starts its own stack on free loopback ports (SQLite CRM, migrated and seeded), then N simulated
customers talk to the bot over the REST channel until the time is up, each in turn asking an
inquiry, making a whole complaint (and accepting the remedy) and redeeming points. At 15 %, 35 %,
55 % and 75 % of the run the CRM and the action server are SIGKILLed in turn (CRM, actions, CRM,
actions); a supervisor (scripts/stack.py's `Supervisor`, as under `make run`) restarts them.

A customer does what a real one would: a connection error, an empty reply or one of the bot's
"please try again" apologies is answered by sending the same message again 2 s later; a complaint
the bot could not confirm is resubmitted with the button the bot offers.

Afterwards everything the customers were told is reconciled with the CRM (its API, and its SQLite
file read-only for what the API does not expose): complaints lost (a number told that the CRM
does not have, or every detail given and nothing logged) or duplicated, remedies told but not
carried out, refunds per complaint and per order, redemptions told against ledger debits and
coupons, negative balances, empty replies. Prints the figures and a table; exit code 1 when an
invariant is violated. A benchmark that prints, not a test: nothing is timed against a limit.
"""

import argparse
import asyncio
import json
import os
import re
import signal
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import unicodedata
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

import aiohttp
import yaml

from bot.actions.loyalty_replies import LOYALTY_UNAVAILABLE
from scripts.model import ensure_model
from scripts.stack import REPO, Stack, StackConfig, StackFailed, Supervisor, crm_cli, seeded_stack

KILL_AT = (0.15, 0.35, 0.55, 0.75)
KILL_ORDER = ("crm", "actions", "crm", "actions")
RETRY_PAUSE = 2.0  # seconds before a customer sends the same message again
MAX_TRIES = 45  # per message: 90 s of retries covers a restart on a loaded 2-core machine
MAX_FLOW_STEPS = 16  # messages one complaint or redemption may take before it counts as stuck
OUTAGE_GRACE = 10.0  # seconds after a restart still counted as the outage's aftermath

INQUIRIES = ("我的订单到哪了", "我的积分有多少")
VENTS = ("买的东西质量太差了，用一天就坏了", "收到的东西是坏的", "东西质量太差了，用一天就坏了")
# (severity, expectation, ask for the alternative first): a partial refund for ordinary and small
# customers, a resend, and a full refund offered as the alternative to the resend.
COMPLAINT_PLANS = (("low", "refund", False), ("medium", "replacement", False),
                   ("medium", "refund", True))
ELIGIBLE_ORDER = ("delivered", "shipped")

NUMBER = re.compile(r"投诉单号：(TS\d{12})")
COUPON = re.compile(r"券码 ([^，。\s]+)")
REFUND_REASON = re.compile(r"投诉 (TS\d{12})")


def _responses() -> Dict[str, str]:
    domain = yaml.safe_load((REPO / "domain.yml").read_text(encoding="utf-8"))["responses"]
    return {name: variants[0]["text"] for name, variants in domain.items()
            if variants and variants[0].get("text")}


RESPONSES = _responses()
# The bot's "please send that again" sentences: a customer resends the message after them.
APOLOGIES = {RESPONSES[name] for name in ("utter_no_reply", "utter_action_failed",
                                          "utter_crm_unavailable")} | {LOYALTY_UNAVAILABLE}
NOT_CONFIRMED = RESPONSES["utter_complaint_not_confirmed"]
CANCELLED = "这次先不登记投诉了"  # action_complaint_stop


# ----------------------------------------------------------------------------- what happened


@dataclass
class Traffic:
    """Every message sent and how it was answered."""

    latencies: List[float] = field(default_factory=list)
    sent: int = 0
    connection_errors: List[float] = field(default_factory=list)  # run-relative times
    http_errors: List[float] = field(default_factory=list)
    empty_lists: List[float] = field(default_factory=list)
    apologies: List[float] = field(default_factory=list)
    gave_up: int = 0  # messages still failing after MAX_TRIES
    empty_examples: List[str] = field(default_factory=list)
    gave_up_examples: List[str] = field(default_factory=list)


@dataclass
class ComplaintFlow:
    sender: str
    customer_id: int
    order_no: str
    plan: Tuple[str, str, bool]
    numbers_told: List[str] = field(default_factory=list)
    not_confirmed: int = 0
    done_told: Optional[str] = None  # the "已经为您办理" reply
    handed_off: bool = False
    cancelled: bool = False  # the bot said it would not log it, though the customer never asked
    stuck: Optional[str] = None  # the last reply when the flow could not go on
    transcript: List[Tuple[float, str, str]] = field(default_factory=list)  # (s, sent, read)


@dataclass
class Redemption:
    sender: str
    customer_id: int
    reward_id: str
    codes_told: List[str] = field(default_factory=list)
    refused: bool = False  # "还差": the CRM said the balance was short
    stuck: Optional[str] = None


@dataclass
class Chaos:
    kills: List[Tuple[str, float]] = field(default_factory=list)
    restarts: List[Tuple[str, float]] = field(default_factory=list)
    fatal: Optional[str] = None

    def windows(self) -> List[Tuple[float, float]]:
        """[kill, restart + grace] per kill (open-ended while not back)."""
        spans = []
        for name, killed in self.kills:
            back = next((t for n, t in self.restarts if n == name and t >= killed), None)
            spans.append((killed, (back if back is not None else float("inf")) + OUTAGE_GRACE))
        return spans

    def during_outage(self, moment: float) -> bool:
        return any(start <= moment <= end for start, end in self.windows())


@dataclass
class Run:
    started: float  # time.monotonic() at the start of the load
    deadline: float
    traffic: Traffic = field(default_factory=Traffic)
    complaints: List[ComplaintFlow] = field(default_factory=list)
    redemptions: List[Redemption] = field(default_factory=list)
    inquiries: int = 0
    order_counter: Counter = field(default_factory=Counter)

    def now(self) -> float:
        return time.monotonic() - self.started


def reply_text(replies: List[Dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def payloads(replies: List[Dict[str, Any]]) -> List[str]:
    return [b.get("payload", "") for r in replies for b in r.get("buttons") or []]


# ----------------------------------------------------------------------------- the customers


class Customer:
    """One simulated customer (a worker): its CRM identity, its own senders, the run's record."""

    def __init__(self, index: int, customer_id: int, token: str, run: Run,
                 session: aiohttp.ClientSession, config: StackConfig, cheapest: Dict[str, Any]):
        self.index, self.customer_id, self.token = index, customer_id, token
        self.run, self.session, self.config, self.cheapest = run, session, config, cheapest
        self.webhook = f"{config.rasa_url}/webhooks/rest/webhook"
        self.complaint_count = 0
        self.resent = 0  # how often the last message had to be sent again

    async def say(self, sender: str, text: str) -> List[Dict[str, Any]]:
        """Send one message (the token with it, as every message must); resend it after 2 s on a
        connection error, an HTTP error, an empty reply or an apology asking to try again."""
        traffic = self.run.traffic
        body = {"sender": sender, "message": text, "metadata": {"customer_token": self.token}}
        replies: List[Dict[str, Any]] = []
        self.resent = -1
        for _ in range(MAX_TRIES):
            self.resent += 1
            traffic.sent += 1
            started = time.perf_counter()
            try:
                async with self.session.post(self.webhook, json=body) as response:
                    raw = await response.read()
                    status = response.status
            except (aiohttp.ClientError, asyncio.TimeoutError):
                traffic.connection_errors.append(self.run.now())
                await asyncio.sleep(RETRY_PAUSE)
                continue
            if status != 200:
                traffic.http_errors.append(self.run.now())
                await asyncio.sleep(RETRY_PAUSE)
                continue
            traffic.latencies.append(time.perf_counter() - started)
            replies = json.loads(raw)
            if not replies:
                traffic.empty_lists.append(self.run.now())
                if len(traffic.empty_examples) < 5:
                    traffic.empty_examples.append(f"{sender}: {text!r}")
                await asyncio.sleep(RETRY_PAUSE)
                continue
            if any((r.get("text") or "") in APOLOGIES for r in replies):
                traffic.apologies.append(self.run.now())
                await asyncio.sleep(RETRY_PAUSE)
                continue
            return replies
        traffic.gave_up += 1
        if len(traffic.gave_up_examples) < 5:
            traffic.gave_up_examples.append(f"{sender}: {text!r} -> {reply_text(replies)[:120]!r}")
        return replies

    async def crm(self, path: str) -> Any:
        """The bench's own CRM look-ups, retried while the CRM is down (not customer traffic)."""
        url = f"{self.config.crm_url}{path}"
        headers = {"Authorization": f"Bearer {self.config.service_token}"}
        for _ in range(MAX_TRIES):
            try:
                async with self.session.get(url, headers=headers) as response:
                    if response.status == 200:
                        return await response.json()
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
            await asyncio.sleep(RETRY_PAUSE)
        return None

    async def loop(self) -> None:
        turn = self.index
        while time.monotonic() < self.run.deadline:
            scenario = ("inquiry", "complaint", "redemption")[turn % 3]
            turn += 1
            done = False
            if scenario == "complaint":
                done = await self.complaint()
            elif scenario == "redemption":
                done = await self.redemption()
            if not done:
                await self.inquiry(turn)

    async def inquiry(self, turn: int) -> None:
        await self.say(f"soak-{uuid.uuid4().hex[:12]}", INQUIRIES[turn % len(INQUIRIES)])
        self.run.inquiries += 1

    async def complaint(self) -> bool:
        """A whole complaint about one of the customer's delivered or shipped orders."""
        body = await self.crm(f"/api/customers/{self.customer_id}/orders?limit=50")
        eligible = [o["order_no"] for o in (body or {}).get("orders", [])
                    if o["status"] in ELIGIBLE_ORDER]
        if not eligible:
            return False
        pick = self.run.order_counter[self.customer_id]
        self.run.order_counter[self.customer_id] += 1
        plan = COMPLAINT_PLANS[self.complaint_count % len(COMPLAINT_PLANS)]
        flow = ComplaintFlow(f"soak-{uuid.uuid4().hex[:12]}", self.customer_id,
                             eligible[pick % len(eligible)], plan)
        self.run.complaints.append(flow)
        vent = VENTS[self.complaint_count % len(VENTS)]
        self.complaint_count += 1
        await self._complaint_steps(flow, vent)
        return True

    async def _complaint_steps(self, flow: ComplaintFlow, vent: str) -> None:
        severity, expectation, alternative_first = flow.plan
        message, repeats = vent, 0
        asked_alternative = False
        for _ in range(MAX_FLOW_STEPS):
            replies = await self.say(flow.sender, message)
            text, offered = reply_text(replies), payloads(replies)
            flow.transcript.append((round(self.run.now(), 1),
                                    message + (f" (resent {self.resent}x)" if self.resent else ""),
                                    text[:80]))
            told = NUMBER.search(text)
            if told and told.group(1) not in flow.numbers_told:
                flow.numbers_told.append(told.group(1))
            nxt: Optional[str] = None
            if "已经为您办理" in text:
                flow.done_told = text
                return
            if CANCELLED in text:
                flow.cancelled = True  # this customer never says stop: the bot decided it
                return
            if NOT_CONFIRMED in text:
                flow.not_confirmed += 1
                await asyncio.sleep(RETRY_PAUSE)
                nxt = "/affirm"  # the bot's own 「重新提交」 button
            elif "/request_alternative" in offered or RESPONSES["utter_no_more_remedies"] in text:
                if (alternative_first and not asked_alternative
                        and "/request_alternative" in offered):
                    asked_alternative, nxt = True, "/request_alternative"
                else:
                    nxt = "/affirm"
            elif "人工" in text and flow.numbers_told and "/affirm" not in offered:
                flow.handed_off = True  # an escalation: a person takes it from here
                return
            elif any(p.startswith('/inform{"order_no"') for p in offered) or "哪一笔订单" in text \
                    or RESPONSES["utter_complaint_order_not_recognised"] in text:
                nxt = f'/inform{{"order_no":"{flow.order_no}"}}'
            elif RESPONSES["utter_ask_complaint_order_no_typed"] in text:
                nxt = f"订单号是{flow.order_no}"  # no buttons offered: typed, as a person would
            elif any('"complaint_category"' in p for p in offered):
                nxt = '/inform{"complaint_category":"product_quality"}'
            elif any('"complaint_severity"' in p for p in offered):
                nxt = f'/inform{{"complaint_severity":"{severity}"}}'
            elif any('"complaint_expectation"' in p for p in offered):
                nxt = f'/inform{{"complaint_expectation":"{expectation}"}}'
            elif "记下" in text or "慢慢说" in text or "还有其他情况" in text:
                nxt = "没了"
            if nxt is None:
                repeats += 1  # not understood: say the same again, as a customer would
                if repeats > 2:
                    flow.stuck = text
                    return
                continue
            message, repeats = nxt, 0
        flow.stuck = flow.transcript[-1][2] if flow.transcript else "(no reply)"

    async def redemption(self) -> bool:
        """Redeem the cheapest reward when the balance allows it."""
        body = await self.crm(f"/api/customers/{self.customer_id}/points")
        if body is None or body.get("balance", 0) < self.cheapest["points_cost"]:
            return False
        record = Redemption(f"soak-{uuid.uuid4().hex[:12]}", self.customer_id,
                            self.cheapest["id"])
        self.run.redemptions.append(record)
        message = f'/redeem_points{{"reward_id":"{record.reward_id}"}}'
        for _ in range(MAX_FLOW_STEPS):
            replies = await self.say(record.sender, message)
            text = reply_text(replies)
            if "兑换成功" in text:
                record.codes_told += COUPON.findall(text)
                return True
            if "还差" in text:
                record.refused = True
                return True
            if "/affirm" in payloads(replies) and "确认兑换" in text:
                message = "/affirm"
                continue
            record.stuck = text
            return True
        record.stuck = "(too many steps)"
        return True


async def load(run: Run, config: StackConfig, assignments: List[Tuple[int, str]],
               cheapest: Dict[str, Any]) -> None:
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        customers = [Customer(i, customer_id, token, run, session, config, cheapest)
                     for i, (customer_id, token) in enumerate(assignments)]
        await asyncio.gather(*(c.loop() for c in customers))


# ----------------------------------------------------------------------------- chaos


def supervise(stack: Stack, run: Run, chaos: Chaos, stop: threading.Event) -> None:
    """Restart what exited, every second, as `make run` does; note when each is back."""

    def log(message: str) -> None:
        first = message.splitlines()[0]
        back = re.match(r"==> (\w+) 已重启", first)
        if back:
            chaos.restarts.append((back.group(1), run.now()))
        print(f"[{run.now():6.1f}s] {first}", flush=True)

    supervisor = Supervisor(stack, log=log)
    while not stop.is_set():
        try:
            supervisor.check()
        except StackFailed as failed:
            chaos.fatal = str(failed)[:2000]
            print(f"[{run.now():6.1f}s] supervisor gave up: {failed}", flush=True)
            return
        stop.wait(1.0)


def kill_on_schedule(stack: Stack, run: Run, chaos: Chaos, stop: threading.Event) -> None:
    """SIGKILL the CRM and the action server in turn at the fixed fractions of the run."""
    total = run.deadline - run.started
    for fraction, name in zip(KILL_AT, KILL_ORDER):
        if stop.wait(max(0.0, run.started + fraction * total - time.monotonic())):
            return
        process = stack.process(name)
        while not process.running():  # still coming back from an earlier kill
            if stop.wait(0.5):
                return
        assert process.popen is not None
        os.killpg(process.popen.pid, signal.SIGKILL)
        chaos.kills.append((name, run.now()))
        print(f"[{run.now():6.1f}s] killed {name} (SIGKILL, pid {process.popen.pid})", flush=True)


# ----------------------------------------------------------------------------- reconciliation


def crm_get(config: StackConfig, path: str) -> Any:
    request = urllib.request.Request(f"{config.crm_url}{path}",
                                     headers={"Authorization": f"Bearer {config.service_token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def read_only(db_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)


def high_water(db_path: Path) -> Dict[str, int]:
    """The largest row id of each table the audit looks at, before the load starts."""
    with read_only(db_path) as db:
        return {table: db.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0]
                for table in ("complaints", "refunds", "points_entries", "coupons")}


@dataclass
class Audit:
    rows: List[Tuple[str, str, int, bool]]  # (group, what, count, violates)
    notes: List[str]

    @property
    def violated(self) -> bool:
        return any(bad for *_, bad in self.rows)


def crm_complaints_of(config: StackConfig, customer_id: int) -> List[Dict[str, Any]]:
    listed, offset = [], 0
    while True:
        body = crm_get(config, f"/api/complaints?customer_id={customer_id}&limit=100"
                               f"&offset={offset}")
        listed += body["complaints"]
        offset += len(body["complaints"])
        if not body["complaints"] or offset >= body.get("total", 0):
            return listed


def reconcile(config: StackConfig, db_path: Path, run: Run, before: Dict[str, int],
              customer_ids: Set[int]) -> Audit:
    notes: List[str] = []
    senders = {f.sender: f for f in run.complaints}

    # complaints: what each customer was told against the CRM's log
    in_crm: Dict[str, Dict[str, Any]] = {}
    by_conversation: Dict[str, List[str]] = defaultdict(list)
    for customer_id in sorted(customer_ids):
        for complaint in crm_complaints_of(config, customer_id):
            if complaint.get("conversation_id") in senders:
                in_crm[complaint["number"]] = complaint
                by_conversation[complaint["conversation_id"]].append(complaint["number"])
    told = [(f, n) for f in run.complaints for n in f.numbers_told]
    lost = [(f, n) for f, n in told
            if n not in in_crm or in_crm[n]["conversation_id"] != f.sender]
    told_no_record = [f for f in run.complaints if f.numbers_told and not by_conversation[f.sender]]
    duplicated = {s: ns for s, ns in by_conversation.items() if len(ns) > 1}
    told_twice = [f for f in run.complaints if len(f.numbers_told) > 1]
    never_told = [n for s, ns in by_conversation.items() for n in ns
                  if n not in senders[s].numbers_told]
    # every detail given, then nothing recorded and no number: lost as far as the customer knows
    dropped = [f for f in run.complaints if not f.numbers_told and not by_conversation[f.sender]
               and any('"complaint_expectation"' in sent for _, sent, _ in f.transcript)]
    for f in dropped[:3]:
        notes.append(f"DROPPED complaint {f.sender} (customer {f.customer_id}, {f.order_no}), "
                     f"nothing in the CRM: {f.transcript}")
    cancelled = [f for f in run.complaints if f.cancelled]
    for f in cancelled[:3]:
        notes.append(f"CANCELLED by the bot {f.sender} (customer {f.customer_id}): {f.transcript}")
    for f in [f for f in run.complaints if f.sender in senders and not f.numbers_told
              and by_conversation[f.sender]][:3]:
        notes.append(f"NEVER TOLD {by_conversation[f.sender]} in {f.sender} "
                     f"(customer {f.customer_id}): {f.transcript}")
    for f, n in lost[:5]:
        notes.append(f"LOST complaint {n} told in {f.sender} (customer {f.customer_id}); "
                     f"CRM: {in_crm.get(n)}; transcript: {f.transcript}")
    for s, ns in list(duplicated.items())[:5]:
        notes.append(f"DUPLICATED complaints {ns} in conversation {s}: "
                     f"transcript {senders[s].transcript}")

    # remedies: told "已经为您办理" but not carried out
    done_told = [f for f in run.complaints if f.done_told and f.numbers_told]
    not_executed = []
    for f in done_told:
        number = f.numbers_told[-1]
        if number in in_crm:
            detail = crm_get(config, f"/api/complaints/{number}")
            detail = detail.get("complaint", detail)
            if not detail.get("remedy_executed"):
                not_executed.append((f, detail))
    for f, detail in not_executed[:5]:
        notes.append(f"REMEDY told done but not executed: {f.numbers_told[-1]} ({f.sender}); "
                     f"CRM status {detail.get('status')}")

    with read_only(db_path) as db:
        # refunds: one per complaint at most, never more than the order's total
        new_refunds = db.execute("SELECT id, order_id, amount_fen, status, reason FROM refunds "
                                 "WHERE id > ?", (before["refunds"],)).fetchall()
        per_complaint = Counter(m.group(1) for *_, reason in new_refunds
                                if (m := REFUND_REASON.search(reason)))
        double_refunds = {n: c for n, c in per_complaint.items() if c > 1}
        over = db.execute(
            "SELECT o.order_no, o.total_fen, SUM(r.amount_fen), COUNT(r.id) FROM orders o "
            "JOIN refunds r ON r.order_id = o.id WHERE r.status != 'rejected' "
            "GROUP BY o.id HAVING SUM(r.amount_fen) > o.total_fen").fetchall()
        refunds_told = [f for f in done_told if "退款" in f.done_told or "退还差价" in f.done_told]
        refunded_numbers = set(per_complaint)
        refund_told_missing = [f for f in refunds_told
                               if f.numbers_told[-1] not in refunded_numbers]
        for order_no, total, refunded, count in over[:5]:
            parts = db.execute(
                "SELECT r.amount_fen, r.status, r.reason FROM refunds r JOIN orders o "
                "ON o.id = r.order_id WHERE o.order_no = ? ORDER BY r.id", (order_no,)).fetchall()
            notes.append(f"OVER-REFUNDED order {order_no}: {count} refunds ¥{refunded / 100:.2f} "
                         f"> total ¥{total / 100:.2f}: "
                         + "; ".join(f"¥{a / 100:.2f} {st} ({reason})" for a, st, reason in parts))
        for number, count in list(double_refunds.items())[:5]:
            notes.append(f"DOUBLE REFUND: complaint {number} has {count} refunds")

        # points: each redemption told is one debit and one coupon; nothing else was debited
        debits = db.execute("SELECT customer_id, idempotency_key, delta FROM points_entries "
                            "WHERE id > ? AND source = 'redemption'",
                            (before["points_entries"],)).fetchall()
        coupons = {row[0]: row[1] for row in db.execute(
            "SELECT code, customer_id FROM coupons WHERE id > ?", (before["coupons"],))}
    told_codes = [(r, code) for r in run.redemptions for code in r.codes_told]
    told_per_customer = Counter(r.customer_id for r, _ in told_codes)
    debits_per_customer = Counter(customer for customer, _key, _delta in debits)
    untold_debits = sum(max(0, debits_per_customer[c] - told_per_customer[c])
                        for c in debits_per_customer)
    missing_debits = sum(max(0, told_per_customer[c] - debits_per_customer[c])
                         for c in told_per_customer)
    codes_missing = [(r, code) for r, code in told_codes if coupons.get(code) != r.customer_id]
    for customer in sorted(set(debits_per_customer) | set(told_per_customer)):
        if debits_per_customer[customer] != told_per_customer[customer]:
            mine = [r for r in run.redemptions if r.customer_id == customer]
            notes.append(f"POINTS customer {customer}: {told_per_customer[customer]} redemptions "
                         f"told, {debits_per_customer[customer]} debits; redemptions "
                         f"{[(r.sender, r.codes_told, r.refused, r.stuck) for r in mine]}")
    negative = []
    for customer_id in sorted(customer_ids):
        balance = crm_get(config, f"/api/customers/{customer_id}/points")["balance"]
        if balance < 0:
            negative.append((customer_id, balance))
    for customer_id, balance in negative:
        notes.append(f"NEGATIVE balance: customer {customer_id} has {balance} points")

    traffic = run.traffic
    empty = len(traffic.connection_errors) + len(traffic.http_errors) + len(traffic.empty_lists)
    if traffic.empty_examples:
        notes.append(f"EMPTY reply lists, e.g. {traffic.empty_examples}")
    if traffic.gave_up_examples:
        notes.append(f"GAVE UP after {MAX_TRIES} tries, e.g. {traffic.gave_up_examples}")
    stuck = [f for f in run.complaints if f.stuck] + [r for r in run.redemptions if r.stuck]
    for f in [f for f in run.complaints
              if f.stuck and f not in dropped and not by_conversation[f.sender]][:3]:
        notes.append(f"unfinished complaint flow {f.sender} (customer {f.customer_id}, "
                     f"{f.order_no}): {f.transcript}")
    for r in [r for r in run.redemptions if r.stuck][:3]:
        notes.append(f"unfinished redemption {r.sender}: last reply {r.stuck!r}")

    rows = [
        ("complaints", "flows started", len(run.complaints), False),
        ("complaints", "numbers told to customers", len(told), False),
        ("complaints", "  of which after 「无法确认」+ resubmit",
         sum(1 for f in run.complaints if f.not_confirmed and f.numbers_told), False),
        ("complaints", "in the CRM (these conversations)", len(in_crm), False),
        ("complaints", "lost (told, not in the CRM)", len(lost) + len(told_no_record), True),
        ("complaints", "dropped (all details given, none recorded)", len(dropped), True),
        ("complaints", "duplicated (conversations with >1)", len(duplicated), True),
        ("complaints", "different numbers told in one flow", len(told_twice), True),
        ("complaints", "in the CRM, number never told", len(never_told), False),
        ("complaints", "cancelled by the bot, customer never asked", len(cancelled), False),
        ("complaints", "remedies told done", len(done_told), False),
        ("complaints", "remedies told done, not executed", len(not_executed), True),
        ("complaints", "handed to a person (escalation)",
         sum(1 for f in run.complaints if f.handed_off), False),
        ("refunds", "refunds created", len(new_refunds), False),
        ("refunds", "refunds told", len(refunds_told), False),
        ("refunds", "refunds told, none in the CRM", len(refund_told_missing), True),
        ("refunds", "complaints with >1 refund", len(double_refunds), True),
        ("refunds", "over-refunded orders", len(over), True),
        ("points", "redemptions told", len(told_codes), False),
        ("points", "ledger debits (source redemption)", len(debits), False),
        ("points", "debits never told", untold_debits, True),
        ("points", "redemptions told, no debit", missing_debits, True),
        ("points", "coupon codes told, not in the CRM", len(codes_missing), True),
        ("points", "refused for the balance (还差)",
         sum(1 for r in run.redemptions if r.refused), False),
        ("points", "negative balances", len(negative), True),
        ("replies", "empty replies (HTTP/connection error, [])", empty, True),
        ("replies", "messages given up after retries", traffic.gave_up, True),
        ("replies", "unfinished flows", len(stuck), False),
    ]
    return Audit([(g, w, c, bad and c > 0) for g, w, c, bad in rows], notes)


# ----------------------------------------------------------------------------- report


def display_width(text: str) -> int:
    """Columns a terminal gives `text` (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def quantile_ms(values: List[float], q: float) -> float:
    if len(values) < 2:
        return (values[0] * 1000) if values else float("nan")
    return statistics.quantiles(values, n=100)[int(q * 100) - 1] * 1000


def report(run: Run, chaos: Chaos, wall: float, customers: int, distinct: int,
           audit: Audit) -> None:
    t = run.traffic
    in_outage = lambda moments: sum(1 for m in moments if chaos.during_outage(m))  # noqa: E731
    errors = t.connection_errors + t.http_errors + t.empty_lists
    print()
    print(f"duration           {wall:7.1f} s  ({customers} customers on {distinct} CRM customers)")
    print(f"messages sent      {t.sent:7d}  ({len(t.latencies)} answered, "
          f"{run.inquiries} inquiries, {len(run.complaints)} complaints, "
          f"{len(run.redemptions)} redemptions)")
    print(f"msg/s              {len(t.latencies) / wall:7.2f}")
    print(f"latency            p50 {quantile_ms(t.latencies, 0.5):7.0f} ms   "
          f"p95 {quantile_ms(t.latencies, 0.95):7.0f} ms")
    print(f"errors             {len(errors)} HTTP/connection/empty ({in_outage(errors)} during "
          f"outages); {len(t.apologies)} apologies resent ({in_outage(t.apologies)} during "
          f"outages)")
    kills = ", ".join(f"{n}@{s:.0f}s" for n, s in chaos.kills)
    backs = ", ".join(f"{n}@{s:.0f}s" for n, s in chaos.restarts)
    print(f"kills / restarts   {len(chaos.kills)} / {len(chaos.restarts)}   "
          f"killed: {kills or '-'}   back: {backs or '-'}")
    downtime = [end - OUTAGE_GRACE - start for start, end in chaos.windows()]
    if downtime:
        print("downtime           " + ", ".join(f"{d:.1f} s" for d in downtime))
    if chaos.fatal:
        print(f"supervisor         gave up: {chaos.fatal.splitlines()[0]}")
    print()
    width = max(display_width(w) for _, w, _, _ in audit.rows)
    print(f"| {'area':<10} | {pad('what', width)} | {'count':>6} | {'':4} |")
    print(f"|{'-' * 12}|{'-' * (width + 2)}|{'-' * 8}|{'-' * 6}|")
    for group, what, count, bad in audit.rows:
        print(f"| {group:<10} | {pad(what, width)} | {count:>6} | {'FAIL' if bad else '':4} |")
    if audit.notes:
        print()
        for note in audit.notes:
            print(f"- {note}")
    print()
    print("RESULT: " + ("invariant violated" if audit.violated or chaos.fatal
                        else "all invariants held"))


# ----------------------------------------------------------------------------- main


def discover_customers(config: StackConfig, wanted: int) -> List[int]:
    """Seeded customers with a delivered or shipped order, by id, up to `wanted`."""
    found, misses, customer_id = [], 0, 0
    while len(found) < wanted and misses < 5:
        customer_id += 1
        try:
            orders = crm_get(config, f"/api/customers/{customer_id}/orders?limit=50")["orders"]
        except urllib.error.HTTPError as error:
            if error.code == 404:
                misses += 1
                continue
            raise
        misses = 0
        if any(o["status"] in ELIGIBLE_ORDER for o in orders):
            found.append(customer_id)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=40)
    parser.add_argument("--minutes", type=float, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kefu-soak-") as tmp:
        work_dir = Path(tmp)
        db_path = work_dir / "crm.sqlite3"
        stack = seeded_stack(work_dir, ensure_model())
        config = stack.config
        stop = threading.Event()
        threads: List[threading.Thread] = []
        try:
            stack.start()
            customer_ids = discover_customers(config, args.customers)
            if not customer_ids:
                raise SystemExit("the seed has no customer with a delivered or shipped order")
            tokens = {c: crm_cli(config, "token", str(c)).strip() for c in customer_ids}
            assignments = [(customer_ids[i % len(customer_ids)],
                            tokens[customer_ids[i % len(customer_ids)]])
                           for i in range(args.customers)]
            cheapest = min(crm_get(config, "/api/rewards/catalogue")["rewards"],
                           key=lambda r: r["points_cost"])
            before = high_water(db_path)
            started = time.monotonic()
            run = Run(started=started, deadline=started + args.minutes * 60)
            chaos = Chaos()
            print(f"==> {args.customers} customers for {args.minutes:g} min; kills at "
                  + ", ".join(f"{f * args.minutes * 60:.0f}s ({n})"
                              for f, n in zip(KILL_AT, KILL_ORDER)), flush=True)
            threads = [threading.Thread(target=supervise, args=(stack, run, chaos, stop),
                                        daemon=True),
                       threading.Thread(target=kill_on_schedule, args=(stack, run, chaos, stop),
                                        daemon=True)]
            for thread in threads:
                thread.start()
            asyncio.run(load(run, config, assignments, cheapest))
            wall = time.monotonic() - started
            # Every process back before the audit (the supervisor is still watching).
            back_by = time.monotonic() + 300
            while not stack.running() and time.monotonic() < back_by and not chaos.fatal:
                time.sleep(1)
            stop.set()
            for thread in threads:
                thread.join(timeout=300)
            audit = reconcile(config, db_path, run, before, set(customer_ids))
            report(run, chaos, wall, args.customers, len(customer_ids), audit)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=300)
            stack.stop()
    sys.exit(1 if audit.violated or chaos.fatal or len(chaos.kills) < len(KILL_AT) else 0)


if __name__ == "__main__":
    main()
