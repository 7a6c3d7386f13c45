"""The staff policy (policy/staff.toml): session idle timeout and absolute lifetime, and the
lockout after too many wrong passwords."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping

from crm_backend.core.policy_files import PolicyError, integer, read_policy, table


@dataclass(frozen=True)
class StaffPolicy:
    """staff.toml: a session ends after `idle_timeout` without a request or `lifetime` after
    login; `max_failures` wrong passwords in a row lock the account for `lockout`."""

    idle_timeout: timedelta
    lifetime: timedelta
    max_failures: int
    lockout: timedelta


def parse_staff_policy(doc: Mapping[str, Any]) -> StaffPolicy:
    """Validate a parsed staff.toml document."""
    session = table(doc, "session")
    lockout = table(doc, "lockout")
    policy = StaffPolicy(
        idle_timeout=timedelta(minutes=integer(session, "idle_minutes", 1)),
        lifetime=timedelta(hours=integer(session, "lifetime_hours", 1)),
        max_failures=integer(lockout, "max_failures", 1),
        lockout=timedelta(minutes=integer(lockout, "minutes", 1)),
    )
    if policy.idle_timeout > policy.lifetime:
        raise PolicyError("[session] idle_minutes must not exceed lifetime_hours")
    return policy


def load_staff_policy(path: Path) -> StaffPolicy:
    """Read and validate the staff policy file."""
    return parse_staff_policy(read_policy(path))
