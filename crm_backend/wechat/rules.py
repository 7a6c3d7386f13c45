"""When the shared access token can be used, and until when a fresh one is good."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Dict, Optional

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


# WeChat lets an account send this many customer-service messages per customer message, within
# this long after it.
QUOTA_PER_MESSAGE = 5
REPLY_WINDOW = timedelta(hours=48)


def reply_quota(last_message_at: Optional[datetime], sent_since: int,
                now: datetime) -> Dict[str, Any]:
    """What a person may still send the customer: messages left and when the window closes
    (none left once it has closed, or before the customer ever wrote)."""
    if last_message_at is None:
        return {"remaining": 0, "window_ends_at": None}
    ends = last_message_at + REPLY_WINDOW
    left = 0 if now >= ends else max(0, QUOTA_PER_MESSAGE - sent_since)
    return {"remaining": left, "window_ends_at": ends}
