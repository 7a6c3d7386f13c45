"""Signed customer tokens (JWT HS256) that the shop site hands to the web widget."""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta

import jwt
from jwt.warnings import InsecureKeyLengthWarning

ISSUER = "kefu-crm"


AUDIENCE = "kefu-customer"


ALGORITHM = "HS256"


RECOMMENDED_SECRET_BYTES = 32


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


def verify_customer_token(secret: str, token: str, now: datetime) -> int:
    """Return the customer id of a valid token or raise `InvalidCustomerToken`."""
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
    exp = claims["exp"]
    if not isinstance(exp, (int, float)) or not isinstance(claims["iat"], (int, float)):
        raise InvalidCustomerToken("malformed time claims")
    if now.timestamp() >= exp:
        raise InvalidCustomerToken("token expired")
    sub = claims["sub"]
    if not isinstance(sub, str) or not sub.isdigit() or not sub.isascii():
        raise InvalidCustomerToken("subject is not a customer id")
    return int(sub)
