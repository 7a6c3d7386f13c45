"""Signed customer tokens (JWT HS256) that the shop site hands to the web widget."""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta

import jwt
from jwt.warnings import InsecureKeyLengthWarning

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
