"""Unit tests of the ledger rules: expiry dates, balances with expiry, expiring points."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crm_backend.core.time import BEIJING
from crm_backend.loyalty.rules import LedgerLine, balance, expiring, expiry_for, open_lots

T0 = datetime(2026, 1, 10, 12, 0, tzinfo=timezone.utc)


def _bj(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=BEIJING)


@pytest.mark.parametrize("granted, months, expected", [
    (datetime(2026, 1, 10, 4, tzinfo=timezone.utc), 12, _bj(2027, 1, 31)),
    (datetime(2026, 2, 28, 4, tzinfo=timezone.utc), 12, _bj(2027, 2, 28)),
    (datetime(2027, 2, 1, 4, tzinfo=timezone.utc), 12, _bj(2028, 2, 29)),
    (datetime(2026, 12, 31, 4, tzinfo=timezone.utc), 12, _bj(2027, 12, 31)),
    (datetime(2026, 12, 31, 17, tzinfo=timezone.utc), 12, _bj(2028, 1, 31)),
    (datetime(2026, 5, 15, 4, tzinfo=timezone.utc), 1, _bj(2026, 6, 30)),
    (datetime(2026, 11, 30, 4, tzinfo=timezone.utc), 3, _bj(2027, 2, 28)),
])
def test_expiry_is_end_of_the_nth_month_after_grant_in_beijing(granted, months, expected) -> None:
    assert expiry_for(granted, months) == expected


def test_empty_ledger_is_zero() -> None:
    assert balance([], T0) == 0
    assert expiring([], T0, 30) is None


def test_grants_and_redemptions_sum() -> None:
    lines = [LedgerLine(500, T0), LedgerLine(300, T0 + timedelta(days=1)),
             LedgerLine(-200, T0 + timedelta(days=2))]
    assert balance(lines, T0 + timedelta(days=3)) == 600


def test_expired_grant_is_left_out() -> None:
    lines = [LedgerLine(500, T0, T0 + timedelta(days=10)), LedgerLine(100, T0)]
    assert balance(lines, T0 + timedelta(days=9)) == 600
    assert balance(lines, T0 + timedelta(days=10)) == 100


def test_redemption_uses_soonest_expiring_points_first() -> None:
    lines = [
        LedgerLine(500, T0, T0 + timedelta(days=100)),
        LedgerLine(500, T0 + timedelta(days=1), T0 + timedelta(days=10)),
        LedgerLine(-400, T0 + timedelta(days=2)),
    ]
    assert balance(lines, T0 + timedelta(days=5)) == 600
    assert balance(lines, T0 + timedelta(days=11)) == 500


def test_spent_points_do_not_expire_twice() -> None:
    lines = [LedgerLine(300, T0, T0 + timedelta(days=10)), LedgerLine(-300, T0 + timedelta(days=1))]
    assert balance(lines, T0 + timedelta(days=20)) == 0


def test_redemption_after_expiry_cannot_use_lapsed_points() -> None:
    lines = [LedgerLine(300, T0, T0 + timedelta(days=10)), LedgerLine(200, T0),
             LedgerLine(-100, T0 + timedelta(days=11))]
    assert balance(lines, T0 + timedelta(days=12)) == 100


def test_future_entries_are_ignored() -> None:
    lines = [LedgerLine(300, T0 + timedelta(days=5))]
    assert balance(lines, T0) == 0


def test_overdraft_stays_visible_as_negative() -> None:
    lines = [LedgerLine(100, T0), LedgerLine(-150, T0 + timedelta(days=1))]
    assert balance(lines, T0 + timedelta(days=2)) == -50


def test_never_expiring_grants() -> None:
    lines = [LedgerLine(100, T0, None)]
    assert balance(lines, T0 + timedelta(days=5000)) == 100
    assert open_lots(lines, T0 + timedelta(days=1)) == [(100, None)]


def test_expiring_reports_points_and_first_date() -> None:
    lines = [
        LedgerLine(200, T0, T0 + timedelta(days=20)),
        LedgerLine(300, T0, T0 + timedelta(days=25)),
        LedgerLine(400, T0, T0 + timedelta(days=90)),
        LedgerLine(-100, T0 + timedelta(days=1)),
    ]
    soon = expiring(lines, T0 + timedelta(days=2), 30)
    assert soon is not None
    assert soon.points == 400 and soon.expires_at == T0 + timedelta(days=20)
    assert expiring(lines, T0 + timedelta(days=2), 10) is None
