"""When the daily loyalty jobs are due, as plain rules over Beijing days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import List, Optional

from crm_backend.core.time import BEIJING

MAX_CATCH_UP_DAYS = 7


def latest_due_day(now: datetime, hour: int) -> date:
    """The newest Beijing day whose run time (`hour`:00) has come."""
    local = now.astimezone(BEIJING)
    return local.date() if local.hour >= hour else local.date() - timedelta(days=1)


def days_to_run(last_run: Optional[date], now: datetime, hour: int,
                max_catch_up: int = MAX_CATCH_UP_DAYS) -> List[date]:
    """Days not yet run, oldest first: those missed while the CRM was down are caught up
    (at most `max_catch_up`); the first run ever does only the latest due day."""
    latest = latest_due_day(now, hour)
    if last_run is None:
        return [latest]
    first = max(last_run + timedelta(days=1), latest - timedelta(days=max_catch_up - 1))
    return [first + timedelta(days=n) for n in range((latest - first).days + 1)]


def next_run_at(now: datetime, hour: int) -> datetime:
    """The next `hour`:00 Beijing time strictly after `now`."""
    local = now.astimezone(BEIJING)
    today = datetime.combine(local.date(), time(hour), tzinfo=BEIJING)
    upcoming = today if today > local else today + timedelta(days=1)
    return upcoming.astimezone(now.tzinfo)
