"""When the shared access token can be used, and until when a fresh one is good."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

# A token is replaced this long before WeChat says it expires.
EXPIRY_MARGIN = timedelta(seconds=300)


def token_usable(token: Optional[str], expires_at: Optional[datetime], now: datetime,
                 stale: Optional[str] = None) -> bool:
    """The stored token can be handed out: present, not about to expire, and not the one a caller
    just saw WeChat refuse."""
    return bool(token) and expires_at is not None and now < expires_at and token != stale


def token_expiry(now: datetime, expires_in: int) -> datetime:
    """When to stop using a token WeChat gave `expires_in` seconds of life."""
    return now + timedelta(seconds=max(0, expires_in)) - EXPIRY_MARGIN
