"""Typed fields of JSON request bodies (400 names the field)."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from .errors import bad_request

MAX_KEY_LENGTH = 100


def integer(body: Mapping[str, Any], field: str, minimum: int, maximum: int) -> int:
    """A JSON integer (not a bool) within bounds."""
    value = body.get(field)
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f"字段 {field} 必须是整数", field)
    if not minimum <= value <= maximum:
        raise bad_request(f"字段 {field} 应在 {minimum} 到 {maximum} 之间", field)
    return value


def text(body: Mapping[str, Any], field: str, max_length: int = 255) -> str:
    """A required non-empty string of at most `max_length` characters."""
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"字段 {field} 必须是非空字符串", field)
    if len(value.strip()) > max_length:
        raise bad_request(f"字段 {field} 不能超过 {max_length} 个字符", field)
    return value.strip()


def optional_text(body: Mapping[str, Any], field: str, max_length: int = 255) -> Optional[str]:
    """A string that may be absent, null or empty (then None)."""
    value = body.get(field)
    if value is None or value == "":
        return None
    return text(body, field, max_length)


def flag(body: Mapping[str, Any], field: str) -> bool:
    """A required JSON boolean."""
    value = body.get(field)
    if not isinstance(value, bool):
        raise bad_request(f"字段 {field} 必须是 true 或 false", field)
    return value


def choice(body: Mapping[str, Any], field: str, allowed: Sequence[str]) -> str:
    """One of `allowed`."""
    value = body.get(field)
    if value not in allowed:
        raise bad_request(f"字段 {field} 应为 {'/'.join(allowed)} 之一", field)
    return value


def idempotency_key(body: Mapping[str, Any]) -> str:
    """The caller's idempotency key (required, at most 100 characters)."""
    return text(body, "idempotency_key", MAX_KEY_LENGTH)
