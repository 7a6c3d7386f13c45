"""Staff accounts as plain decisions: acceptable usernames and new passwords, when wrong passwords
lock an account, when a session has ended, what a role may do, where a login may lead."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from crm_backend.core.time import BEIJING
from crm_backend.staff.policy import StaffPolicy

ROLES = ("agent", "manager")


ROLE_LABELS = {"agent": "客服", "manager": "主管"}


# A role may do everything a lower-ranked role may.
ROLE_RANK = {"agent": 1, "manager": 2}


MIN_PASSWORD_LENGTH = 10


MAX_PASSWORD_LENGTH = 256


USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")


MAX_DISPLAY_NAME = 64


# A live session's last_seen_at is written at most this often (one write a minute, not one per
# request); the idle timeout may therefore end a session up to this much early.
TOUCH_INTERVAL = timedelta(seconds=60)


HOME = "/staff/"


MAX_NEXT_LENGTH = 2000


def normalise_username(raw: str) -> str:
    """How a typed username is compared: without surrounding spaces, in lower case."""
    return raw.strip().lower()


def username_problem(username: str) -> Optional[str]:
    """Why `username` cannot name a new account (None when it can)."""
    if not USERNAME_PATTERN.fullmatch(username):
        return "账号须为 2–32 位小写英文字母、数字或 . _ -，并以字母或数字开头"
    return None


def display_name_problem(name: str) -> Optional[str]:
    """Why `name` cannot be shown for an account (None when it can)."""
    if not name.strip():
        return "显示名不能为空"
    if len(name.strip()) > MAX_DISPLAY_NAME:
        return f"显示名最多 {MAX_DISPLAY_NAME} 个字"
    return None


def role_problem(role: str) -> Optional[str]:
    """Why `role` is not a staff role (None when it is)."""
    return None if role in ROLES else "角色只能是 agent（客服）或 manager（主管）"


def password_problem(password: str, username: str) -> Optional[str]:
    """Why `password` is too weak for `username`'s new password (None when it will do)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"密码最多 {MAX_PASSWORD_LENGTH} 个字符"
    if password.isdigit():
        return "密码不能全是数字，请加入字母或符号"
    if password.strip().lower() == username.strip().lower():
        return "密码不能与账号相同"
    return None


def role_allows(role: str, required: str) -> bool:
    """True when a member with `role` may do what needs `required` (a manager may do all an
    agent may); an unknown role may do nothing."""
    return role in ROLE_RANK and ROLE_RANK[role] >= ROLE_RANK[required]


def is_locked(locked_until: Optional[datetime], now: datetime) -> bool:
    """True while a lock set by wrong passwords lasts."""
    return locked_until is not None and now < locked_until


@dataclass(frozen=True)
class AfterFailure:
    """An account's counters after one more wrong password."""

    failed_logins: int
    locked_until: Optional[datetime]


def after_failed_login(failed_logins: int, now: datetime, policy: StaffPolicy) -> AfterFailure:
    """Count one more wrong password; reaching the policy's limit locks the account for the
    lockout period and starts the count again."""
    failures = failed_logins + 1
    if failures >= policy.max_failures:
        return AfterFailure(failed_logins=0, locked_until=now + policy.lockout)
    return AfterFailure(failed_logins=failures, locked_until=None)


def retry_after_seconds(locked_until: datetime, now: datetime) -> int:
    """Whole seconds until the lock ends (at least 1)."""
    return max(1, math.ceil((locked_until - now).total_seconds()))


def locked_message(locked_until: datetime, now: datetime) -> str:
    """What a locked account's login page says: how long, and until when (Beijing time)."""
    minutes = math.ceil(retry_after_seconds(locked_until, now) / 60)
    until = locked_until.astimezone(BEIJING).strftime("%H:%M")
    return (f"密码错误次数过多，账号已暂时锁定。请在 {minutes} 分钟后（北京时间 {until} 以后）"
            "再试；如需立即登录，请联系主管。")


def session_expires_at(now: datetime, policy: StaffPolicy) -> datetime:
    """The absolute end of a session started `now`."""
    return now + policy.lifetime


def session_end_reason(*, expires_at: datetime, last_seen_at: datetime,
                       ended_at: Optional[datetime], now: datetime, policy: StaffPolicy
                       ) -> Optional[str]:
    """None while a session is live; otherwise why not: "ended" (logged out or ended for the
    account), "expired" (its absolute lifetime is over) or "idle" (no request for too long)."""
    if ended_at is not None:
        return "ended"
    if now >= expires_at:
        return "expired"
    if now - last_seen_at >= policy.idle_timeout:
        return "idle"
    return None


def needs_touch(last_seen_at: datetime, now: datetime) -> bool:
    """True when a live session's last_seen_at is old enough to be written again."""
    return now - last_seen_at >= TOUCH_INTERVAL


def safe_next(raw: Optional[str]) -> str:
    """Where a login may lead: a path of the staff pages (`/staff/…`), else the home page, so a
    crafted link cannot send a member to another site."""
    if (not raw or len(raw) > MAX_NEXT_LENGTH or not raw.startswith(HOME)
            or "\\" in raw or any(ord(c) < 0x20 or ord(c) == 0x7f for c in raw)):
        return HOME
    return raw
