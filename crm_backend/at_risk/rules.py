"""The managers' at-risk page as plain decisions: the filter read from the query, how a flag's
Chinese reasons show each signal kind, which contact was the last, and what a manager may do
with a flag (assign an owner, start a win-back task)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from datetime import datetime
from typing import Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import parse_qsl, urlencode

from crm_backend.core.vocabulary import TIERS, tier_label
from crm_backend.risk.policy import RiskPolicy
from crm_backend.risk.rules import LEVEL_LABELS, LEVELS, SIGNALS

PAGE_SIZE = 50


# An export holds at most this many customers, the riskiest first (the page says so; a narrower
# filter exports the rest): on a large history a bigger one would not answer within 500 ms.
EXPORT_LIMIT = 2000


# Win-back attempts and open complaint numbers shown per customer on the page (all are counted).
SHOWN_PER_CUSTOMER = 5


# The signal kinds in Chinese, in the risk rules' order.
REASON_LABELS: Dict[str, str] = {
    "churn_language": "表达流失意向",
    "negative_emotion": "强烈负面情绪",
    "low_satisfaction": "满意度低",
    "repeated_complaints": "多次投诉",
    "complaint": "投诉",
    "inactivity": "久未下单",
}


# The words each kind's reason carries, as `crm_backend.risk.rules.assess` writes it.
_REASON_WORDS: Dict[str, str] = {
    "churn_language": "表达流失意向",
    "negative_emotion": "强烈负面情绪",
    "low_satisfaction": "满意度",
    "complaint": "天内投诉",
    "repeated_complaints": "天内投诉",
    "inactivity": "未下单",
}


NO_OWNER = "none"


# Where the last contact came from, in the order a tie is told.
CONTACT_LABELS: Dict[str, str] = {
    "message": "客户发消息",
    "order": "下单",
    "complaint": "投诉",
    "handoff": "转人工",
}


TRIGGER_LABELS: Dict[str, str] = {"churn_language": "客户表达流失意向", "manager": "主管发起"}


OUTCOME_LABELS: Dict[str, str] = {"accepted": "接受挽回", "declined": "拒绝挽回",
                                  "stayed": "已留住", "left": "已流失"}


TASK_TRIGGER = "manager"


TASK_ACTION = "task"


# The one-time token each row's "start a task" form carries: a double submit sends it twice.
TASK_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


RESOLVED = "这条风险标记已经解除，客户已不在风险名单上；没有做任何改动。"


STALE_FORM = "表单已过期（缺少任务编号），没有发起任务。请刷新页面后重试。"


UNKNOWN_STAFF = "所选员工不存在或已停用，没有做任何改动。请刷新页面后重新选择。"


NOTICES: Dict[str, str] = {
    "owner": "已指派负责人，并已通知对方。",
    "owner_cleared": "已取消这位客户的负责人。",
    "owner_same": "负责人没有变化。",
    "task": "已发起挽回任务，并已通知负责人。",
}


@dataclass(frozen=True)
class AtRiskFilter:
    """What the list shows: open flags of a level, tier, reason kind and owner (a staff id, or
    NO_OWNER for flags nobody follows), one page of them."""

    level: Optional[str] = None
    tier: Optional[str] = None
    reason: Optional[str] = None
    owner: Optional[str] = None
    page: int = 1

    @property
    def owner_id(self) -> Optional[int]:
        """The staff id the owner filter names (None for any owner or NO_OWNER)."""
        return int(self.owner) if self.owner and self.owner.isdigit() else None


def _choice(raw: Optional[str], allowed: Sequence[str]) -> Tuple[Optional[str], bool]:
    """(value or None, whether the raw value was acceptable)."""
    value = (raw or "").strip()
    if not value:
        return None, True
    return (value, True) if value in allowed else (None, False)


def parse_filter(query: Mapping[str, str]) -> Tuple[AtRiskFilter, List[str]]:
    """The filter of a query string; values it cannot use are left out and named in the notes."""
    notes: List[str] = []
    level, ok = _choice(query.get("level"), LEVELS)
    if not ok:
        notes.append("风险等级")
    tier, ok = _choice(query.get("tier"), TIERS)
    if not ok:
        notes.append("客户等级")
    reason, ok = _choice(query.get("reason"), tuple(REASON_LABELS))
    if not ok:
        notes.append("风险原因")
    owner = (query.get("owner") or "").strip() or None
    if owner is not None and owner != NO_OWNER and not (owner.isdigit() and len(owner) <= 9
                                                         and int(owner) > 0):
        owner = None
        notes.append("负责人")
    raw_page = (query.get("page") or "").strip()
    page = int(raw_page) if raw_page.isdigit() and len(raw_page) <= 6 else 0
    if raw_page and page < 1:
        notes.append("页码")
    shown = [f"{name}条件无法识别，已忽略" for name in notes]
    return AtRiskFilter(level, tier, reason, owner, max(page, 1)), shown


def query_string(flt: AtRiskFilter, **changes: object) -> str:
    """The filter as a query string (empty fields left out; page 1 left out)."""
    flt = replace(flt, **changes) if changes else flt
    pairs = [("level", flt.level), ("tier", flt.tier), ("reason", flt.reason),
             ("owner", flt.owner), ("page", str(flt.page) if flt.page > 1 else None)]
    return urlencode([(k, v) for k, v in pairs if v])


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    """How many pages `total` rows fill (at least one)."""
    return max(1, -(-total // size))


def reason_words(kind: str, policy: RiskPolicy) -> Tuple[str, Tuple[str, ...]]:
    """How a reason of `kind` reads: (words it contains, words it must not contain). Repeated
    complaints are a complaint reason counting at least the policy's `repeated_at`."""
    words = _REASON_WORDS[kind]
    if kind == "repeated_complaints":
        return words, tuple(f"投诉{n}次" for n in range(1, policy.repeated_complaints_at))
    return words, ()


@lru_cache(maxsize=4096)
def _kinds_of(reason: str, policy: RiskPolicy) -> FrozenSet[str]:
    """The signal kinds one reason shows (reasons repeat a lot: worked out once each)."""
    found = set()
    for kind in SIGNALS:
        words, excluded = reason_words(kind, policy)
        if words in reason and not any(x in reason for x in excluded):
            found.add(kind)
    return frozenset(found)


def reason_kinds(reasons: Sequence[str], policy: RiskPolicy) -> List[str]:
    """The signal kinds a flag's reasons show, in the risk rules' order."""
    found = set().union(*(_kinds_of(r, policy) for r in reasons))
    return [kind for kind in SIGNALS if kind in found]


def last_contact(latest: Mapping[str, datetime]) -> Optional[Tuple[str, datetime]]:
    """The latest of the customer's contacts by source (message, order, complaint, handoff);
    a tie goes to the source named first in CONTACT_LABELS."""
    best: Optional[Tuple[str, datetime]] = None
    for source in CONTACT_LABELS:
        moment = latest.get(source)
        if moment is not None and (best is None or moment > best[1]):
            best = (source, moment)
    return best


def days_since(moment: datetime, now: datetime) -> int:
    """Whole days from `moment` to `now` (0 when in the future)."""
    return max(0, (now - moment).days)


def action_refusal(flag_status: str) -> Optional[str]:
    """Why a manager may not change a flag (None while it is open)."""
    return None if flag_status == "open" else RESOLVED


def owner_choice(raw: object) -> Tuple[bool, Optional[int]]:
    """(acceptable?, staff id) of the owner form's `staff_id`: empty clears the owner."""
    value = raw.strip() if isinstance(raw, str) else ""
    if not value:
        return True, None
    if value.isdigit() and len(value) <= 9 and int(value) > 0:
        return True, int(value)
    return False, None


def task_key(flag_id: int, token: object) -> Optional[str]:
    """The idempotency key of a task started from a row's form (None without a usable token)."""
    if not isinstance(token, str) or not TASK_TOKEN.fullmatch(token):
        return None
    return f"winback:manager:{flag_id}:{token}"


@dataclass(frozen=True)
class FlagFacts:
    """What a notification says about the customer behind a flag."""

    customer_id: int
    name: str
    tier: str
    level: str
    score: int
    reasons: Tuple[str, ...]


def _about(facts: FlagFacts) -> str:
    """`关键客户王芳（ID 7），风险高（75分）：原因1；原因2`."""
    reasons = "；".join(facts.reasons) or "无具体原因"
    return (f"{tier_label(facts.tier)}{facts.name}（ID {facts.customer_id}），"
            f"风险{LEVEL_LABELS.get(facts.level, facts.level)}（{facts.score}分）：{reasons}")


def owner_message(facts: FlagFacts, manager_name: str) -> str:
    """The notification of a new owner."""
    return f"主管{manager_name}指定您负责跟进风险客户：{_about(facts)}。请尽快联系客户。"


def task_message(facts: FlagFacts, manager_name: str) -> str:
    """The notification of a win-back task."""
    return (f"主管{manager_name}发起了挽回任务，请您联系风险客户：{_about(facts)}。"
            f"联系后请把结果告诉主管。")


def back_query(raw: object, done: str, flag_id: int) -> str:
    """The list's query string to return to after a form on a flag's row: the filter the form
    was sent from (read again, so nothing else rides along), what was done and to which flag."""
    sent = dict(parse_qsl(raw if isinstance(raw, str) else "", keep_blank_values=False))
    flt, _ = parse_filter(sent)
    return "&".join(part for part in (query_string(flt), f"done={done}&flag={flag_id}") if part)
