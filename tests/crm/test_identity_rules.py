"""The pure decision of whether an order-number guess may be checked (issue 10)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crm_backend.identity.policy import AttemptLimit, IdentityPolicy
from crm_backend.identity.rules import (lock_end, locked_message, locked_until,
                                        retry_after_seconds, tail_matches)

T0 = datetime(2026, 11, 23, 7, 0, tzinfo=timezone.utc)
MIN = timedelta(minutes=1)
FIVE_IN_15 = AttemptLimit(max_failures=5, window=15 * MIN)
POLICY = IdentityPolicy(
    limits={"conversation": FIVE_IN_15, "order": FIVE_IN_15,
            "source": AttemptLimit(max_failures=20, window=15 * MIN)},
    lock=30 * MIN, binding_lifetime=30 * MIN)


def _every_minute(count: int, start: datetime = T0) -> list:
    return [start + i * MIN for i in range(count)]


def test_fewer_failures_than_the_limit_lock_nothing() -> None:
    assert lock_end(_every_minute(4), FIVE_IN_15, 30 * MIN) is None
    assert locked_until({"conversation": _every_minute(4)}, POLICY, T0 + 5 * MIN) is None


def test_the_failure_that_reaches_the_limit_starts_the_lock() -> None:
    failures = _every_minute(5)
    assert lock_end(failures, FIVE_IN_15, 30 * MIN) == T0 + 4 * MIN + 30 * MIN
    assert locked_until({"order": failures}, POLICY, T0 + 5 * MIN) == T0 + 34 * MIN


def test_failures_at_the_same_instant_count_each() -> None:
    assert locked_until({"conversation": [T0] * 5}, POLICY, T0) == T0 + 30 * MIN


def test_failures_spread_wider_than_the_window_lock_nothing() -> None:
    spread = [T0 + i * 4 * MIN for i in range(5)]  # the 5th is 16 minutes after the 1st
    assert lock_end(spread, FIVE_IN_15, 30 * MIN) is None


def test_exactly_the_window_apart_is_outside_it() -> None:
    edge = [T0, T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN, T0 + 15 * MIN]
    assert lock_end(edge, FIVE_IN_15, 30 * MIN) is None
    assert lock_end(edge[:4] + [T0 + 15 * MIN - timedelta(seconds=1)], FIVE_IN_15,
                    30 * MIN) is not None


def test_the_lock_ends_after_the_configured_time() -> None:
    failures = {"conversation": [T0] * 5}
    assert locked_until(failures, POLICY, T0 + 30 * MIN - timedelta(seconds=1)) is not None
    assert locked_until(failures, POLICY, T0 + 30 * MIN) is None


def test_each_scope_has_its_own_limit() -> None:
    nineteen = [T0] * 19
    assert locked_until({"source": nineteen}, POLICY, T0) is None
    assert locked_until({"conversation": nineteen}, POLICY, T0) == T0 + 30 * MIN
    assert locked_until({"source": nineteen + [T0]}, POLICY, T0) == T0 + 30 * MIN


def test_the_latest_lock_over_all_scopes_wins() -> None:
    failures = {"conversation": [T0] * 5, "order": [T0 + 10 * MIN] * 5, "source": []}
    assert locked_until(failures, POLICY, T0 + 11 * MIN) == T0 + 40 * MIN


def test_a_later_run_of_failures_extends_the_lock() -> None:
    first, second = [T0] * 5, [T0 + 31 * MIN] * 5
    assert lock_end(first + second, FIVE_IN_15, 30 * MIN) == T0 + 61 * MIN


def test_history_covers_a_lock_and_the_window_before_it() -> None:
    assert POLICY.history == 45 * MIN


@pytest.mark.parametrize("remaining, seconds, minutes", [
    (timedelta(minutes=30), 1800, 30), (timedelta(seconds=61), 61, 2),
    (timedelta(seconds=0.2), 1, 1), (timedelta(seconds=-5), 1, 1)])
def test_retry_after_rounds_up(remaining: timedelta, seconds: int, minutes: int) -> None:
    assert retry_after_seconds(T0 + remaining, T0) == seconds
    assert locked_message(seconds) == (
        f"验证失败次数过多，请在 {minutes} 分钟后再试，或转人工客服核实身份")


def test_tail_matches_only_the_last_four_digits() -> None:
    assert tail_matches("13800001234", "1234")
    assert not tail_matches("13800001234", "0123")
