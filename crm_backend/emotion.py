"""Strong negative emotion in a customer's own words (a churn-risk signal, DOMAIN.md §7)."""

from __future__ import annotations

import re
from typing import List, Optional, Sequence

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
