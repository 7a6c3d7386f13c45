"""Salted PBKDF2 password hashes for staff accounts."""

from __future__ import annotations

import hashlib
import hmac

ITERATIONS = 120_000


def hash_password(password: str, salt: str) -> str:
    """Hash `password` with `salt` as `pbkdf2_sha256$iterations$salt$hex`."""
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), ITERATIONS)
    return f"pbkdf2_sha256${ITERATIONS}${salt}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches a hash made by `hash_password`."""
    try:
        scheme, iterations, salt, expected = stored.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), int(iterations))
    return hmac.compare_digest(digest.hex(), expected)
