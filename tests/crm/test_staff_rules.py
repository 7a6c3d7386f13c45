"""Staff rules without a database: new passwords, lockout, session expiry, roles, where a login
may lead; and staff.toml read once at start-up."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from crm_backend.app import create_app
from crm_backend.core.config import POLICY_DIR, CRMConfig
from crm_backend.core.policy_files import PolicyError
from crm_backend.policies import POLICIES_KEY
from crm_backend.staff import rules
from crm_backend.staff.policy import StaffPolicy, load_staff_policy

POLICY = StaffPolicy(idle_timeout=timedelta(minutes=30), lifetime=timedelta(hours=12),
                     max_failures=5, lockout=timedelta(minutes=15))
T0 = datetime(2026, 11, 23, 7, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("password, username, problem", [
    ("short-pw", "xiaoli", "至少需要 10 个字符"),
    ("1234567890123", "xiaoli", "不能全是数字"),
    ("xiaoli.kefu", "xiaoli.kefu", "不能与账号相同"),
    ("XiaoLi.Kefu", "xiaoli.kefu", "不能与账号相同"),
    ("x" * 257, "xiaoli", "最多 256 个字符"),
])
def test_a_weak_new_password_is_refused_with_the_reason(password: str, username: str,
                                                         problem: str) -> None:
    assert problem in rules.password_problem(password, username)


@pytest.mark.parametrize("password", ["kefu-demo-2026", "1234567890a", "长一点的中文密码也可以用啊"])
def test_a_good_enough_password_passes(password: str) -> None:
    assert rules.password_problem(password, "xiaoli") is None


def test_usernames_names_and_roles() -> None:
    assert rules.username_problem("xiaomei") is None
    assert rules.username_problem("chen.jl-2") is None
    for bad in ("", "x", "Xiaomei", "小美", "has space", "-dash", "a" * 33, "<b>"):
        assert rules.username_problem(bad) is not None
    assert rules.normalise_username("  XiaoMei ") == "xiaomei"
    assert rules.display_name_problem("  ") is not None
    assert rules.display_name_problem("客服小美") is None
    assert rules.role_problem("manager") is None and rules.role_problem("admin") is not None


def test_a_manager_may_do_all_an_agent_may_but_not_the_reverse() -> None:
    assert rules.role_allows("agent", "agent")
    assert rules.role_allows("manager", "agent")
    assert rules.role_allows("manager", "manager")
    assert not rules.role_allows("agent", "manager")
    assert not rules.role_allows("visitor", "agent")


def test_the_fifth_wrong_password_locks_and_starts_the_count_again() -> None:
    failures = 0
    for _ in range(4):
        outcome = rules.after_failed_login(failures, T0, POLICY)
        assert outcome.locked_until is None
        failures = outcome.failed_logins
    assert failures == 4
    outcome = rules.after_failed_login(failures, T0, POLICY)
    assert outcome == rules.AfterFailure(failed_logins=0, locked_until=T0 + timedelta(minutes=15))
    assert rules.is_locked(outcome.locked_until, T0 + timedelta(minutes=14, seconds=59))
    assert not rules.is_locked(outcome.locked_until, T0 + timedelta(minutes=15))
    assert not rules.is_locked(None, T0)


def test_the_lock_message_says_how_long_and_until_when_in_beijing_time() -> None:
    message = rules.locked_message(T0 + timedelta(minutes=15), T0)
    assert "15 分钟后" in message and "北京时间 15:15" in message and "联系主管" in message
    assert rules.retry_after_seconds(T0 + timedelta(seconds=61), T0) == 61
    assert "2 分钟后" in rules.locked_message(T0 + timedelta(seconds=61), T0)


def test_a_session_ends_when_ended_idle_or_past_its_lifetime() -> None:
    def reason(now: datetime, last_seen: datetime = T0, ended=None):
        return rules.session_end_reason(expires_at=rules.session_expires_at(T0, POLICY),
                                        last_seen_at=last_seen, ended_at=ended, now=now,
                                        policy=POLICY)

    assert reason(T0 + timedelta(minutes=29)) is None
    assert reason(T0 + timedelta(minutes=30)) == "idle"
    late = T0 + timedelta(hours=11, minutes=50)
    assert reason(late, last_seen=late - timedelta(minutes=5)) is None
    assert reason(T0 + timedelta(hours=12), last_seen=T0 + timedelta(hours=12)) == "expired"
    assert reason(T0 + timedelta(minutes=1), ended=T0) == "ended"


def test_last_seen_is_written_at_most_once_a_minute() -> None:
    assert not rules.needs_touch(T0, T0 + timedelta(seconds=59))
    assert rules.needs_touch(T0, T0 + timedelta(seconds=60))


@pytest.mark.parametrize("raw, expected", [
    (None, "/staff/"), ("", "/staff/"), ("/staff/", "/staff/"),
    ("/staff/tickets?open=1", "/staff/tickets?open=1"),
    ("https://evil.example/", "/staff/"), ("//evil.example/staff/", "/staff/"),
    ("/\\evil.example", "/staff/"), ("/staff/\\\\evil.example", "/staff/"),
    ("/api/orders", "/staff/"), ("/staffevil", "/staff/"), ("javascript:alert(1)", "/staff/"),
    ("/staff/\r\nSet-Cookie: x=1", "/staff/"), ("/staff/" + "a" * 2001, "/staff/"),
])
def test_a_login_only_leads_to_a_staff_page(raw, expected: str) -> None:
    assert rules.safe_next(raw) == expected


def test_the_shipped_policy_and_its_override(tmp_path) -> None:
    policy = create_app(CRMConfig())[POLICIES_KEY].staff
    assert policy == POLICY
    assert CRMConfig().staff_policy_path == POLICY_DIR / "staff.toml"
    custom = tmp_path / "staff.toml"
    custom.write_text("[session]\nidle_minutes = 10\nlifetime_hours = 8\n"
                      "[lockout]\nmax_failures = 3\nminutes = 60\n", encoding="utf-8")
    config = CRMConfig.from_env({"CRM_STAFF_POLICY": str(custom)})
    assert config.staff_policy_path == custom
    assert load_staff_policy(custom) == StaffPolicy(timedelta(minutes=10), timedelta(hours=8), 3,
                                                    timedelta(minutes=60))


@pytest.mark.parametrize("old, new, named", [
    ("max_failures = 5", "max_failures = 0", "max_failures"),
    ("idle_minutes = 30", "idle_minutes = 900", "idle_minutes"),
    ("[lockout]", "[lock]", "lockout"),
    ("lifetime_hours = 12", "lifetime_hours = \"twelve\"", "lifetime_hours"),
])
def test_a_broken_staff_policy_stops_start_up(tmp_path, old: str, new: str, named: str) -> None:
    text = (POLICY_DIR / "staff.toml").read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "staff.toml"
    broken.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(PolicyError, match=rf"staff\.toml.*{named}"):
        create_app(replace(CRMConfig(), staff_policy_path=broken))
