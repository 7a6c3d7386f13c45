"""Staff password hashes: scrypt for new ones, the seed's old PBKDF2 ones still verify."""

from __future__ import annotations

import base64
import hashlib

import pytest

from crm_backend.staff.passwords import (SALT_BYTES, check_password, hash_password, needs_rehash,
                                         verify_password)


def pbkdf2(password: str, salt: str = "s1-42", iterations: int = 120_000) -> str:
    """A hash in the first seed's format, built here independently of the code under test."""
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${digest.hex()}"


def unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def test_new_hashes_are_scrypt_with_a_random_16_byte_salt() -> None:
    first, second = hash_password("kefu-demo-1"), hash_password("kefu-demo-1")
    scheme, n, r, p, salt, key = first.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(unb64(key)) == 32 and len(unb64(salt)) == SALT_BYTES
    assert first != second
    assert verify_password("kefu-demo-1", first) and verify_password("kefu-demo-1", second)
    assert not verify_password("kefu-demo-2", first)
    assert not needs_rehash(first)


def test_a_given_salt_makes_the_hash_deterministic() -> None:
    assert hash_password("kefu-demo", salt=b"s1-7") == hash_password("kefu-demo", salt=b"s1-7")


def test_legacy_pbkdf2_verifies_and_asks_for_a_rehash() -> None:
    old = pbkdf2("kefu-demo")
    assert verify_password("kefu-demo", old)
    assert not verify_password("kefu-demo!", old)
    assert needs_rehash(old)
    matches, new_hash = check_password("kefu-demo", old)
    assert matches and new_hash is not None and new_hash.startswith("scrypt$")
    assert verify_password("kefu-demo", new_hash)


def test_check_password_outcomes() -> None:
    current = hash_password("a-long-password")
    assert check_password("a-long-password", current) == (True, None)
    assert check_password("wrong-password", current) == (False, None)
    assert check_password("anything", None) == (False, None)


@pytest.mark.parametrize("stored", [
    "", "plain-text", "md5$abc", "scrypt$16384$8$1$salt", "scrypt$16385$8$1$c2FsdA$a2V5",
    "scrypt$1048576$8$1$c2FsdA$a2V5", "scrypt$16384$8$1$!!!$a2V5", "scrypt$16384$8$1$c2FsdA$",
    "pbkdf2_sha256$abc$salt$00", "pbkdf2_sha256$120000$salt$zz", "pbkdf2_sha256$0$salt$00",
])
def test_a_malformed_or_unknown_hash_never_verifies(stored: str) -> None:
    assert verify_password("anything", stored) is False
    assert check_password("anything", stored) == (False, None)
