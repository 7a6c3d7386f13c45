"""Salted PBKDF2 password hashes for staff accounts."""

from __future__ import annotations

import hashlib

ITERATIONS = 120_000


def hash_password(password: str, salt: str) -> str:
    """Hash `password` with `salt` as `pbkdf2_sha256$iterations$salt$hex`."""
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), ITERATIONS)
    return f"pbkdf2_sha256${ITERATIONS}${salt}${digest.hex()}"
