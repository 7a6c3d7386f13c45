"""At-risk flags to what the page and the export show: Chinese labels, Beijing times."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Mapping, Optional, Sequence

from crm_backend.at_risk import rules
from crm_backend.at_risk.store import FlagRow, OpenComplaints
from crm_backend.core.time import BEIJING
from crm_backend.core.vocabulary import TIER_LABELS
from crm_backend.risk.policy import RiskPolicy
from crm_backend.risk.rules import LEVEL_LABELS
from crm_backend.winback.views import ACTION_LABELS

EXPORT_HEADER = ("客户ID", "客户", "客户等级", "风险等级", "风险分", "风险原因", "原因类别",
                 "最近联系", "最近联系方式", "距今天数", "未结投诉数", "未结投诉单号",
                 "挽回次数", "最近一次挽回", "负责人", "风险标记时间", "最近评估时间")


def beijing_text(moment: Optional[datetime]) -> str:
    """`2026-11-20 15:00` in Beijing time ('' for none)."""
    if moment is None:
        return ""
    m = moment.astimezone(BEIJING)
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d} {m.hour:02d}:{m.minute:02d}"


def contact_json(latest: Mapping[str, datetime], now: datetime) -> Optional[Dict[str, Any]]:
    """The last contact: when, how, and how many days ago."""
    found = rules.last_contact(latest)
    if found is None:
        return None
    source, moment = found
    return {"at": beijing_text(moment), "source": source,
            "source_label": rules.CONTACT_LABELS[source], "days": rules.days_since(moment, now)}


def attempt_json(attempt: Any) -> Dict[str, Any]:
    """One win-back attempt (a WinBackAttempt or a row of its columns) as the history shows it."""
    offer = attempt.offer or {}
    return {"id": attempt.id, "at": beijing_text(attempt.created_at),
            "trigger_label": rules.TRIGGER_LABELS.get(attempt.trigger, attempt.trigger),
            "action_label": ACTION_LABELS.get(attempt.action, attempt.action),
            "tier_label": TIER_LABELS.get(attempt.tier_used, attempt.tier_used),
            "bad_faith": bool(attempt.bad_faith_used),
            "offer": offer.get("title") if offer.get("kind") != "task" else None,
            "owner": offer.get("owner_name"), "started_by": offer.get("started_by"),
            "outcome_label": rules.OUTCOME_LABELS.get(attempt.outcome or "", "进行中")}


def attempt_text(attempt: Dict[str, Any]) -> str:
    """One attempt on one line (the export's)."""
    parts = [attempt["at"], attempt["trigger_label"], attempt["action_label"],
             f"按{attempt['tier_label']}"]
    if attempt["owner"]:
        parts.append(f"负责人{attempt['owner']}")
    return " ".join(parts) + f"（{attempt['outcome_label']}）"


def row_json(row: FlagRow, contacts: Mapping[str, datetime], complaints: Optional[OpenComplaints],
             attempts: Sequence[Any], now: datetime, policy: RiskPolicy,
             shown_attempts: Optional[int] = rules.SHOWN_PER_CUSTOMER) -> Dict[str, Any]:
    """One at-risk customer as the page shows it."""
    history = [attempt_json(a) for a in
               (attempts if shown_attempts is None else attempts[:shown_attempts])]
    return {
        "flag_id": row.flag_id,
        "customer": {"id": row.customer_id, "name": row.name, "tier": row.tier,
                     "tier_label": TIER_LABELS.get(row.tier, row.tier),
                     "bad_faith": row.is_bad_faith},
        "level": row.level, "level_label": LEVEL_LABELS.get(row.level, row.level),
        "score": row.score,
        "reasons": list(row.reasons or []),
        "reason_labels": [rules.REASON_LABELS[k]
                          for k in rules.reason_kinds(row.reasons or [], policy)],
        "last_contact": contact_json(contacts, now),
        "open_complaints": {"count": complaints.count if complaints else 0,
                            "numbers": list(complaints.numbers) if complaints else []},
        "winbacks": history, "winback_count": len(attempts),
        "owner": ({"id": row.owner_staff_id, "name": row.owner_name,
                   "since": beijing_text(row.owner_assigned_at)}
                  if row.owner_staff_id is not None else None),
        "flagged_at": beijing_text(row.created_at), "updated_at": beijing_text(row.updated_at),
    }


def export_row(row: FlagRow, contacts: Mapping[str, datetime],
               complaints: Optional[OpenComplaints], attempts: Sequence[Any], now: datetime,
               policy: RiskPolicy) -> List[Any]:
    """One at-risk customer as an export row: every open complaint number, the latest win-back
    attempt."""
    contact = contact_json(contacts, now) or {}
    reasons = list(row.reasons or [])
    return [row.customer_id, row.name, TIER_LABELS.get(row.tier, row.tier),
            LEVEL_LABELS.get(row.level, row.level), row.score, "；".join(reasons),
            "、".join(rules.REASON_LABELS[k] for k in rules.reason_kinds(reasons, policy)),
            contact.get("at", ""), contact.get("source_label", ""), contact.get("days", ""),
            complaints.count if complaints else 0,
            " ".join(complaints.numbers) if complaints else "", len(attempts),
            attempt_text(attempt_json(attempts[0])) if attempts else "",
            (row.owner_name or "") if row.owner_staff_id is not None else "",
            beijing_text(row.created_at), beijing_text(row.updated_at)]
