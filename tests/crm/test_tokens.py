"""Unit tests of customer tokens."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import jwt
import pytest

from crm_backend.identity.rules import (InvalidCustomerToken, issue_customer_token,
                                        verify_customer_token)

SECRET = "unit-test-secret-" + "k" * 48
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
DAY = 86400


def _verify(token: str, now: datetime = T0, max_lifetime: int = DAY) -> int:
    return verify_customer_token(SECRET, token, now, max_lifetime)


def _signed(claims: dict, secret: str = SECRET) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


def _claims(**overrides: object) -> dict:
    base = {"sub": "7", "iat": int(T0.timestamp()), "exp": int(T0.timestamp()) + 60,
            "iss": "kefu-crm", "aud": "kefu-customer"}
    base.update(overrides)
    return base


def test_round_trip_returns_customer_id() -> None:
    token = issue_customer_token(SECRET, 42, 3600, now=T0)
    assert _verify(token, T0 + timedelta(minutes=59)) == 42


def test_claims_are_as_specified() -> None:
    token = issue_customer_token(SECRET, 42, 3600, now=T0)
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience="kefu-customer",
                        options={"verify_exp": False})
    assert claims == {"sub": "42", "iat": int(T0.timestamp()), "exp": int(T0.timestamp()) + 3600,
                      "iss": "kefu-crm", "aud": "kefu-customer"}


def test_expired_token_is_rejected() -> None:
    token = issue_customer_token(SECRET, 42, 60, now=T0)
    with pytest.raises(InvalidCustomerToken):
        _verify(token, T0 + timedelta(seconds=60))


def test_other_secret_is_rejected() -> None:
    token = issue_customer_token("another-secret-of-sufficient-length-xx", 42, 60, now=T0)
    with pytest.raises(InvalidCustomerToken):
        _verify(token)


def test_tampered_payload_is_rejected() -> None:
    header, _payload, signature = issue_customer_token(SECRET, 42, 60, now=T0).split(".")
    forged_payload = _signed(_claims(sub="1")).split(".")[1]
    with pytest.raises(InvalidCustomerToken):
        _verify(f"{header}.{forged_payload}.{signature}")


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-jwt",
        "a.b.c",
        _signed(_claims(aud="someone-else")),
        _signed(_claims(iss="evil")),
        _signed(_claims(sub="abc")),
        _signed(_claims(sub="-3")),
        _signed({k: v for k, v in _claims().items() if k != "exp"}),
        _signed({k: v for k, v in _claims().items() if k != "iat"}),
        _signed(_claims(iat=True)),
        jwt.encode(_claims(), SECRET, algorithm="HS512"),
        jwt.encode(_claims(), None, algorithm="none"),
    ],
    ids=["empty", "garbage", "three-dots", "aud", "iss", "sub-text", "sub-negative",
         "no-exp", "no-iat", "iat-bool", "hs512", "alg-none"],
)
def test_malformed_or_foreign_tokens_raise_the_single_error(token: str) -> None:
    with pytest.raises(InvalidCustomerToken):
        _verify(token)


def test_a_token_may_live_exactly_the_maximum() -> None:
    token = issue_customer_token(SECRET, 42, DAY, now=T0)
    assert _verify(token, T0 + timedelta(hours=23), max_lifetime=DAY) == 42


def test_a_token_claiming_a_longer_lifetime_than_the_maximum_is_rejected() -> None:
    token = issue_customer_token(SECRET, 42, DAY + 1, now=T0)
    with pytest.raises(InvalidCustomerToken, match="lifetime"):
        _verify(token, T0 + timedelta(minutes=1), max_lifetime=DAY)
    ten_years = _signed(_claims(exp=int(T0.timestamp()) + 10 * 365 * DAY))
    with pytest.raises(InvalidCustomerToken, match="lifetime"):
        _verify(ten_years)


def test_the_maximum_is_the_callers() -> None:
    token = issue_customer_token(SECRET, 42, 3600, now=T0)
    assert _verify(token, max_lifetime=3600) == 42
    with pytest.raises(InvalidCustomerToken):
        _verify(token, max_lifetime=3599)


def test_a_token_issued_in_the_future_is_rejected() -> None:
    token = issue_customer_token(SECRET, 42, 600, now=T0 + timedelta(seconds=61))
    with pytest.raises(InvalidCustomerToken, match="future"):
        _verify(token, T0)


def test_a_minute_of_clock_skew_is_tolerated() -> None:
    token = issue_customer_token(SECRET, 42, 600, now=T0 + timedelta(seconds=60))
    assert _verify(token, T0) == 42
