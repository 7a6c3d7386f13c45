"""Order cancellation and modification rules as plain functions (issue #3)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

from crm_backend.core.policy_files import PolicyError, read_policy, table
from crm_backend.core.vocabulary import ORDER_STATUS_LABELS

FIELDS = ("address", "phone", "spec", "delivery_time")


FIELD_LABELS = {"address": "收货地址", "phone": "联系电话", "spec": "规格",
                "delivery_time": "配送时间"}


PHONE_PATTERN = re.compile(r"1[3-9]\d{9}", re.ASCII)


ADDRESS_LENGTH = (5, 255)


DELIVERY_TIME_LENGTH = (2, 64)


@dataclass(frozen=True)
class OrderRules:
    """orders.toml: which statuses allow cancelling or modifying, and the refusal wording."""

    cancel_allowed: Tuple[str, ...]
    refund_when: Tuple[str, ...]
    cancel_refusals: Dict[str, str]
    modify_allowed: Tuple[str, ...]
    modify_fields: Tuple[str, ...]
    modify_refusals: Dict[str, str]


@dataclass(frozen=True)
class Decision:
    """Allowed or not; when not, the Chinese reason for the customer."""

    allowed: bool
    reason: str = ""
    refund: bool = False


def _statuses(raw: Mapping[str, Any], name: str) -> Tuple[str, ...]:
    """A list of known order statuses."""
    values = raw.get(name)
    if not isinstance(values, list) or any(v not in ORDER_STATUS_LABELS for v in values):
        raise PolicyError(f"orders policy {name} must list known order statuses")
    return tuple(values)


def parse_order_rules(doc: Mapping[str, Any]) -> OrderRules:
    """Validate a parsed orders.toml document."""
    cancel, modify = table(doc, "cancel"), table(doc, "modify")
    fields = tuple(modify.get("fields", FIELDS))
    if any(f not in FIELDS for f in fields):
        raise PolicyError(f"orders policy modify.fields must be among {FIELDS}")
    return OrderRules(
        cancel_allowed=_statuses(cancel, "allowed"),
        refund_when=_statuses(cancel, "refund_when"),
        cancel_refusals={k: str(v) for k, v in table(cancel, "refusals").items()},
        modify_allowed=_statuses(modify, "allowed"),
        modify_fields=fields,
        modify_refusals={k: str(v) for k, v in table(modify, "refusals").items()},
    )


def load_order_rules(path: Path) -> OrderRules:
    """Read and validate the orders policy file."""
    return parse_order_rules(read_policy(path))


def cancel_decision(status: str, rules: OrderRules) -> Decision:
    """May an order in `status` be cancelled, and is a refund owed?"""
    if status in rules.cancel_allowed:
        return Decision(True, refund=status in rules.refund_when)
    default = f"订单当前状态为{ORDER_STATUS_LABELS.get(status, status)}，无法取消"
    return Decision(False, rules.cancel_refusals.get(status, default))


def modify_decision(status: str, field: str, rules: OrderRules) -> Decision:
    """May `field` of an order in `status` be changed?"""
    label = FIELD_LABELS.get(field, field)
    if field not in rules.modify_fields:
        return Decision(False, f"暂不支持在线修改{label}")
    if status in rules.modify_allowed:
        return Decision(True)
    default = f"订单当前状态为{ORDER_STATUS_LABELS.get(status, status)}，无法修改{label}"
    return Decision(False, rules.modify_refusals.get(status, default).format(field=label))


def check_value(field: str, value: str) -> Optional[str]:
    """Why a new address, phone or delivery time is unusable (Chinese), or None when fine."""
    text = value.strip()
    if field == "phone":
        return None if PHONE_PATTERN.fullmatch(text) else "手机号应为 11 位数字，以 1 开头"
    bounds = ADDRESS_LENGTH if field == "address" else DELIVERY_TIME_LENGTH
    if field in ("address", "delivery_time") and not bounds[0] <= len(text) <= bounds[1]:
        return f"{FIELD_LABELS[field]}应为 {bounds[0]} 到 {bounds[1]} 个字"
    return None


def parse_spec(value: str, colours: Sequence[str], sizes: Sequence[str]
               ) -> Tuple[Optional[str], Optional[str]]:
    """The colour and size named in `value`, picked from the product's own lists (longest match)."""
    text = value.strip().upper()
    colour = max((c for c in colours if c.upper() in text), key=len, default=None)
    rest = text.replace(colour.upper(), " ") if colour else text
    size = max((s for s in sizes if re.search(rf"(?<![A-Z0-9]){re.escape(s.upper())}(?![A-Z0-9])",
                                              rest)), key=len, default=None)
    return colour, size
