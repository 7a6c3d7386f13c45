"""Churn-risk rules as plain functions: facts in, score, level and reasons out; strong negative emotion in a customer's words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import List, Optional, Sequence, Tuple

from crm_backend.risk.policy import RiskPolicy

SIGNALS = (
    "churn_language",
    "negative_emotion",
    "low_satisfaction",
    "repeated_complaints",
    "complaint",
    "inactivity",
)


LEVELS = ("low", "medium", "high")


LEVEL_LABELS = {"low": "低", "medium": "中", "high": "高"}


@dataclass(frozen=True)
class RiskFacts:
    """What is known about a customer inside the risk window."""

    complaints: int = 0
    churn_details: Tuple[str, ...] = ()
    negative_emotions: int = 0
    lowest_satisfaction: Optional[int] = None
    low_satisfaction_signals: int = 0
    inactivity: Optional[str] = None


@dataclass(frozen=True)
class RiskAssessment:
    """A score, its level (None below the lowest level) and readable Chinese reasons."""

    score: int
    level: Optional[str]
    reasons: List[str] = field(default_factory=list)


def level_for(score: int, policy: RiskPolicy) -> Optional[str]:
    """The level a score reaches, or None when below `low`."""
    if score >= policy.high_at:
        return "high"
    if score >= policy.medium_at:
        return "medium"
    if score >= policy.low_at:
        return "low"
    return None


def _complaint_part(count: int, policy: RiskPolicy) -> Tuple[int, Optional[str]]:
    """Points and reason for complaints in the window."""
    if count <= 0:
        return 0, None
    points = count * policy.complaint
    if count >= policy.repeated_complaints_at:
        points += policy.repeated_complaints
    return points, f"{policy.window_days}天内投诉{count}次"


def _satisfaction_part(facts: RiskFacts, policy: RiskPolicy) -> Tuple[int, Optional[str]]:
    """Points and reason for the lowest satisfaction answer in the window."""
    score = facts.lowest_satisfaction
    if score is not None and score <= 2:
        return policy.very_low_satisfaction, f"满意度{score}分"
    if score == 3:
        return policy.low_satisfaction, f"满意度{score}分"
    if facts.low_satisfaction_signals:
        return policy.very_low_satisfaction, "满意度评价偏低"
    return 0, None


def _churn_part(details: Sequence[str], policy: RiskPolicy) -> Tuple[int, Optional[str]]:
    """Points and reason for explicit churn language."""
    if not details:
        return 0, None
    points = min(len(details) * policy.churn_language, policy.churn_language_max)
    quote = f"（“{details[-1]}”）" if details[-1] else ""
    return points, f"表达流失意向{len(details)}次{quote}"


def _emotion_part(count: int, policy: RiskPolicy) -> Tuple[int, Optional[str]]:
    """Points and reason for strong negative emotion."""
    if count <= 0:
        return 0, None
    points = min(count * policy.negative_emotion, policy.negative_emotion_max)
    return points, f"强烈负面情绪{count}次"


def assess(facts: RiskFacts, policy: RiskPolicy) -> RiskAssessment:
    """Score a customer's churn risk and explain it, most serious reasons first."""
    parts = [
        _churn_part(facts.churn_details, policy),
        _complaint_part(facts.complaints, policy),
        _satisfaction_part(facts, policy),
        _emotion_part(facts.negative_emotions, policy),
        (policy.inactivity, facts.inactivity) if facts.inactivity else (0, None),
    ]
    score = sum(points for points, _ in parts)
    reasons = [reason for points, reason in sorted(parts, key=lambda p: -p[0]) if reason]
    return RiskAssessment(score=score, level=level_for(score, policy), reasons=reasons)


def silence_after_regular_buying(
    order_times: Sequence[datetime], now: datetime, policy: RiskPolicy
) -> Optional[str]:
    """A reason when a regular buyer has gone quiet for too long, else None."""
    since = now - timedelta(days=policy.inactivity_lookback_days)
    times = sorted(t for t in order_times if since <= t <= now)
    if len(times) < policy.inactivity_min_orders:
        return None
    mean_gap = (times[-1] - times[0]).days / (len(times) - 1)
    allowed = max(policy.inactivity_min_silence_days, mean_gap * policy.inactivity_interval_factor)
    silent = (now - times[-1]).days
    if silent <= allowed:
        return None
    return f"曾规律购买（近一年{len(times)}单），已{silent}天未下单"


STRONG_WORDS = (
    "气死", "气炸", "火大", "恶心", "垃圾", "骗子", "滚", "去死", "妈的", "tmd", "他妈", "操",
    "坑爹", "无良", "黑心", "奸商", "受够", "崩溃", "忍无可忍", "太过分", "欺人太甚", "再也不",
    "曝光", "12315", "消协", "起诉", "律师", "举报",
)


ANGRY_EMOJI = ("😡", "🤬", "💢", "😤", "👎")


EXCLAMATIONS = re.compile(r"[!！]{3,}|[?？][!！]|[!！][?？]")


def strong_negative_emotion(words: Sequence[str]) -> Optional[str]:
    """A readable reason when the words show strong anger (swearing, threats, !!!), else None."""
    text = " ".join(words)
    lowered = text.lower()
    reasons: List[str] = [f"“{w}”" for w in STRONG_WORDS if w in lowered]
    if any(e in text for e in ANGRY_EMOJI):
        reasons.append("愤怒表情")
    if EXCLAMATIONS.search(text):
        reasons.append("连续感叹号")
    if not reasons:
        return None
    return "情绪激烈：" + "、".join(reasons[:4])


# Explicit leaving words (DOMAIN.md §7), whatever else the message is about: a complaint that says
# "再也不买了" is churn language too. Negated forms ("不会不买") are rare enough to accept.
CHURN_WORDS = re.compile(
    r"再也不(买|来|会来|光顾|回购|用)|以后不(买|来)了|不会再(买|来|光顾|回购)|永不回购|不会回购"
    r"|换别家|去别家|换一家|别家买|注销(账号|账户|会员)|卸载了|取关了?|拉黑了?|最后一次(在你们|买)"
    r"|最后一单|看透了")


def churn_language(words: Sequence[str]) -> Optional[str]:
    """The first explicit churn phrase in the words (quoted for the flag's reason), else None."""
    found = CHURN_WORDS.search(" ".join(words))
    return f"流失表态：“{found.group()}”" if found else None
