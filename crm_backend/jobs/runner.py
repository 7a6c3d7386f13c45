"""The daily loyalty jobs inside the CRM process: birthday/anniversary points and the risk scan,
once per Beijing day across every CRM process, catching up days missed while it was down."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import AsyncIterator, List

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from crm_backend.core.background import running
from crm_backend.core.models import DailyJobRun
from crm_backend.core.state import CLOCK_KEY, CONFIG_KEY, SESSIONS_KEY
from crm_backend.jobs.rules import days_to_run, next_run_at
from crm_backend.loyalty.policy import RewardsPolicy
from crm_backend.loyalty.store import grant_daily_rewards
from crm_backend.risk.policy import RiskPolicy
from crm_backend.risk.store import scan

log = logging.getLogger(__name__)


MAX_SLEEP_SECONDS = 3600


@dataclass(frozen=True)
class DailyRun:
    """What one pass did: the days it covered, points grants and customers flagged."""

    days: List[date]
    grants: int
    flagged: int


async def run_daily_jobs(sessions: sessionmaker, now: datetime, hour: int,
                         rewards: RewardsPolicy, risk: RiskPolicy) -> DailyRun:
    """Do the days not yet done in one transaction; nothing when another process did them."""
    async with sessions() as db:
        last = await db.scalar(select(func.max(DailyJobRun.day)))
        days = days_to_run(last, now, hour)
        if not days:
            return DailyRun([], 0, 0)
        grants = {day: len(await grant_daily_rewards(db, day, rewards)) for day in days}
        flagged = len((await scan(db, now, risk)).flagged)
        db.add_all(DailyJobRun(day=day, grants=grants[day], flagged=flagged, finished_at=now)
                   for day in days)
        try:
            await db.commit()
        except IntegrityError:
            await db.rollback()
            log.info("daily jobs for %s already done by another process", days)
            return DailyRun([], 0, 0)
    return DailyRun(days, sum(grants.values()), flagged)


async def _loop(app: web.Application, hour: int, rewards: RewardsPolicy, risk: RiskPolicy
                ) -> None:
    """A pass now (catching up), then one after each run time; failures are logged."""
    while True:
        try:
            done = await run_daily_jobs(app[SESSIONS_KEY], app[CLOCK_KEY].now(), hour, rewards,
                                        risk)
            if done.days:
                log.info("daily jobs for %s: %d points grants, %d customers flagged",
                         ", ".join(d.isoformat() for d in done.days), done.grants, done.flagged)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("daily jobs pass failed; retried at the next wake-up")
        now = app[CLOCK_KEY].now()
        wait = (next_run_at(now, hour) - now).total_seconds()
        await asyncio.sleep(min(max(wait, 1.0), MAX_SLEEP_SECONDS))


async def daily_jobs(app: web.Application, rewards: RewardsPolicy, risk: RiskPolicy
                     ) -> AsyncIterator[None]:
    """cleanup_ctx (with the policies bound): the loop runs while the app does; off when
    CRM_DAILY_JOBS_HOUR is empty."""
    hour = app[CONFIG_KEY].daily_jobs_hour
    if hour is None:
        log.info("CRM_DAILY_JOBS_HOUR is empty: daily loyalty jobs disabled")
        yield
        return
    async for _ in running(_loop(app, hour, rewards, risk), "daily-jobs"):
        yield
