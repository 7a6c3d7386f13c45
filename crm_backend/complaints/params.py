"""Parsing complaint request bodies and query parameters into plain values (400 naming the field)."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Tuple

from crm_backend.complaints import rules as complaints
from crm_backend.complaints.store import ComplaintFilter, NewComplaint
from crm_backend.core import body as body_fields
from crm_backend.core import body as validation
from crm_backend.core.body import moment
from crm_backend.core.http import bad_request
from crm_backend.core.vocabulary import TIERS

MAX_CUSTOMER_ID = validation.MAX_ID


MAX_PAGE = 100


def words(body: Mapping[str, Any], field: str, required: bool = True) -> Tuple[str, ...]:
    """A list of 1–50 non-empty messages of at most 1000 characters each."""
    value = body.get(field)
    if value is None and not required:
        return ()
    if (not isinstance(value, list) or not value or len(value) > complaints.MAX_WORDS
            or not all(isinstance(w, str) and w.strip() for w in value)):
        raise bad_request(f"字段 {field} 必须是 1 到 {complaints.MAX_WORDS} 条非空文字的列表", field)
    if any(len(w) > complaints.MAX_WORD_LENGTH for w in value):
        raise bad_request(f"字段 {field} 每条不能超过 {complaints.MAX_WORD_LENGTH} 个字符", field)
    return tuple(w.strip() for w in value)


def optional_order_no(body: Mapping[str, Any], field: str = "order_no") -> Optional[str]:
    """An order number or null."""
    value = body.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise bad_request("订单号格式应为 KF 加 12 位数字", field)
    return validation.order_no(value, field)


def new_complaint(body: Mapping[str, Any]) -> NewComplaint:
    """The POST /api/complaints body."""
    return NewComplaint(
        idempotency_key=body_fields.idempotency_key(body),
        customer_id=body_fields.integer(body, "customer_id", 1, MAX_CUSTOMER_ID),
        order_no=optional_order_no(body),
        category=body_fields.choice(body, "category", tuple(complaints.CATEGORY_LABELS)),
        severity=body_fields.choice(body, "severity", tuple(complaints.SEVERITY_LABELS)),
        customer_words=words(body, "customer_words"),
        expectation=body_fields.optional_text(body, "expectation"),
        channel=body_fields.choice(body, "channel", complaints.CHANNELS),
        conversation_id=body_fields.text(body, "conversation_id", 128),
        vented_at=moment(body.get("vented_at"), "vented_at"),
    )


def corrections(body: Mapping[str, Any]) -> Dict[str, Any]:
    """The PATCH body: only the fields present, each validated."""
    changes: Dict[str, Any] = {}
    if "category" in body:
        changes["category"] = body_fields.choice(body, "category", tuple(complaints.CATEGORY_LABELS))
    if "severity" in body:
        changes["severity"] = body_fields.choice(body, "severity", tuple(complaints.SEVERITY_LABELS))
    if "expectation" in body:
        changes["expectation"] = body_fields.optional_text(body, "expectation")
    if "order_no" in body:
        changes["order_no"] = optional_order_no(body)
    if "append_words" in body:
        changes["append_words"] = words(body, "append_words")
    if not changes:
        raise bad_request("请至少提供一个要更正的字段", None, code="nothing_to_change")
    return changes


def _known(query: Mapping[str, str], field: str, allowed: Tuple[str, ...]) -> Optional[str]:
    """An optional query value among `allowed`."""
    value = query.get(field) or None
    if value is not None and value not in allowed:
        raise bad_request(f"参数 {field} 应为 {'/'.join(allowed)} 之一", field)
    return value


def complaint_filter(query: Mapping[str, str]) -> ComplaintFilter:
    """The GET /api/complaints query."""
    return ComplaintFilter(
        customer_id=validation.int_value(query.get("customer_id"), "customer_id", minimum=1,
                                         maximum=validation.MAX_ID),
        status=_known(query, "status", tuple(complaints.STATUS_LABELS)),
        category=_known(query, "category", tuple(complaints.CATEGORY_LABELS)),
        severity=_known(query, "severity", tuple(complaints.SEVERITY_LABELS)),
        tier=_known(query, "tier", TIERS),
        q=(query.get("q") or "").strip()[:100] or None,
        since=moment(query.get("since"), "since"),
        until=moment(query.get("until"), "until", end_of_day=True),
        limit=validation.int_value(query.get("limit"), "limit", 20, 1, MAX_PAGE) or 20,
        offset=validation.int_value(query.get("offset"), "offset", 0, 0, validation.MAX_ID) or 0,
    )


def complaint_number(raw: str) -> str:
    """A complaint number from the path (TS + 12 digits, case-insensitive)."""
    number = raw.strip().upper()
    if not complaints.is_complaint_number(number):
        raise bad_request("投诉单号格式应为 TS 加 12 位数字", "number")
    return number
