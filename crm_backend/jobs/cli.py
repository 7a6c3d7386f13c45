"""Sub-commands `tiers recompute`, `rewards daily` and `risk scan` of `python -m crm_backend`."""

from __future__ import annotations

import argparse
import logging
from datetime import date, datetime
from typing import Any, Awaitable, Callable, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.core.clock import SystemClock
from crm_backend.core.config import CRMConfig
from crm_backend.core.db import run_in_session
from crm_backend.core.time import BEIJING
from crm_backend.core.vocabulary import tier_label
from crm_backend.loyalty.policy import load_rewards_policy, load_tier_policy
from crm_backend.loyalty.store import grant_daily_rewards, recompute_all, recompute_tier
from crm_backend.risk.policy import load_risk_policy
from crm_backend.risk.store import scan

log = logging.getLogger("crm_backend")


T = TypeVar("T")


def _in_session(config: CRMConfig, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work(session)` against the configured database and commit."""
    return run_in_session(config.database_url, work)


def _aware(raw: str) -> datetime:
    """An ISO time for --now; a naive value is read as Beijing time."""
    value = datetime.fromisoformat(raw)
    return value if value.tzinfo else value.replace(tzinfo=BEIJING)


def cmd_tiers_recompute(config: CRMConfig, args: argparse.Namespace) -> int:
    """`tiers recompute [--customer ID]`: regrade one or every customer."""
    policy = load_tier_policy(config.tiers_policy_path)
    rewards = load_rewards_policy(config.rewards_policy_path)
    now = SystemClock().now()

    async def work(session: AsyncSession) -> list:
        if args.customer is not None:
            return [await recompute_tier(session, args.customer, now, policy=policy,
                                         rewards=rewards)]
        return await recompute_all(session, now, policy, rewards)

    try:
        results = _in_session(config, work)
    except LookupError:
        log.error("客户 %s 不存在", args.customer)
        return 2
    for r in results:
        if r.changed or args.customer is not None:
            log.info("客户 %s：%s → %s（%s）", r.customer_id, tier_label(r.old_tier),
                     tier_label(r.tier), r.reason)
    log.info("已重新分级 %d 位客户，其中 %d 位等级变化", len(results),
             sum(r.changed for r in results))
    return 0


def cmd_rewards_daily(config: CRMConfig, args: argparse.Namespace) -> int:
    """`rewards daily [--date YYYY-MM-DD]`: grant birthday and anniversary points (idempotent)."""
    today = args.date or SystemClock().now().astimezone(BEIJING).date()
    policy = load_rewards_policy(config.rewards_policy_path)
    grants = _in_session(config, lambda s: grant_daily_rewards(s, today, policy))
    log.info("%s：生日/周年积分 %d 笔（重复运行不会重复发放）", today.isoformat(), len(grants))
    return 0


def cmd_risk_scan(config: CRMConfig, args: argparse.Namespace) -> int:
    """`risk scan [--now ISO]`: assess every customer and raise or refresh risk flags."""
    now = args.now or SystemClock().now()
    policy = load_risk_policy(config.risk_policy_path)
    result = _in_session(config, lambda s: scan(s, now, policy))
    log.info("已扫描 %d 位客户，%d 位有风险标记", result.scanned, len(result.flagged))
    return 0


def add_loyalty_commands(sub: Any) -> None:
    """Register the `tiers`, `rewards` and `risk` command groups on the sub-parser set."""
    tiers = sub.add_parser("tiers", help="customer tiers").add_subparsers(dest="action",
                                                                         required=True)
    recompute = tiers.add_parser("recompute", help="recompute tiers from order history")
    recompute.add_argument("--customer", type=int, default=None, help="only this customer id")
    recompute.set_defaults(run=cmd_tiers_recompute)
    rewards = sub.add_parser("rewards", help="loyalty rewards").add_subparsers(dest="action",
                                                                              required=True)
    daily = rewards.add_parser("daily", help="grant birthday and anniversary points")
    daily.add_argument("--date", type=date.fromisoformat, default=None, help="YYYY-MM-DD (Beijing)")
    daily.set_defaults(run=cmd_rewards_daily)
    risk = sub.add_parser("risk", help="churn risk").add_subparsers(dest="action", required=True)
    scan_parser = risk.add_parser("scan", help="scan customers for churn risk")
    scan_parser.add_argument("--now", type=_aware, default=None, help="ISO time (default: now)")
    scan_parser.set_defaults(run=cmd_risk_scan)
