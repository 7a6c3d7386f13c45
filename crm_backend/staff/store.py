"""Staff accounts and their login sessions in the database.

A session's token is handed out once, when it starts; only its SHA-256 is stored, so a copy of
the database lets nobody in. A login is decided under the account's row lock, so parallel guesses
are counted one after another and none slips past the lockout.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional, Tuple

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from crm_backend.core.errors import Conflict, Invalid, NotFound
from crm_backend.core.models import StaffSession, StaffUser
from crm_backend.staff import rules
from crm_backend.staff.passwords import hash_password
from crm_backend.staff.policy import StaffPolicy

TOKEN_BYTES = 32


MAX_USER_AGENT = 255


def token_hash(token: str) -> str:
    """The stored form of a session token: its SHA-256 in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def staff_by_username(db: AsyncSession, username: str) -> Optional[StaffUser]:
    """The account with this (normalised) username, if any."""
    stmt = select(StaffUser).where(StaffUser.username == rules.normalise_username(username))
    return (await db.execute(stmt)).scalar_one_or_none()


async def staff_by_id(db: AsyncSession, staff_id: int) -> Optional[StaffUser]:
    """The account with this id, if any."""
    return await db.get(StaffUser, staff_id)


async def all_staff(db: AsyncSession) -> List[StaffUser]:
    """Every account, disabled ones included, in the order they were created."""
    return list((await db.execute(select(StaffUser).order_by(StaffUser.id))).scalars())


def _check_password(password: str, username: str) -> None:
    """Invalid unless `password` is strong enough for `username`."""
    problem = rules.password_problem(password, username)
    if problem is not None:
        raise Invalid("weak_password", problem, "password")


async def create_staff(db: AsyncSession, *, username: str, display_name: str, role: str,
                       password: str, now: datetime) -> StaffUser:
    """A new account; Invalid for a bad username, name, role or weak password, Conflict when the
    username is taken."""
    username = rules.normalise_username(username)
    for field, problem in (("username", rules.username_problem(username)),
                           ("display_name", rules.display_name_problem(display_name)),
                           ("role", rules.role_problem(role))):
        if problem is not None:
            raise Invalid(f"invalid_{field}", problem, field)
    _check_password(password, username)
    if await staff_by_username(db, username) is not None:
        raise Conflict("username_taken", f"账号 {username} 已存在", "username")
    staff = StaffUser(username=username, display_name=display_name.strip(), role=role,
                      password_hash=hash_password(password), created_at=now, failed_logins=0)
    db.add(staff)
    try:
        async with db.begin_nested():
            await db.flush()
    except IntegrityError as exc:
        raise Conflict("username_taken", f"账号 {username} 已存在", "username") from exc
    return staff


async def _existing(db: AsyncSession, username: str) -> StaffUser:
    """The account, locked for the change; NotFound when there is none."""
    stmt = (select(StaffUser).where(StaffUser.username == rules.normalise_username(username))
            .with_for_update())
    staff = (await db.execute(stmt)).scalar_one_or_none()
    if staff is None:
        raise NotFound("staff_not_found", f"没有账号 {rules.normalise_username(username)}")
    return staff


async def set_password(db: AsyncSession, username: str, password: str, now: datetime
                       ) -> Tuple[StaffUser, int]:
    """Give the account a new password, lift any lock and end its sessions (whoever knew the
    old password is logged out); returns the account and how many sessions ended."""
    staff = await _existing(db, username)
    _check_password(password, staff.username)
    staff.password_hash = hash_password(password)
    staff.failed_logins, staff.locked_until = 0, None
    return staff, await end_sessions_of(db, staff.id, now)


async def disable_staff(db: AsyncSession, username: str, now: datetime
                        ) -> Tuple[StaffUser, int]:
    """Stop the account from logging in and end its sessions (again harmless); returns the
    account and how many sessions ended."""
    staff = await _existing(db, username)
    if staff.disabled_at is None:
        staff.disabled_at = now
    return staff, await end_sessions_of(db, staff.id, now)


async def start_session(db: AsyncSession, staff: StaffUser, now: datetime, policy: StaffPolicy,
                        user_agent: Optional[str] = None) -> Tuple[StaffSession, str]:
    """A new session for `staff` and its raw token, which is not kept anywhere: this is the only
    time it is seen."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = StaffSession(staff_id=staff.id, token_hash=token_hash(token),
                       csrf_token=secrets.token_urlsafe(TOKEN_BYTES), created_at=now,
                       last_seen_at=now, expires_at=rules.session_expires_at(now, policy),
                       user_agent=user_agent[:MAX_USER_AGENT] if user_agent else None)
    db.add(row)
    await db.flush()
    return row, token


async def session_by_token(db: AsyncSession, token: str) -> Optional[StaffSession]:
    """The session this token started, with its staff member, live or not."""
    stmt = (select(StaffSession).where(StaffSession.token_hash == token_hash(token))
            .options(selectinload(StaffSession.staff)))
    return (await db.execute(stmt)).scalar_one_or_none()


async def live_session(db: AsyncSession, token: str, now: datetime, policy: StaffPolicy
                       ) -> Optional[StaffSession]:
    """The token's session with its staff member while it is live and the account enabled;
    None for an unknown token or an ended, idle or expired session."""
    row = await session_by_token(db, token)
    if row is None or row.staff.disabled_at is not None:
        return None
    reason = rules.session_end_reason(expires_at=row.expires_at, last_seen_at=row.last_seen_at,
                                      ended_at=row.ended_at, now=now, policy=policy)
    return row if reason is None else None


async def touch_session(db: AsyncSession, session_id: int, now: datetime) -> None:
    """Record a request on a session still open (it keeps it from going idle)."""
    await db.execute(update(StaffSession)
                     .where(StaffSession.id == session_id, StaffSession.ended_at.is_(None))
                     .values(last_seen_at=now))


async def end_session(db: AsyncSession, session_id: int, now: datetime) -> None:
    """End one session (logout); nothing happens to one already ended."""
    await db.execute(update(StaffSession)
                     .where(StaffSession.id == session_id, StaffSession.ended_at.is_(None))
                     .values(ended_at=now))


async def end_sessions_of(db: AsyncSession, staff_id: int, now: datetime) -> int:
    """End every open session of a staff member; returns how many were open."""
    result = await db.execute(update(StaffSession)
                              .where(StaffSession.staff_id == staff_id,
                                     StaffSession.ended_at.is_(None))
                              .values(ended_at=now))
    return result.rowcount or 0


def record_failed_login(staff: StaffUser, now: datetime, policy: StaffPolicy
                        ) -> Optional[datetime]:
    """Count a wrong password for `staff` (held under its row lock); returns when the lock it
    caused ends, or None when it caused none."""
    outcome = rules.after_failed_login(staff.failed_logins or 0, now, policy)
    staff.failed_logins, staff.locked_until = outcome.failed_logins, outcome.locked_until
    return outcome.locked_until


def reset_failed_logins(staff: StaffUser) -> None:
    """Forget wrong passwords and any lock after a successful login."""
    staff.failed_logins, staff.locked_until = 0, None


@dataclass(frozen=True)
class LoginResult:
    """A login that started `session` (its raw `token` to hand to the browser), or the refusal:
    "bad_credentials" (unknown user or wrong password alike), "locked" (until `locked_until`)
    or "disabled"."""

    staff: Optional[StaffUser] = None
    session: Optional[StaffSession] = None
    token: Optional[str] = None
    refusal: Optional[str] = None
    locked_until: Optional[datetime] = None


async def log_in(db: AsyncSession, *, username: str, checked_hash: Optional[str],
                 password_ok: bool, new_hash: Optional[str], now: datetime,
                 policy: StaffPolicy, user_agent: Optional[str] = None) -> LoginResult:
    """Decide a login whose password was checked beforehand against `checked_hash` (slow work
    kept out of the transaction), under the account's row lock: a locked account is refused
    unchecked, a wrong password counts towards the lock, a disabled account is refused, and a
    success resets the count, stores `new_hash` (a re-hash of an outdated one) and starts a
    session. Run it first in a fresh transaction; the caller commits whatever the outcome."""
    stmt = (select(StaffUser).where(StaffUser.username == rules.normalise_username(username))
            .with_for_update())
    staff = (await db.execute(stmt)).scalar_one_or_none()
    if staff is None:
        return LoginResult(refusal="bad_credentials")
    if rules.is_locked(staff.locked_until, now):
        return LoginResult(refusal="locked", locked_until=staff.locked_until)
    if not password_ok or staff.password_hash != checked_hash:
        locked_until = record_failed_login(staff, now, policy)
        if locked_until is not None:
            return LoginResult(refusal="locked", locked_until=locked_until)
        return LoginResult(refusal="bad_credentials")
    if staff.disabled_at is not None:
        return LoginResult(refusal="disabled")
    reset_failed_logins(staff)
    if new_hash is not None:
        staff.password_hash = new_hash
    session, token = await start_session(db, staff, now, policy, user_agent)
    return LoginResult(staff=staff, session=session, token=token)
