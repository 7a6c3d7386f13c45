"""UTC storage and Beijing-time presentation of timestamps."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), name="Asia/Shanghai")


def beijing_iso(value: datetime) -> str:
    """ISO-8601 text in Beijing time with an explicit +08:00 offset."""
    if value.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; store and pass aware UTC values")
    return value.astimezone(BEIJING).isoformat(timespec="seconds")


def beijing_day_end(day: date) -> datetime:
    """The last second of a Beijing calendar day, as aware UTC."""
    local = datetime.combine(day, time(23, 59, 59), tzinfo=BEIJING)
    return local.astimezone(timezone.utc)
