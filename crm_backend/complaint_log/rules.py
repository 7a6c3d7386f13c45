"""The complaint log's filters, sorts and pages, read and checked from a query string (pure).

Every parameter is optional and an empty one counts as absent (a plain GET form sends them all).
The period is a range of Beijing calendar days on the complaint's registration time, both days
included; without one it is the last 30 days up to today.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import urlencode

from crm_backend.complaints.rules import (CATEGORY_LABELS, CHANNELS, SEVERITY_LABELS, STATUS_LABELS,
                                          STEP_CODES)
from crm_backend.core.time import BEIJING
from crm_backend.core.vocabulary import TIERS

PAGE_SIZE = 50


# An export answers within the 500 ms budget up to about this many rows (bench.review_speed);
# past it the file says so and the manager narrows the period.
EXPORT_CAP = 8_000


DEFAULT_DAYS = 30


MAX_QUERY_LENGTH = 100


MAX_PAGE = 1_000_000


MAX_STAFF_ID = 2**31 - 1


# The years a date may name (keeps the bounds' arithmetic inside what datetime holds).
FIRST_YEAR, LAST_YEAR = 2000, 2099


SORTS: Dict[str, str] = {
    "newest": "登记时间（新→旧）",
    "oldest": "登记时间（旧→新）",
    "severity": "严重程度（高→低）",
    "step": "当前步骤（1→4）",
}


DEFAULT_SORT = "newest"


# The severity sort, gravest first (then, as every sort, newer first and the larger id first).
SEVERITY_RANK: Dict[str, int] = {"high": 3, "medium": 2, "low": 1}


# Sorts by a column of few values, in the order its values come; a page of them is read value by
# value along the (column, created_at) index instead of sorting the whole period.
BUCKETS: Dict[str, Tuple[Any, ...]] = {"severity": ("high", "medium", "low"),
                                       "step": (1, 2, 3, 4)}


STEP_NUMBERS: Dict[str, int] = {code: number for number, code in STEP_CODES.items()}


EXPORT_FORMATS = ("csv", "xlsx")


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


_DIGITS = re.compile(r"\d{1,10}", re.ASCII)


# (parameter, its Chinese name, the allowed codes) of the plain choice filters.
CHOICES: Tuple[Tuple[str, str, Tuple[str, ...]], ...] = (
    ("status", "状态", tuple(STATUS_LABELS)),
    ("category", "类别", tuple(CATEGORY_LABELS)),
    ("severity", "严重程度", tuple(SEVERITY_LABELS)),
    ("tier", "客户等级", TIERS),
    ("channel", "渠道", CHANNELS),
)


class FilterError(ValueError):
    """Parameters the log cannot use; `messages` says what is wrong with each, in Chinese."""

    def __init__(self, messages: List[str]) -> None:
        super().__init__("；".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class LogFilter:
    """What the manager asked the log for."""

    start: date
    end: date
    status: Optional[str] = None
    step: Optional[int] = None
    category: Optional[str] = None
    severity: Optional[str] = None
    tier: Optional[str] = None
    channel: Optional[str] = None
    agent: Optional[int] = None
    q: Optional[str] = None
    sort: str = DEFAULT_SORT
    page: int = 1

    @property
    def since(self) -> datetime:
        """The first moment of the period (aware UTC)."""
        return day_start(self.start)

    @property
    def until(self) -> datetime:
        """The first moment after the period (aware UTC, excluded)."""
        return day_start(self.end + timedelta(days=1))

    @property
    def offset(self) -> int:
        """Rows before this page."""
        return (self.page - 1) * PAGE_SIZE

    def params(self) -> Dict[str, str]:
        """The filter as query parameters (the period always, the rest when set; no page)."""
        values = {"status": self.status, "step": STEP_CODES[self.step] if self.step else None,
                  "category": self.category, "severity": self.severity, "tier": self.tier,
                  "channel": self.channel, "agent": str(self.agent) if self.agent else None,
                  "start": self.start.isoformat(), "end": self.end.isoformat(), "q": self.q,
                  "sort": self.sort if self.sort != DEFAULT_SORT else None}
        return {name: value for name, value in values.items() if value}

    def link(self, **changes: str) -> str:
        """The query string of this filter with `changes` (e.g. page="3", format="csv")."""
        return urlencode({**self.params(), **changes})

    def at_page(self, page: int) -> "LogFilter":
        """The same filter on another page."""
        return replace(self, page=page)


def day_start(day: date) -> datetime:
    """00:00 of a Beijing calendar day, as aware UTC."""
    return datetime.combine(day, time(0, 0), tzinfo=BEIJING).astimezone(timezone.utc)


def beijing_today(moment: datetime) -> date:
    """The Beijing calendar day of an aware moment."""
    return moment.astimezone(BEIJING).date()


def default_period(today: date) -> Tuple[date, date]:
    """The last 30 days, today included."""
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def _given(query: Mapping[str, str], name: str) -> Optional[str]:
    """A parameter's value stripped, None when absent or empty."""
    value = query.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _date(value: str, label: str, errors: List[str]) -> Optional[date]:
    """A YYYY-MM-DD day, or None with a message in `errors`."""
    if _DATE.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
        if day is not None and FIRST_YEAR <= day.year <= LAST_YEAR:
            return day
    errors.append(f"{label}“{value}”不是有效的日期，请按 年-月-日 填写，例如 2026-11-20")
    return None


def _number(value: str, label: str, maximum: int, errors: List[str]) -> Optional[int]:
    """A whole number from 1 to `maximum`, or None with a message in `errors`."""
    if _DIGITS.fullmatch(value) and 1 <= int(value) <= maximum:
        return int(value)
    errors.append(f"{label}“{value}”无效，应为 1 到 {maximum} 之间的整数")
    return None


def _period(query: Mapping[str, str], today: date, errors: List[str]) -> Tuple[date, date]:
    """The asked period, defaulting to the last 30 days (an end alone: the 30 days up to it)."""
    raw_start, raw_end = _given(query, "start"), _given(query, "end")
    end = (_date(raw_end, "结束日期", errors) if raw_end else None) or today
    if raw_start is None:
        return end - timedelta(days=DEFAULT_DAYS - 1), end
    start = _date(raw_start, "开始日期", errors) or end
    if start > end:
        errors.append(f"开始日期 {start.isoformat()} 晚于结束日期 {end.isoformat()}，请调换或重新选择")
    return start, end


def parse(query: Mapping[str, str], today: date) -> LogFilter:
    """The filter a query string asks for; FilterError lists everything wrong with it."""
    errors: List[str] = []
    chosen: Dict[str, Optional[str]] = {}
    for name, label, allowed in CHOICES:
        value = _given(query, name)
        if value is not None and value not in allowed:
            errors.append(f"{label}“{value}”不在可选范围内，请从列表中选择")
            value = None
        chosen[name] = value
    step_value = _given(query, "step")
    step = None
    if step_value is not None:
        step = STEP_NUMBERS.get(step_value)
        if step is None and step_value in {str(n) for n in STEP_CODES}:
            step = int(step_value)
        if step is None:
            errors.append(f"当前步骤“{step_value}”不在可选范围内，请从列表中选择")
    agent_value = _given(query, "agent")
    agent = _number(agent_value, "处理人", MAX_STAFF_ID, errors) if agent_value else None
    q = _given(query, "q")
    if q is not None and len(q) > MAX_QUERY_LENGTH:
        errors.append(f"搜索内容太长（{len(q)} 个字），最多 {MAX_QUERY_LENGTH} 个字")
    sort = _given(query, "sort") or DEFAULT_SORT
    if sort not in SORTS:
        errors.append(f"排序方式“{sort}”不在可选范围内，请从列表中选择")
    page_value = _given(query, "page")
    page = _number(page_value, "页码", MAX_PAGE, errors) if page_value else 1
    start, end = _period(query, today, errors)
    if errors:
        raise FilterError(errors)
    return LogFilter(start=start, end=end, step=step, agent=agent, q=q, sort=sort,
                     page=page or 1, **chosen)


def export_format(query: Mapping[str, str]) -> str:
    """`csv` (the default) or `xlsx`; FilterError for anything else."""
    value = _given(query, "format") or "csv"
    if value not in EXPORT_FORMATS:
        raise FilterError([f"导出格式“{value}”无效，请选择 CSV 或 Excel（xlsx）"])
    return value


def like_pattern(text: str) -> str:
    """A LIKE pattern (escape character `\\`) finding `text` anywhere, its % and _ literal."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def page_count(total: int) -> int:
    """Pages needed for `total` rows (at least one, the empty page)."""
    return max(1, -(-total // PAGE_SIZE))


def slices(counts: Sequence[Tuple[Any, int]], offset: int, limit: int) -> List[Tuple[Any, int, int]]:
    """(value, rows to skip in it, rows to take) that make rows `offset` … `offset + limit - 1`
    of the buckets `counts` laid end to end."""
    found = []
    start = 0
    for value, size in counts:
        end = start + size
        if size > 0 and end > offset and start < offset + limit:
            skip = max(offset - start, 0)
            take = min(size - skip, offset + limit - (start + skip))
            found.append((value, skip, take))
        start = end
    return found
