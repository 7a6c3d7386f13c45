"""The managers' overview as plain rules: the period asked for and the one before it, every KPI's
definition (in one place), and the percentile and comparison maths."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Dict, List, Optional, Tuple

from crm_backend.core.time import BEIJING

PERIODS = ("today", "7d", "30d", "custom")


PERIOD_LABELS = {"today": "今天", "7d": "近 7 天", "30d": "近 30 天", "custom": "自定义"}


PERIOD_DAYS = {"today": 1, "7d": 7, "30d": 30}


DEFAULT_PERIOD = "7d"


# A quarter: the page answers within its 500 ms budget up to this (bench.review_speed); a year
# took 0.75 s (PostgreSQL) to 1.1 s (SQLite) on 100,000 complaints and 1,000,000 messages.
MAX_CUSTOM_DAYS = 92


# A satisfaction answer counts as satisfied (CSAT) from this score up (1–5 scale).
CSAT_GOOD_FROM = 4


# A complaint's follow-up answer closes it only when resolved and scored at least this
# (complaints.rules.satisfied); any other answer reopens it.
FOLLOW_UP_CLOSES_FROM = 3


# Win-back outcomes that count as a success (the customer stays or takes the offer).
WINBACK_SUCCESS = ("stayed", "accepted")


@dataclass(frozen=True)
class Period:
    """Beijing calendar days `first_day`…`last_day`, as the UTC interval [start, end); `end` is
    never later than "now" (today is counted up to now)."""

    key: str
    first_day: date
    last_day: date
    start: datetime
    end: datetime

    @property
    def length_days(self) -> int:
        """How many Beijing days the period spans."""
        return (self.last_day - self.first_day).days + 1

    @property
    def days(self) -> List[date]:
        """Every Beijing day of the period, oldest first."""
        return [self.first_day + timedelta(days=i) for i in range(self.length_days)]

    def previous(self) -> "Period":
        """The same-length period just before, cut at the same time of day as this one (today
        until 15:00 compares with yesterday until 15:00)."""
        shift = timedelta(days=self.length_days)
        return Period(self.key, self.first_day - shift, self.last_day - shift,
                      self.start - shift, self.end - shift)

    @property
    def label(self) -> str:
        """e.g. "2026-11-17 至 2026-11-23" (one day: just the day)."""
        if self.first_day == self.last_day:
            return self.first_day.isoformat()
        return f"{self.first_day.isoformat()} 至 {self.last_day.isoformat()}"


def day_start(day: date) -> datetime:
    """00:00 of a Beijing day, as aware UTC."""
    return datetime.combine(day, time(0, 0), tzinfo=BEIJING)


def _span(key: str, first: date, last: date, now: datetime) -> Period:
    return Period(key, first, last, day_start(first), min(day_start(last + timedelta(days=1)), now))


def _parse_day(text: str) -> Optional[date]:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def custom_refusal(first: Optional[date], last: Optional[date], today: date) -> Optional[str]:
    """Why a custom period cannot be shown (None: it can)."""
    if first is None or last is None:
        return "请填写开始和结束日期（格式 YYYY-MM-DD）"
    if first > last:
        return "开始日期不能晚于结束日期"
    if last > today:
        return "结束日期不能晚于今天（北京时间）"
    if (last - first).days + 1 > MAX_CUSTOM_DAYS:
        return f"自定义时段最长 {MAX_CUSTOM_DAYS} 天，更长的趋势请分段查看或导出"
    return None


def period_for(key: str, start_text: str, end_text: str, now: datetime
               ) -> Tuple[Period, Optional[str]]:
    """The period asked for (`today`, `7d`, `30d` or `custom` with Beijing dates), and a message
    when the request could not be followed (then the default period is given)."""
    today = now.astimezone(BEIJING).date()
    if key == "custom":
        first, last = _parse_day(start_text), _parse_day(end_text)
        refusal = custom_refusal(first, last, today)
        if refusal is None:
            assert first is not None and last is not None
            return _span("custom", first, last, now), None
        return period_for(DEFAULT_PERIOD, "", "", now)[0], f"{refusal}，已显示{PERIOD_LABELS[DEFAULT_PERIOD]}。"
    message = None
    if key not in PERIOD_DAYS:
        message = None if not key else f"没有“{key}”这个时段，已显示{PERIOD_LABELS[DEFAULT_PERIOD]}。"
        key = DEFAULT_PERIOD
    days = PERIOD_DAYS[key]
    return _span(key, today - timedelta(days=days - 1), today, now), message


def percentile_offset(count: int, percent: int) -> Optional[int]:
    """0-based position of the `percent`-th percentile among `count` sorted values by the
    nearest-rank method (the ⌈count × percent / 100⌉-th value); None without values."""
    if count <= 0:
        return None
    rank = max(-(-count * percent // 100), 1)
    return rank - 1


def ratio(part: int, whole: int) -> Optional[float]:
    """part / whole, or None when there is nothing to divide by."""
    return part / whole if whole else None


def follow_up_reopens(score: int, resolved: Optional[bool]) -> bool:
    """Whether a follow-up answer reopens its complaint (not resolved, or scored below 3)."""
    return not (bool(resolved) and score >= FOLLOW_UP_CLOSES_FROM)


@dataclass(frozen=True)
class Change:
    """How a figure moved against the period before: `delta` in the figure's own unit (for a
    rate, in percentage points), `relative` to the earlier value (None when it was 0), and
    whether the move is good, bad or neither for the service."""

    delta: float
    relative: Optional[float]
    tone: str


def compare(current: Optional[float], previous: Optional[float], unit: str,
            better: Optional[str]) -> Optional[Change]:
    """The change from `previous` to `current` (None when either is unknown); `better` is "up",
    "down" or None (no judgement)."""
    if current is None or previous is None:
        return None
    delta = (current - previous) * (100 if unit == "rate" else 1)
    relative = (current - previous) / previous if previous and unit != "rate" else None
    if delta == 0 or better is None:
        tone = "neutral"
    elif (delta > 0) == (better == "up"):
        tone = "good"
    else:
        tone = "bad"
    return Change(delta, relative, tone)


@dataclass(frozen=True)
class Kpi:
    """One figure of the overview: its Chinese name, unit (count, rate, seconds, yuan, points),
    which way is better, its definition as the page and the export show it, and whether it is
    a count of now rather than of the period (then it has no period before)."""

    key: str
    label: str
    unit: str
    better: Optional[str]
    definition: str
    snapshot: bool = False


_PERCENTILES = ("中位数与 P90 用最近秩法：n 个时长从小到大排，中位数取第 ⌈n/2⌉ 个，"
                "P90 取第 ⌈0.9n⌉ 个（都是真实出现过的时长）。")


KPI_LIST = (
    Kpi("conversations", "会话数", "count", None,
        "统计期内客户发来过消息的会话，按“会话 ID × 北京日”计：同一会话当天算 1 次，第二天再来"
        "再算 1 次（微信和网页的会话 ID 长期不变，不能按 ID 算）。每个会话都先由机器人接待。"),
    Kpi("bot_alone", "机器人独立解决率", "rate", "up",
        "会话中当天既没有转人工、也没有人工客服发过消息的比例 = 机器人独立处理的会话 ÷ 会话数。"),
    Kpi("handoff_rate", "转人工率", "rate", "down",
        "当天转过人工的会话 ÷ 会话数。同一会话当天多次转人工（交还机器人后再次转人工）只计 1 次。"),
    Kpi("handoffs", "转人工次数", "count", None,
        "统计期内新建的转人工，按转入时间；交还机器人后再次转人工另算一次。"),
    Kpi("expired", "无人接入", "count", "down",
        "统计期内转入、最终没有客服接入就交还机器人的转人工（排队超时、非人工服务时间或客服婉拒，"
        "均已登记回电）。单独计数，不按 0 秒计入响应时间。"),
    Kpi("first_response", "首次响应时间", "seconds", "down",
        "人工阶段：每次转人工从转入（或再次转人工）到客服第一条消息的时长；机器人的回复不算响应。"
        "只统计已有客服回复的转人工，按转入时间归入统计期。" + _PERCENTILES),
    Kpi("wait", "排队等待时间", "seconds", "down",
        "人工阶段：每次转人工从转入到客服接入（认领）的时长，只统计已被接入的转人工。" + _PERCENTILES),
    Kpi("resolution_agent", "人工处理时长", "seconds", "down",
        "人工阶段：每次由客服结束的转人工（交还机器人或直接结束）从转入到结束的时长；无人接入的"
        "不计。" + _PERCENTILES),
    Kpi("resolution_whole", "会话解决时长", "seconds", "down",
        "整段会话：每次由客服结束的转人工，从该会话当天（北京时间）第一条消息算起到结束的时长，"
        "含机器人阶段。同一会话当天再次转人工并结束时，按新的结束时间再算一次。" + _PERCENTILES),
    Kpi("csat", "满意率（CSAT）", "rate", "up",
        "统计期内收到的满意度回答中 4–5 分所占比例。回答有两处：客服交还机器人后机器人请客户打"
        " 1–5 分，以及投诉回访时客户打的分。"),
    Kpi("csat_answers", "满意度回答数", "count", None,
        "统计期内收到的满意度回答（交还机器人后的打分 + 投诉回访打分）。"),
    Kpi("csat_response_rate", "满意度回复率", "rate", "up",
        "统计期内发出的满意度询问中得到回答的比例：每次交还机器人算一次询问，每次投诉回访发出算一次"
        "询问；回答在统计期之后才到也算。客服直接结束（不交还机器人）的转人工不询问，不计入。"),
    Kpi("complaints", "投诉数", "count", None,
        "统计期内登记的投诉，按登记时间；客户等级取登记时的等级。"),
    Kpi("remedy_acceptance", "方案接受率", "rate", "up",
        "统计期内登记的投诉中：客户接受了方案的 ÷ 提出过方案的（已提出、还在等客户答复的也算在"
        "分母里）。"),
    Kpi("refund_yuan", "方案退款金额", "yuan", None,
        "统计期内投诉方案生成的退款单（全额退款、部分退款、补差价）金额合计，不含被拒绝的退款单。"),
    Kpi("coupon_yuan", "方案补偿券面额", "yuan", None,
        "统计期内投诉方案发放的补偿优惠券面额合计；张数见卡片下方。"),
    Kpi("points", "方案补偿积分", "points", None,
        "统计期内投诉方案发放的补偿积分合计；发放次数见卡片下方。"),
    Kpi("reopened", "回访后重新打开", "count", "down",
        "统计期内回访答复为“未解决”或低于 3 分、因而重新打开并转人工的投诉数，按答复时间；"
        "同一投诉只计一次。"),
    Kpi("winback_attempts", "挽回尝试", "count", None,
        "统计期内发起的流失挽回尝试，按发起时的客户等级分组。"),
    Kpi("winback_success", "挽回成功率", "rate", "up",
        "统计期内发起的挽回尝试中：结果为“留下了”或“接受了方案”的 ÷ 已有结果的尝试（还没有结果的"
        "不计入）。"),
    Kpi("at_risk", "风险客户", "count", "down",
        "目前仍未处理（open）的流失风险标记，按风险等级；每位客户最多一条。这是此刻的数，"
        "不随统计期变化；“本期新增”为统计期内新建的标记。", snapshot=True),
)


KPIS: Dict[str, Kpi] = {kpi.key: kpi for kpi in KPI_LIST}


DURATION_KEYS = ("first_response", "wait", "resolution_agent", "resolution_whole")


PERCENTILES = {"p50": 50, "p90": 90}
