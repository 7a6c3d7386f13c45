"""Complaint codes, Chinese labels and the plain rules of the four-step procedure."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Dict, Iterable, List, Optional, Sequence

from crm_backend.core.time import BEIJING

CATEGORY_LABELS: Dict[str, str] = {
    "product_quality": "商品质量",
    "wrong_or_missing": "错发漏发",
    "delivery": "物流延误/破损",
    "service_attitude": "服务态度",
    "price": "价格问题",
    "after_sales": "售后问题",
    "other": "其他",
}


# The words the customer picks from in chat (bot/actions/complaint_text.py), so staff read the same.
SEVERITY_LABELS: Dict[str, str] = {"low": "一般", "medium": "比较严重", "high": "非常严重"}


# What the customer wants, as the bot sends it (complaint_expectation); free text is kept too.
WISH_LABELS: Dict[str, str] = {
    "refund": "退款",
    "replacement": "换货/补发",
    "compensation": "补偿",
    "ship": "尽快发货",
    "apology": "道歉",
    "feedback": "反馈改进",
}


# Wishes that ask for compensation beyond a fix (a bad-faith customer's go to a person).
COMPENSATION_WISHES = frozenset({"compensation"})


# A follow-up in these statuses has been (or is being) sent to its conversation: only then may
# that conversation see and answer it.
FOLLOW_UP_SENT_STATUSES = ("firing", "fired")


STEP_CODES: Dict[int, str] = {1: "vent", 2: "record", 3: "remedy", 4: "follow_up"}


STEP_LABELS: Dict[str, str] = {"vent": "倾听", "record": "记录", "remedy": "方案", "follow_up": "跟踪"}


STATUS_LABELS: Dict[str, str] = {
    "open": "已登记",
    "remedy_proposed": "已提出方案",
    "remedy_accepted": "方案已接受",
    "handed_off": "已转人工",
    "awaiting_follow_up": "待回访",
    "closed": "已办结",
    "reopened": "已重新打开",
}


CHANNELS = ("rest", "wechat", "web")


# Who did what a timeline entry records: the customer (their words, answers, refusal), the bot
# (through the service API), a person in the console (with their staff id), or the CRM itself
# (the follow-up scheduler).
ACTOR_LABELS: Dict[str, str] = {"customer": "客户", "bot": "机器人", "agent": "人工客服",
                                "system": "系统"}


NUMBER_PATTERN = re.compile(r"TS\d{12}", re.ASCII)


WORDS_SEPARATOR = "\n"


MAX_WORDS = 50


MAX_WORD_LENGTH = 1000


# Statuses in which a remedy may still be proposed (a reopened complaint goes to a person).
REMEDY_OPEN_STATUSES = frozenset({"open", "remedy_proposed"})


def step_code(step: int) -> str:
    """The code of a step number (1 vent … 4 follow_up)."""
    return STEP_CODES[step]


def step_label(step: int) -> str:
    """The Chinese label of a step number."""
    return STEP_LABELS[STEP_CODES[step]]


def number_prefix(moment: datetime) -> str:
    """`TS` + the Beijing calendar day of `moment`, e.g. TS20261120."""
    return "TS" + moment.astimezone(BEIJING).strftime("%Y%m%d")


def next_number(moment: datetime, taken_today: Iterable[str]) -> str:
    """The next free complaint number of that Beijing day (4-digit sequence from 0001)."""
    prefix = number_prefix(moment)
    used = [int(n[len(prefix):]) for n in taken_today
            if n.startswith(prefix) and n[len(prefix):].isdigit()]
    sequence = max(used, default=0) + 1
    if sequence > 9999:
        raise OverflowError(f"more than 9999 complaints on {prefix[2:]}")
    return f"{prefix}{sequence:04d}"


def is_complaint_number(text: str) -> bool:
    """True for `TS` + 12 digits."""
    return bool(NUMBER_PATTERN.fullmatch(text))


def join_words(words: Sequence[str]) -> str:
    """Store what the customer said, one message per line."""
    return WORDS_SEPARATOR.join(" ".join(w.split()) for w in words if w.strip())


def split_words(stored: Optional[str]) -> List[str]:
    """The messages as a list again."""
    return [line for line in (stored or "").split(WORDS_SEPARATOR) if line]


def satisfied(score: int, resolved: bool, min_good_score: int = 3) -> bool:
    """A follow-up answer closes the complaint only when resolved and scored at least 3."""
    return resolved and score >= min_good_score


def correction_note(changes: Dict[str, tuple]) -> str:
    """A Chinese note listing corrected fields, e.g. "更正：类别 商品质量→错发漏发"."""
    names = {"category": "类别", "severity": "严重程度", "expectation": "诉求",
             "order_no": "订单", "append_words": "补充描述"}
    parts = []
    for field, (old, new) in changes.items():
        if field == "category":
            old, new = CATEGORY_LABELS.get(old, old), CATEGORY_LABELS.get(new, new)
        elif field == "severity":
            old, new = SEVERITY_LABELS.get(old, old), SEVERITY_LABELS.get(new, new)
        if field == "append_words":
            parts.append(f"{names[field]}：{new}")
        else:
            parts.append(f"{names[field]} {old or '无'}→{new or '无'}")
    return "更正：" + "；".join(parts)
