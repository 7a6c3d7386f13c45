"""Staff password hashes: scrypt for every new hash, PBKDF2 (the first seed's format) still
verified so those accounts can log in once and be re-hashed.

Formats: `scrypt$n$r$p$salt_b64$hash_b64` and the legacy `pbkdf2_sha256$iterations$salt$hex`.
Comparison is constant-time; a malformed or unknown hash never verifies.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from typing import List, Optional, Tuple

SCRYPT_N = 2 ** 14


SCRYPT_R = 8


SCRYPT_P = 1


SALT_BYTES = 16


KEY_BYTES = 32


# Bounds on the parameters a stored hash may ask for, so a tampered row cannot make one
# verification take minutes or gigabytes.
MAX_SCRYPT_N = 2 ** 17
MAX_SCRYPT_R = 16
MAX_SCRYPT_P = 4
MAX_PBKDF2_ITERATIONS = 2_000_000


def _b64(data: bytes) -> str:
    """Standard base64 without padding."""
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    """Inverse of `_b64` (ValueError on bad input)."""
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except binascii.Error as exc:
        raise ValueError("not base64") from exc


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    """The scrypt key of `password`, with memory room for the parameters."""
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length,
                          maxmem=128 * r * (n + p + 2) + 1024 * 1024)


def hash_password(password: str, *, salt: Optional[bytes] = None) -> str:
    """A new scrypt hash of `password`; the salt is 16 random bytes unless given (the demo seed
    passes its own so it stays deterministic)."""
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    key = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def _verify_scrypt(password: str, fields: List[str]) -> bool:
    """Check a `scrypt$…` hash split on `$` (without the scheme)."""
    if len(fields) != 5:
        return False
    n_text, r_text, p_text, salt_text, key_text = fields
    if not all(t.isascii() and t.isdigit() for t in (n_text, r_text, p_text)):
        return False
    n, r, p = int(n_text), int(r_text), int(p_text)
    if not (1 < n <= MAX_SCRYPT_N and n & (n - 1) == 0 and 0 < r <= MAX_SCRYPT_R
            and 0 < p <= MAX_SCRYPT_P):
        return False
    try:
        salt, expected = _unb64(salt_text), _unb64(key_text)
    except ValueError:
        return False
    if not expected:
        return False
    actual = _scrypt(password, salt, n, r, p, len(expected))
    return hmac.compare_digest(actual, expected)


def _verify_pbkdf2(password: str, fields: List[str]) -> bool:
    """Check a legacy `pbkdf2_sha256$…` hash split on `$` (without the scheme)."""
    if len(fields) != 3:
        return False
    iterations_text, salt, digest_hex = fields
    if not (iterations_text.isascii() and iterations_text.isdigit()):
        return False
    iterations = int(iterations_text)
    if not 0 < iterations <= MAX_PBKDF2_ITERATIONS:
        return False
    try:
        expected = bytes.fromhex(digest_hex)
    except ValueError:
        return False
    actual = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt.encode("utf-8"),
                                 iterations)
    return hmac.compare_digest(actual, expected)


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches the stored hash (scrypt or legacy PBKDF2)."""
    scheme, _, rest = stored.partition("$")
    if scheme == "scrypt":
        return _verify_scrypt(password, rest.split("$"))
    if scheme == "pbkdf2_sha256":
        return _verify_pbkdf2(password, rest.split("$"))
    return False


def needs_rehash(stored: str) -> bool:
    """True unless the hash is scrypt with today's parameters (then a successful login
    re-hashes it)."""
    fields = stored.split("$")
    return not (len(fields) == 6 and fields[0] == "scrypt"
                and fields[1:4] == [str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P)])


def check_password(password: str, stored: Optional[str]) -> Tuple[bool, Optional[str]]:
    """`(matches, new_hash)`: whether `password` matches `stored`, and a fresh scrypt hash to
    store when it matched an outdated one (else None). With no stored hash (unknown user) it
    spends the same time hashing and answers False, so timing does not tell who exists."""
    if stored is None:
        hash_password(password)
        return False, None
    if not verify_password(password, stored):
        return False, None
    return True, hash_password(password) if needs_rehash(stored) else None
