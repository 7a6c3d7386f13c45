"""What a domain refuses, said without HTTP: a code, a Chinese message and the field at fault.

Only `core.http` turns these into responses (NotFound 404, Invalid 400, Conflict 409,
TooManyAttempts 429).
"""

from __future__ import annotations

from typing import Optional


class DomainError(Exception):
    """A request the domain refuses, with the reason the caller can act on."""

    def __init__(self, code: str, message: str, field: Optional[str] = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


class NotFound(DomainError):
    """The thing asked for does not exist (or is not the caller's)."""


class Invalid(DomainError):
    """A value the domain cannot accept."""


class Conflict(DomainError):
    """The current state forbids the change (already shipped, already accepted, …)."""


class KeyReused(Conflict):
    """The idempotency key already belongs to a different request."""

    def __init__(self) -> None:
        super().__init__("idempotency_key_reused", "该幂等键已用于其他请求", "idempotency_key")


class TooManyAttempts(DomainError):
    """Too many failed tries: refused unchecked for `retry_after_seconds` more seconds."""

    def __init__(self, code: str, message: str, retry_after_seconds: int) -> None:
        super().__init__(code, message)
        self.retry_after_seconds = retry_after_seconds
