"""The remedies policy (policy/remedies.toml) parsed into a RemedyTable."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Mapping, Tuple

from crm_backend.complaints.remedies.rules import KINDS, Remedy, RemedyTable, Rule
from crm_backend.complaints.rules import CATEGORY_LABELS, SEVERITY_LABELS
from crm_backend.core.policy_files import PolicyError, integer, read_policy, table
from crm_backend.core.vocabulary import TIERS
from crm_backend.orders.situation import SITUATIONS
from crm_backend.followups.rules import FollowUpTiming


def _strings(raw: Mapping[str, Any], name: str, allowed: Tuple[str, ...] = ()) -> Tuple[str, ...]:
    """An optional list of strings, each one of `allowed` when given."""
    values = raw.get(name, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise PolicyError(f"policy setting {name} must be a list of strings")
    unknown = [v for v in values if allowed and v not in allowed]
    if unknown:
        raise PolicyError(f"policy setting {name} has unknown values {unknown}")
    return tuple(values)


def _option(key: str, raw: Mapping[str, Any]) -> Remedy:
    """One `[options.<key>]` table."""
    kind = raw.get("kind")
    if kind not in KINDS:
        raise PolicyError(f"[options.{key}] has unknown kind {kind!r}")
    percent = integer(raw, "percent", 1) if kind in ("refund", "price_difference") else 0
    if percent > 100:
        raise PolicyError(f"[options.{key}] percent must be at most 100")
    coupon = kind in ("coupon", "expedite")
    return Remedy(
        key=key, kind=kind, due_days=integer(raw, "due_days"), percent=percent,
        value_fen=integer(raw, "value_yuan", 1) * 100 if coupon else 0,
        min_spend_fen=integer(raw, "min_spend_yuan") * 100 if coupon else 0,
        valid_days=integer(raw, "valid_days", 1) if coupon else 0,
        points=integer(raw, "points", 1) if kind == "points" else 0,
    )


def _rule(index: int, raw: Mapping[str, Any], options: Dict[str, Remedy]) -> Rule:
    """One `[[rules]]` row; its options must exist."""
    names = _strings(raw, "options")
    missing = [n for n in names if n not in options]
    if not names or missing:
        raise PolicyError(f"rule #{index + 1} needs known options, missing {missing}")
    repeat = raw.get("repeat")
    if repeat is not None and not isinstance(repeat, bool):
        raise PolicyError(f"rule #{index + 1}: repeat must be true or false")
    return Rule(options=names, categories=_strings(raw, "categories", tuple(CATEGORY_LABELS)),
                severities=_strings(raw, "severities", tuple(SEVERITY_LABELS)),
                tiers=_strings(raw, "tiers", TIERS), repeat=repeat,
                situations=_strings(raw, "situations", SITUATIONS))


def _follow_up(raw: Mapping[str, Any]) -> FollowUpTiming:
    """The `[follow_up]` table."""
    timing = FollowUpTiming(
        after_due_hours=integer(raw, "after_due_hours"),
        contact_start_hour=integer(raw, "contact_start_hour"),
        contact_end_hour=integer(raw, "contact_end_hour"),
        max_attempts=integer(raw, "max_attempts", 1),
        retry_backoff_seconds=integer(raw, "retry_backoff_seconds", 1),
    )
    if not 0 <= timing.contact_start_hour < timing.contact_end_hour <= 24:
        raise PolicyError("[follow_up] contact hours must satisfy 0 <= start < end <= 24")
    return timing


def parse_remedy_table(doc: Mapping[str, Any]) -> RemedyTable:
    """Validate a parsed remedies.toml document."""
    options = {key: _option(key, raw) for key, raw in table(doc, "options").items()}
    rules = doc.get("rules")
    if not isinstance(rules, list) or not rules:
        raise PolicyError("policy array [[rules]] is missing")
    bad_faith, statuses = table(doc, "bad_faith"), table(doc, "order_statuses")
    return RemedyTable(
        options=options,
        rules=tuple(_rule(i, raw, options) for i, raw in enumerate(rules)),
        repeat_window_days=integer(doc, "repeat_window_days", 1),
        repeat_min_complaints=integer(doc, "repeat_min_complaints", 1),
        max_alternatives=integer(doc, "max_alternatives"),
        discretionary_kinds=_strings(bad_faith, "discretionary_kinds", KINDS),
        owed_categories=_strings(bad_faith, "owed_categories", tuple(CATEGORY_LABELS)),
        order_statuses={kind: _strings(statuses, kind) for kind in statuses},
        follow_up=_follow_up(table(doc, "follow_up")),
    )


def load_remedy_table(path: Path) -> RemedyTable:
    """Read and validate the remedies policy file."""
    return parse_remedy_table(read_policy(path))
