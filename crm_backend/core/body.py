"""Request bodies and query parameters parsed into plain values (a 400 names the field)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from typing import Any, Dict, Mapping, Optional, Sequence, Type, TypeVar

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.core.http import bad_request, not_found
from crm_backend.core.time import BEIJING
from crm_backend.core.vocabulary import ORDER_STATUS_LABELS

MAX_KEY_LENGTH = 100
# The largest id or offset a query may carry (PostgreSQL INTEGER; SQLite's limit is larger).
MAX_ID = 2**31 - 1
T = TypeVar("T")


def moment(raw: Any, field: str, end_of_day: bool = False) -> Optional[datetime]:
    """An ISO date or datetime (naive means Beijing time) as aware UTC, or None when absent."""
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        raise bad_request(f"字段 {field} 必须是 ISO 8601 时间", field)
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            value = datetime.combine(day, time.max if end_of_day else time.min, tzinfo=BEIJING)
        else:
            value = datetime.fromisoformat(raw)
    except ValueError:
        raise bad_request(f"字段 {field} 必须是 ISO 8601 时间", field)
    return (value if value.tzinfo else value.replace(tzinfo=BEIJING)).astimezone(BEIJING)


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


ORDER_NO_PATTERN = re.compile(r"KF\d{12}", re.ASCII)


PHONE_TAIL_PATTERN = re.compile(r"\d{4}", re.ASCII)


async def json_object(request: web.Request) -> Dict[str, Any]:
    """The request body as a JSON object, or a 400 `invalid_json`."""
    raw = await request.read()
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise bad_request("请求体不是合法的 JSON", code="invalid_json")
    if not isinstance(body, dict):
        raise bad_request("请求体必须是 JSON 对象", code="invalid_json")
    return body


def required_string(body: Mapping[str, Any], field: str) -> str:
    """A non-empty string field, or a 400 naming it."""
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"字段 {field} 必须是非空字符串", field)
    return value.strip()


def order_no(value: str, field: str = "order_no") -> str:
    """An order number normalised to upper case (`KF` + 12 digits)."""
    normalised = value.strip().upper()
    if not ORDER_NO_PATTERN.fullmatch(normalised):
        raise bad_request("订单号格式应为 KF 加 12 位数字", field)
    return normalised


def phone_tail(value: str, field: str = "phone_tail") -> str:
    """Exactly four ASCII digits."""
    if not PHONE_TAIL_PATTERN.fullmatch(value):
        raise bad_request("手机尾号应为 4 位数字", field)
    return value


def int_value(raw: Optional[str], field: str, default: Optional[int] = None,
              minimum: Optional[int] = None, maximum: Optional[int] = None) -> Optional[int]:
    """An integer parameter within bounds, or a 400 naming it."""
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.lstrip("-").isdigit():
        raise bad_request(f"参数 {field} 必须是整数", field)
    value = int(raw)
    if minimum is not None and value < minimum:
        raise bad_request(f"参数 {field} 不能小于 {minimum}", field)
    if maximum is not None and value > maximum:
        raise bad_request(f"参数 {field} 不能大于 {maximum}", field)
    return value


def path_id(raw: str, field: str = "id") -> int:
    """A positive integer id from the URL path (ids are 32-bit on PostgreSQL: a larger one is a
    400, not a database overflow)."""
    value = int_value(raw, field, minimum=1, maximum=MAX_ID)
    assert value is not None
    return value


def path_text(raw: str, field: str, max_length: int) -> str:
    """A non-blank text segment of the URL path of at most `max_length` characters."""
    if not raw.strip():
        raise bad_request(f"参数 {field} 不能为空", field)
    if len(raw) > max_length:
        raise bad_request(f"参数 {field} 不能超过 {max_length} 个字符", field)
    return raw


async def row_in_path(db: AsyncSession, model: Type[T], request: web.Request, param: str,
                      missing: str, code: str = "not_found") -> T:
    """The `model` row whose id is the path parameter `param`: 400 for a bad id, 404 with
    `missing` when there is none."""
    row = await db.get(model, path_id(request.match_info[param], "id"))
    if row is None:
        raise not_found(missing, code=code)
    return row


def order_status(raw: Optional[str], field: str = "status") -> Optional[str]:
    """An optional known order status code."""
    if raw is None or raw == "":
        return None
    if raw not in ORDER_STATUS_LABELS:
        raise bad_request(f"未知的订单状态 {raw}", field)
    return raw


def required_query_id(request: web.Request, field: str) -> int:
    """A required positive integer query parameter (a customer id, say), or a 400 naming it."""
    value = int_value(request.query.get(field), field, minimum=1, maximum=MAX_ID)
    if value is None:
        raise bad_request(f"缺少参数 {field}", field)
    return value
