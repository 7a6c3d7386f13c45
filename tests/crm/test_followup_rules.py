"""Follow-up due time and retry backoff as plain functions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crm_backend.complaints.remedies.rules import FollowUpTiming
from crm_backend.core.time import BEIJING
from crm_backend.followups.rules import (after_failure, firing_lease, follow_up_due, retry_delay,
                                         within_contact_hours)

TIMING = FollowUpTiming(after_due_hours=24, contact_start_hour=10, contact_end_hour=20,
                        max_attempts=3, retry_backoff_seconds=30)


def bj(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BEIJING)


@pytest.mark.parametrize("executed,due_days,expected", [
    (bj(20, 12), 0, bj(21, 12)),
    (bj(20, 12), 3, bj(24, 12)),
    (bj(20, 8), 0, bj(21, 10)),
    (bj(20, 21), 0, bj(22, 10)),
    (bj(20, 20), 0, bj(22, 10)),
    (bj(20, 19, 59), 1, bj(22, 19, 59)),
    (bj(20, 0, 30), 0, bj(21, 10)),
    (bj(20, 10), 0, bj(21, 10)),
])
def test_due_time_inside_contact_hours(executed, due_days, expected) -> None:
    assert follow_up_due(executed.astimezone(timezone.utc), due_days, TIMING) == expected


@pytest.mark.parametrize("seconds", [0, 5, 3600])
def test_override_replaces_the_rule(seconds) -> None:
    executed = bj(20, 23).astimezone(timezone.utc)
    assert follow_up_due(executed, 3, TIMING, seconds) == executed + timedelta(seconds=seconds)


def test_contact_window_keeps_times_inside() -> None:
    inside = bj(20, 15).astimezone(timezone.utc)
    assert within_contact_hours(inside, TIMING) == inside


@pytest.mark.parametrize("attempts,seconds", [(1, 30), (2, 60), (3, 120), (4, 240), (0, 30)])
def test_backoff_doubles(attempts, seconds) -> None:
    assert retry_delay(attempts, TIMING) == timedelta(seconds=seconds)


@pytest.mark.parametrize("attempts,retry", [(1, True), (2, True), (3, False), (5, False)])
def test_gives_up_after_max_attempts(attempts, retry) -> None:
    now = bj(20, 12)
    result = after_failure(attempts, now, TIMING)
    assert (result is not None) is retry
    if retry:
        assert result > now


@pytest.mark.parametrize("timeout", [1, 10, 60])
def test_firing_lease_outlasts_the_rasa_call(timeout) -> None:
    now = bj(20, 12)
    assert firing_lease(now, timeout) > now + timedelta(seconds=timeout)
