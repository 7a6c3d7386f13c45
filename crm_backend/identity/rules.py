"""Who a customer is: signed customer tokens (JWT HS256) that the shop site hands to the web
widget, and when a guess of order number + phone tail may be checked at all."""

from __future__ import annotations

import hmac
import math
import warnings
from datetime import datetime, timedelta
from typing import Iterable, Mapping, Optional

import jwt
from jwt.warnings import InsecureKeyLengthWarning

from crm_backend.identity.policy import AttemptLimit, IdentityPolicy

ISSUER = "kefu-crm"


AUDIENCE = "kefu-customer"


ALGORITHM = "HS256"


# How far ahead of our clock a token's issue time may be (the shop's clock may run a little fast).
CLOCK_SKEW_SECONDS = 60


class InvalidCustomerToken(Exception):
    """The token is forged, expired, malformed or not meant for customers."""


def issue_customer_token(
    secret: str, customer_id: int, ttl_seconds: int, now: datetime
) -> str:
    """Sign a token naming `customer_id`, valid for `ttl_seconds` from `now`."""
    claims = {
        "sub": str(customer_id),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl_seconds)).timestamp()),
        "iss": ISSUER,
        "aud": AUDIENCE,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_customer_token(secret: str, token: str, now: datetime, max_lifetime: int) -> int:
    """Return the customer id of a valid token or raise `InvalidCustomerToken`; a token claiming
    a lifetime (exp - iat) over `max_lifetime` seconds, or issued in the future, is refused."""
    if not isinstance(token, str) or not token:
        raise InvalidCustomerToken("empty token")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InsecureKeyLengthWarning)
            claims = jwt.decode(
                token,
                secret,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={
                    "require": ["sub", "iat", "exp", "iss", "aud"],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
    except jwt.PyJWTError as exc:
        raise InvalidCustomerToken(str(exc)) from exc
    exp, iat = claims["exp"], claims["iat"]
    if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in (exp, iat)):
        raise InvalidCustomerToken("malformed time claims")
    if now.timestamp() >= exp:
        raise InvalidCustomerToken("token expired")
    if iat > now.timestamp() + CLOCK_SKEW_SECONDS:
        raise InvalidCustomerToken("token issued in the future")
    if exp - iat > max_lifetime:
        raise InvalidCustomerToken("token lifetime exceeds the maximum")
    sub = claims["sub"]
    if not isinstance(sub, str) or not sub.isdigit() or not sub.isascii():
        raise InvalidCustomerToken("subject is not a customer id")
    return int(sub)


def lock_end(failures: Iterable[datetime], limit: AttemptLimit, lock: timedelta
             ) -> Optional[datetime]:
    """When the latest lock these failures caused ends (None if they caused none): a lock of
    `lock` starts at every failure that brings the failures within `limit.window` up to
    `limit.max_failures`."""
    times = sorted(failures)
    n = limit.max_failures
    ends = [at + lock for i, at in enumerate(times)
            if i + 1 >= n and times[i + 1 - n] > at - limit.window]
    return max(ends, default=None)


def locked_until(failures: Mapping[str, Iterable[datetime]], policy: IdentityPolicy,
                 now: datetime) -> Optional[datetime]:
    """None when a guess may be checked now; otherwise when the last lock over its scopes ends.

    `failures` holds the wrong guesses of each scope the attempt belongs to ("conversation",
    "order", "source"); successes reset nothing, so they are not an input.
    """
    ends = [lock_end(times, policy.limits[scope], policy.lock) for scope, times in failures.items()]
    live = [end for end in ends if end is not None and end > now]
    return max(live, default=None)


def retry_after_seconds(until: datetime, now: datetime) -> int:
    """Whole seconds until `until` (at least 1)."""
    return max(1, math.ceil((until - now).total_seconds()))


def locked_message(retry_after: int) -> str:
    """What the customer hears while verification is locked for `retry_after` seconds."""
    minutes = math.ceil(retry_after / 60)
    return f"验证失败次数过多，请在 {minutes} 分钟后再试，或转人工客服核实身份"


def tail_matches(phone: str, tail: str) -> bool:
    """The phone number ends in `tail` (compared in constant time)."""
    return hmac.compare_digest(phone[-4:].encode(), tail.encode())
