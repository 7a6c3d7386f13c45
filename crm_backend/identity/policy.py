"""The identity policy (policy/identity.toml): failure limits and lock of order-number
verification, and how long a conversation stays bound to a customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Dict, Mapping

from crm_backend.core.policy_files import PolicyError, integer, read_policy, table

SCOPES = ("conversation", "order", "source")


@dataclass(frozen=True)
class AttemptLimit:
    """At most `max_failures` wrong guesses within `window` before the scope is locked."""

    max_failures: int
    window: timedelta


@dataclass(frozen=True)
class IdentityPolicy:
    """identity.toml: a limit per scope (conversation, order number, source address), the lock
    they lead to, and the fixed lifetime of a binding."""

    limits: Dict[str, AttemptLimit]
    lock: timedelta
    binding_lifetime: timedelta

    @property
    def history(self) -> timedelta:
        """How far back failures can still matter: a lock that ends now began `lock` ago, after
        failures within the longest window before that."""
        return self.lock + max(limit.window for limit in self.limits.values())


def _limit(limits: Mapping[str, Any], scope: str) -> AttemptLimit:
    """One [limits.<scope>] table."""
    try:
        values = table(limits, scope)
        return AttemptLimit(max_failures=integer(values, "max_failures", 1),
                            window=timedelta(minutes=integer(values, "window_minutes", 1)))
    except PolicyError as exc:
        raise PolicyError(f"[limits.{scope}]: {exc}") from exc


def parse_identity_policy(doc: Mapping[str, Any]) -> IdentityPolicy:
    """Validate a parsed identity.toml document."""
    limits = table(doc, "limits")
    return IdentityPolicy(
        limits={scope: _limit(limits, scope) for scope in SCOPES},
        lock=timedelta(minutes=integer(table(doc, "lock"), "minutes", 1)),
        binding_lifetime=timedelta(minutes=integer(table(doc, "binding"), "lifetime_minutes", 1)),
    )


def load_identity_policy(path: Path) -> IdentityPolicy:
    """Read and validate the identity policy file."""
    return parse_identity_policy(read_policy(path))
