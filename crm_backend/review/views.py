"""The overview's figures shaped for the page and the export: headline values, cards with their
definitions and change against the period before, breakdown tables, charts, export rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Dict, List, Optional, Sequence, Tuple

from markupsafe import Markup

from crm_backend.complaints.rules import CATEGORY_LABELS, SEVERITY_LABELS
from crm_backend.core.time import BEIJING
from crm_backend.core.vocabulary import TIER_LABELS, TIERS
from crm_backend.handoffs.rules import STATUS_LABELS as HANDOFF_STATUS_LABELS
from crm_backend.review import charts, rules
from crm_backend.review.rules import KPIS, Change, Period
from crm_backend.review.store import CSAT_SOURCES, Figures
from crm_backend.risk.rules import LEVEL_LABELS, LEVELS

EMPTY = "—"


NO_DATA = "暂无数据"


WINBACK_OUTCOME_LABELS = {"stayed": "留下了", "accepted": "接受了方案", "declined": "拒绝了方案",
                          "left": "已流失", None: "暂无结果"}


CSAT_SOURCE_LABELS = {"handback": "交还机器人后打分", "follow_up": "投诉回访打分"}


UNIT_LABELS = {"count": "个", "rate": "%", "seconds": "秒", "yuan": "元", "points": "分"}


def fmt_count(value: Optional[float]) -> str:
    """1234 → "1,234"."""
    return EMPTY if value is None else f"{int(round(value)):,}"


def fmt_rate(value: Optional[float]) -> str:
    """0.4567 → "45.7%"."""
    return EMPTY if value is None else f"{value * 100:.1f}%"


def fmt_seconds(value: Optional[float]) -> str:
    """A duration in words: "45 秒", "3 分 20 秒", "2 小时 5 分", "1 天 3 小时"."""
    if value is None:
        return EMPTY
    total = int(round(abs(value)))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        text = f"{days} 天" + (f" {hours} 小时" if hours else "")
    elif hours:
        text = f"{hours} 小时" + (f" {minutes} 分" if minutes else "")
    elif minutes:
        text = f"{minutes} 分" + (f" {seconds} 秒" if seconds else "")
    else:
        text = f"{seconds} 秒"
    return ("-" if value < 0 and total else "") + text


def fmt_yuan(value: Optional[float]) -> str:
    """12345.5 → "¥12,345.50"."""
    return EMPTY if value is None else f"¥{value:,.2f}"


def fmt_points(value: Optional[float]) -> str:
    """1200 → "1,200 分"."""
    return EMPTY if value is None else f"{int(round(value)):,} 分"


FORMATS = {"count": fmt_count, "rate": fmt_rate, "seconds": fmt_seconds, "yuan": fmt_yuan,
           "points": fmt_points}


def fmt_value(value: Optional[float], unit: str) -> str:
    """A figure as the page shows it ("—" when it cannot be known)."""
    return FORMATS[unit](value)


def fmt_change(change: Optional[Change], unit: str) -> str:
    """The move against the period before, in words ("" when it cannot be compared)."""
    if change is None:
        return ""
    if change.delta == 0:
        return "与上期持平"
    arrow = "▲" if change.delta > 0 else "▼"
    size = abs(change.delta)
    if unit == "rate":
        amount = f"{size:.1f} 个百分点"
    elif unit == "seconds":
        amount = fmt_seconds(size)
    elif unit == "yuan":
        amount = fmt_yuan(size)
    else:
        amount = fmt_count(size) if unit == "count" else fmt_points(size)
    relative = f"（{change.relative * 100:+.1f}%）" if change.relative is not None else ""
    return f"较上期 {arrow} {amount}{relative}"


def _sum(values: Any) -> int:
    return sum(values, 0)


@dataclass(frozen=True)
class Totals:
    """A period's figures summed over days and groups, for the headline and the cards."""

    conversations: int
    handed_off: int
    with_person: int
    answers: int
    good: int
    proposed: int
    accepted: int
    attempts: int
    decided: int
    won: int


def totals(f: Figures) -> Totals:
    """Sum a period's per-day and per-group figures."""
    return Totals(
        conversations=_sum(d.conversations for d in f.days),
        handed_off=_sum(d.handed_off for d in f.days),
        with_person=_sum(d.with_person for d in f.days),
        answers=_sum(c.answers for c in f.csat), good=_sum(c.good for c in f.csat),
        proposed=_sum(g.proposed for g in f.complaints),
        accepted=_sum(g.accepted for g in f.complaints),
        attempts=_sum(g.count for g in f.winback),
        decided=_sum(g.count for g in f.winback if g.outcome is not None),
        won=_sum(g.count for g in f.winback if g.outcome in rules.WINBACK_SUCCESS))


def headline(f: Figures) -> Dict[str, Optional[float]]:
    """Every headline figure of a period by KPI key (durations as `key.p50` / `key.p90`;
    money in yuan); None where it cannot be known (nothing to divide by, no durations)."""
    t = totals(f)
    values: Dict[str, Optional[float]] = {
        "conversations": t.conversations,
        "bot_alone": rules.ratio(t.conversations - t.with_person, t.conversations),
        "handoff_rate": rules.ratio(t.handed_off, t.conversations),
        "handoffs": f.handoffs.total,
        "expired": f.handoffs.expired,
        "csat": rules.ratio(t.good, t.answers),
        "csat_answers": t.answers,
        "csat_response_rate": rules.ratio(f.surveys.answered, f.surveys.sent),
        "complaints": _sum(g.count for g in f.complaints),
        "remedy_acceptance": rules.ratio(t.accepted, t.proposed),
        "refund_yuan": f.remedy_cost.refund_fen / 100,
        "coupon_yuan": f.remedy_cost.coupon_fen / 100,
        "points": f.remedy_cost.points,
        "reopened": f.follow_ups.reopened,
        "winback_attempts": t.attempts,
        "winback_success": rules.ratio(t.won, t.decided),
        "at_risk": _sum(f.risk.open_now.values()),
    }
    for key in rules.DURATION_KEYS:
        spread = f.spreads[key]
        values[f"{key}.p50"], values[f"{key}.p90"] = spread.p50, spread.p90
    return values


def _details(f: Figures) -> Dict[str, str]:
    """The small line under each card's number: what it was computed from."""
    t = totals(f)
    cost, spreads = f.remedy_cost, f.spreads
    by_source = {source: _sum(c.answers for c in f.csat if c.source == source)
                 for source in CSAT_SOURCES}
    key_complaints = _sum(g.count for g in f.complaints if g.tier == "key")
    return {
        "conversations": f"其中 {t.handed_off:,} 个转过人工",
        "bot_alone": f"{t.conversations - t.with_person:,} / {t.conversations:,} 个会话",
        "handoff_rate": f"{t.handed_off:,} / {t.conversations:,} 个会话",
        "handoffs": f"已有人工回复 {f.handoffs.answered:,} 次，排队中 {f.handoffs.waiting:,} 次",
        "expired": f"占转人工 {fmt_rate(rules.ratio(f.handoffs.expired, f.handoffs.total))}",
        "first_response": f"{spreads['first_response'].count:,} 次有客服回复",
        "wait": f"{spreads['wait'].count:,} 次已被接入",
        "resolution_agent": f"{spreads['resolution_agent'].count:,} 次由客服结束",
        "resolution_whole": f"{spreads['resolution_whole'].count:,} 次由客服结束",
        "csat": f"{t.good:,} / {t.answers:,} 个回答为 4–5 分",
        "csat_answers": f"交还后 {by_source['handback']:,} · 回访 {by_source['follow_up']:,}",
        "csat_response_rate": f"{f.surveys.answered:,} / {f.surveys.sent:,} 次询问得到回答",
        "reopened": f"共 {f.follow_ups.answers:,} 个回访答复",
        "complaints": f"其中{TIER_LABELS['key']} {key_complaints:,} 件",
        "remedy_acceptance": f"{t.accepted:,} / {t.proposed:,} 个提出了方案的投诉",
        "refund_yuan": f"{cost.refunds:,} 张退款单",
        "coupon_yuan": f"{cost.coupons:,} 张优惠券",
        "points": f"{cost.point_grants:,} 次发放",
        "winback_attempts": f"{t.decided:,} 次已有结果",
        "winback_success": f"{t.won:,} / {t.decided:,} 次已有结果的尝试",
        "at_risk": f"本期新增 {_sum(f.risk.raised.values()):,} 条",
    }


CARD_GROUPS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("会话与转人工", ("conversations", "bot_alone", "handoff_rate", "handoffs", "expired")),
    ("人工阶段时长（中位数 / P90）", rules.DURATION_KEYS),
    ("满意度与回访", ("csat", "csat_response_rate", "csat_answers", "reopened")),
    ("投诉与补偿", ("complaints", "remedy_acceptance", "refund_yuan", "coupon_yuan", "points")),
    ("挽回与流失风险", ("winback_attempts", "winback_success", "at_risk")),
)


@dataclass(frozen=True)
class Line:
    """One number of a card: its name (for P90), value text, change text, tone, last period's."""

    name: str
    value: str
    change: str
    tone: str
    previous: str


@dataclass(frozen=True)
class Card:
    """A KPI card: the definition goes on hover (title) and in the help text."""

    key: str
    label: str
    definition: str
    lines: List[Line]
    detail: str


def _line(name: str, unit: str, better: Optional[str], now: Optional[float],
          before: Optional[float], comparable: bool = True) -> Line:
    change = rules.compare(now, before, unit, better) if comparable else None
    return Line(name, fmt_value(now, unit), fmt_change(change, unit),
                change.tone if change else "neutral",
                f"上期 {fmt_value(before, unit)}" if comparable else "")


def cards(current: Figures, previous: Figures) -> List[Tuple[str, List[Card]]]:
    """The KPI cards by group, each number with its change against the period before."""
    now, before = headline(current), headline(previous)
    details = _details(current)
    groups = []
    for title, keys in CARD_GROUPS:
        group = []
        for key in keys:
            kpi = KPIS[key]
            if key in rules.DURATION_KEYS:
                lines = [_line(name, "seconds", kpi.better, now[f"{key}.{p}"],
                               before[f"{key}.{p}"])
                         for name, p in (("中位数", "p50"), ("P90", "p90"))]
            else:
                lines = [_line("", kpi.unit, kpi.better, now[key], before[key],
                               comparable=not kpi.snapshot)]
            group.append(Card(key, kpi.label, kpi.definition, lines, details[key]))
        groups.append((title, group))
    return groups


@dataclass(frozen=True)
class Table:
    """A breakdown table: caption, the definition that applies, header, the unit of each value
    column (count, rate, delta), and rows of a label then raw values."""

    key: str
    caption: str
    definition: str
    header: List[str]
    units: List[str]
    rows: List[List[Any]]

    @property
    def text_rows(self) -> List[List[str]]:
        """The rows as the page shows them."""
        return [[row[0], *(fmt_cell(v, u) for v, u in zip(row[1:], self.units))]
                for row in self.rows]


def fmt_cell(value: Any, unit: str) -> str:
    """A table value as text; a change is signed ("+3", "-2", "持平")."""
    if unit == "delta":
        return EMPTY if value is None else ("持平" if value == 0 else f"{value:+,}")
    return fmt_value(value, unit)


COMPARED = ["本期", "上期", "变化"]


def _counts_by(groups: Sequence[Any], attribute: str) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    for g in groups:
        counts[getattr(g, attribute)] = counts.get(getattr(g, attribute), 0) + g.count
    return counts


def _breakdown(key: str, caption: str, labels: Dict[str, str], now: Dict[str, int],
               before: Dict[str, int]) -> Table:
    codes = list(labels) + sorted((set(now) | set(before)) - set(labels))
    rows = [[labels.get(c, c), now.get(c, 0), before.get(c, 0), now.get(c, 0) - before.get(c, 0)]
            for c in codes if now.get(c) or before.get(c)]
    return Table(key, caption, KPIS[key].definition, ["", *COMPARED],
                 ["count", "count", "delta"], rows)


def complaint_tables(current: Figures, previous: Figures) -> List[Table]:
    """Complaints by category, severity and tier, this period against the one before."""
    return [_breakdown("complaints", f"投诉按{name}", labels,
                       _counts_by(current.complaints, attribute),
                       _counts_by(previous.complaints, attribute))
            for name, labels, attribute in (("类别", CATEGORY_LABELS, "category"),
                                            ("严重程度", SEVERITY_LABELS, "severity"),
                                            ("客户等级", TIER_LABELS, "tier"))]


def remedy_table(current: Figures) -> Table:
    """Remedies of the period's complaints by tier: proposed, accepted, refused, rate."""
    rows: List[List[Any]] = []
    for tier in (*TIERS, None):
        groups = [g for g in current.complaints if tier is None or g.tier == tier]
        proposed, accepted = _sum(g.proposed for g in groups), _sum(g.accepted for g in groups)
        refused = _sum(g.refused for g in groups)
        rows.append([TIER_LABELS[tier] if tier else "合计", _sum(g.count for g in groups),
                     proposed, accepted, refused, proposed - accepted - refused,
                     rules.ratio(accepted, proposed)])
    return Table("remedy_acceptance", "补偿方案按客户等级", KPIS["remedy_acceptance"].definition,
                 ["客户等级", "投诉", "提出方案", "接受", "拒绝", "待答复", "接受率"],
                 ["count"] * 5 + ["rate"], rows)


def winback_table(current: Figures) -> Table:
    """Win-back attempts of the period by tier and outcome, with the success rate."""
    rows: List[List[Any]] = []
    for tier in (*TIERS, None):
        groups = [g for g in current.winback if tier is None or g.tier == tier]
        by_outcome = {o: _sum(g.count for g in groups if g.outcome == o)
                      for o in WINBACK_OUTCOME_LABELS}
        decided = _sum(n for o, n in by_outcome.items() if o is not None)
        won = _sum(by_outcome[o] for o in rules.WINBACK_SUCCESS)
        rows.append([TIER_LABELS[tier] if tier else "合计", _sum(by_outcome.values()),
                     *by_outcome.values(), rules.ratio(won, decided)])
    return Table("winback_success", "挽回尝试按客户等级", KPIS["winback_success"].definition,
                 ["客户等级", "尝试", *WINBACK_OUTCOME_LABELS.values(), "成功率"],
                 ["count"] * (1 + len(WINBACK_OUTCOME_LABELS)) + ["rate"], rows)


def risk_table(current: Figures, previous: Figures) -> Table:
    """Open risk flags by level now, and raised in this and the earlier period."""
    rows: List[List[Any]] = [[LEVEL_LABELS[lv] + "风险", current.risk.open_now.get(lv, 0),
                              current.risk.raised.get(lv, 0), previous.risk.raised.get(lv, 0)]
                             for lv in reversed(LEVELS)]
    return Table("at_risk", "风险客户按等级", KPIS["at_risk"].definition,
                 ["风险等级", "当前未处理", "本期新增", "上期新增"], ["count"] * 3, rows)


def handoff_table(current: Figures, previous: Figures) -> Table:
    """Where the period's handoffs stand now, against the period before."""
    names = (("total", "转人工合计"), ("waiting", HANDOFF_STATUS_LABELS["waiting"]),
             ("assigned", HANDOFF_STATUS_LABELS["assigned"]), ("handed_back", "已交还机器人"),
             ("closed_by_person", "客服直接结束"), ("expired", "无人接入（已登记回电）"))
    rows: List[List[Any]] = []
    for attr, label in names:
        this, last = getattr(current.handoffs, attr), getattr(previous.handoffs, attr)
        rows.append([label, this, last, this - last])
    return Table("handoffs", "转人工去向", KPIS["handoffs"].definition, ["", *COMPARED],
                 ["count", "count", "delta"], rows)


def csat_table(current: Figures, previous: Figures) -> Table:
    """Satisfaction by source: questions, answers, response rate, CSAT, last period's CSAT."""
    def figures_of(f: Figures, source: str) -> Tuple[int, int, int, int]:
        sent = f.surveys.handback_sent if source == "handback" else f.surveys.follow_up_sent
        got = (f.surveys.handback_answered if source == "handback"
               else f.surveys.follow_up_answered)
        days = [c for c in f.csat if c.source == source]
        return sent, got, _sum(c.answers for c in days), _sum(c.good for c in days)

    rows: List[List[Any]] = []
    for source in CSAT_SOURCES:
        sent, got, answers, good = figures_of(current, source)
        _, _, answers_before, good_before = figures_of(previous, source)
        rows.append([CSAT_SOURCE_LABELS[source], sent, got, rules.ratio(got, sent), answers,
                     rules.ratio(good, answers), rules.ratio(good_before, answers_before)])
    return Table("csat", "满意度按来源",
                 f"{KPIS['csat'].definition}{KPIS['csat_response_rate'].label}："
                 f"{KPIS['csat_response_rate'].definition}",
                 ["来源", "本期发出的询问", "其中已回答", "回复率", "本期收到的回答", "满意率", "上期满意率"],
                 ["count", "count", "rate", "count", "rate", "rate"], rows)


def tables(current: Figures, previous: Figures) -> Dict[str, Any]:
    """Every breakdown table of the page by name."""
    return {"handoffs": handoff_table(current, previous), "csat": csat_table(current, previous),
            "complaints": complaint_tables(current, previous), "remedies": remedy_table(current),
            "winback": winback_table(current), "risk": risk_table(current, previous)}


def period_text(period: Period) -> str:
    """The period in words, saying when a day is counted only up to a time:
    "2026-11-17 至 2026-11-23（北京时间，11-23 截至 15:00）"."""
    cut = period.end.astimezone(BEIJING)
    until = "" if period.end >= rules.day_start(period.last_day + timedelta(days=1)) else (
        f"，{period.last_day:%m-%d} 截至 {cut:%H:%M}")
    return f"{period.label}（北京时间{until}）"


DAILY_COLUMNS = (("conversations", "会话数", "conversations"),
                 ("handed_off", "转人工会话", "handoff_rate"), ("csat", "满意率", "csat"),
                 ("csat_answers", "满意度回答", "csat_answers"), ("complaints", "投诉数", "complaints"))


def daily_columns() -> List[Dict[str, str]]:
    """The per-day table's columns: key, heading and the definition behind it."""
    return [{"key": key, "label": label, "definition": KPIS[kpi].definition}
            for key, label, kpi in DAILY_COLUMNS]


def daily_rows(current: Figures, previous: Figures) -> List[Dict[str, str]]:
    """The per-day table under the trend charts, as text."""
    d = daily(current, previous)
    now = d["now"]
    return [{"day": day.isoformat(), "conversations": fmt_count(now["conversations"][i]),
             "handed_off": fmt_count(now["handed_off"][i]), "csat": fmt_rate(now["csat"][i]),
             "csat_answers": fmt_count(now["csat_answers"][i]),
             "complaints": fmt_count(now["complaints"][i])}
            for i, day in enumerate(d["days"])]


def _short(day: date) -> str:
    return day.strftime("%m-%d")


def _series_by_day(period: Period, values: Dict[date, Optional[float]]) -> List[Optional[float]]:
    return [values.get(day) for day in period.days]


def _peak(labels: Sequence[str], values: Sequence[Optional[float]], fmt: Any) -> str:
    known = [(v, label) for label, v in zip(labels, values) if v is not None]
    if not known:
        return "没有数据"
    value, label = max(known, key=lambda pair: pair[0])
    return f"最高为 {label} 的 {fmt(value)}"


@dataclass(frozen=True)
class Chart:
    """A chart with its heading and the KPI whose definition applies, or a "no data" note
    instead of the drawing."""

    key: str
    heading: str
    svg: Optional[Markup]
    kpi: str

    @property
    def definition(self) -> str:
        """The definition of what the chart draws."""
        return KPIS[self.kpi].definition


def daily(current: Figures, previous: Figures) -> Dict[str, Any]:
    """The per-day series of both periods, aligned by day (day i of this period against day i
    of the one before)."""
    def by_day(f: Figures) -> Dict[str, Dict[date, Optional[float]]]:
        csat: Dict[date, List[int]] = {}
        for c in f.csat:
            answers, good = csat.get(c.day, [0, 0])
            csat[c.day] = [answers + c.answers, good + c.good]
        return {
            "conversations": {d.day: d.conversations for d in f.days},
            "handed_off": {d.day: d.handed_off for d in f.days},
            "csat": {day: rules.ratio(good, answers) for day, (answers, good) in csat.items()},
            "csat_answers": {day: answers for day, (answers, _) in csat.items()},
            "complaints": dict(f.complaint_days),
        }

    now, before = by_day(current), by_day(previous)
    counts = ("conversations", "handed_off", "complaints", "csat_answers")
    series = {key: [v if v is not None else (0 if key in counts else None)
                    for v in _series_by_day(current.period, now[key])] for key in now}
    earlier = {key: [v if v is not None else (0 if key in counts else None)
                     for v in _series_by_day(previous.period, before[key])] for key in before}
    return {"days": current.period.days, "labels": [_short(d) for d in current.period.days],
            "now": series, "before": earlier}


def trend_charts(current: Figures, previous: Figures) -> List[Chart]:
    """Trend lines: conversations and handoffs, CSAT, complaints per day (the earlier period
    dashed)."""
    d = daily(current, previous)
    labels, now, before = d["labels"], d["now"], d["before"]
    span = current.period.label
    charts_: List[Chart] = []
    has_conversations = any(now["conversations"]) or any(before["conversations"])
    charts_.append(Chart("trend-conversations", "每日会话与转人工", charts.line_chart(
        "trend-conversations", f"每日会话数与转人工会话数（{span}）",
        f"会话数合计 {sum(now['conversations']):,}，{_peak(labels, now['conversations'], fmt_count)}；"
        f"转人工会话合计 {sum(now['handed_off']):,}；上期会话数合计 {sum(before['conversations']):,}。",
        labels, [charts.Series("会话数", now["conversations"], charts.PALETTE[0]),
                 charts.Series("转人工会话", now["handed_off"], charts.PALETTE[3]),
                 charts.Series("上期会话数", before["conversations"], charts.PREVIOUS, True)],
        fmt_count) if has_conversations else None, "handoff_rate"))
    has_csat = any(v is not None for v in now["csat"] + before["csat"])
    charts_.append(Chart("trend-csat", "每日满意率", charts.line_chart(
        "trend-csat", f"每日满意率（4–5 分占比，{span}）",
        f"共 {sum(now['csat_answers']):,} 个回答，{_peak(labels, now['csat'], fmt_rate)}；"
        f"没有回答的日子不画点。",
        labels, [charts.Series("满意率", now["csat"], charts.PALETTE[1]),
                 charts.Series("上期满意率", before["csat"], charts.PREVIOUS, True)],
        lambda v: f"{v * 100:.0f}%", percent=True) if has_csat else None, "csat"))
    has_complaints = any(now["complaints"]) or any(before["complaints"])
    charts_.append(Chart("trend-complaints", "每日投诉数", charts.line_chart(
        "trend-complaints", f"每日投诉数（{span}）",
        f"投诉合计 {sum(now['complaints']):,}，{_peak(labels, now['complaints'], fmt_count)}；"
        f"上期合计 {sum(before['complaints']):,}。",
        labels, [charts.Series("投诉数", now["complaints"], charts.PALETTE[2]),
                 charts.Series("上期投诉数", before["complaints"], charts.PREVIOUS, True)],
        fmt_count) if has_complaints else None, "complaints"))
    return charts_


WINBACK_COLOURS = ("#0e8a6a", "#1664ff", "#d25f00", "#cb2634", "#6b7785")


def breakdown_charts(current: Figures) -> List[Chart]:
    """Bars: complaints by category, win-back outcomes by tier, open risk flags by level."""
    by_category = _counts_by(current.complaints, "category")
    rows = sorted(((CATEGORY_LABELS.get(c, c), float(n)) for c, n in by_category.items() if n),
                  key=lambda row: -row[1])
    category = charts.bar_chart(
        "bars-category", "投诉按类别（本期）",
        "；".join(f"{label} {int(n)} 件" for label, n in rows),
        rows, fmt_count) if rows else None
    tiers = []
    for tier in TIERS:
        counts = [float(_sum(g.count for g in current.winback if g.tier == tier and g.outcome == o))
                  for o in WINBACK_OUTCOME_LABELS]
        if sum(counts):
            tiers.append((TIER_LABELS[tier], counts))
    winback = charts.stacked_bar_chart(
        "bars-winback", "挽回结果按客户等级（本期）",
        "；".join(f"{label}：" + "，".join(f"{name} {int(n)}" for name, n in
                                           zip(WINBACK_OUTCOME_LABELS.values(), counts) if n)
                 for label, counts in tiers),
        tiers, list(zip(WINBACK_OUTCOME_LABELS.values(), WINBACK_COLOURS)),
        fmt_count) if tiers else None
    levels = [(LEVEL_LABELS[lv] + "风险", float(current.risk.open_now.get(lv, 0)))
              for lv in reversed(LEVELS)]
    risk = charts.bar_chart(
        "bars-risk", "未处理的风险客户按等级（当前）",
        "；".join(f"{label} {int(n)} 位" for label, n in levels),
        levels, fmt_count, charts.PALETTE[3]) if any(n for _, n in levels) else None
    return [Chart("bars-category", "投诉按类别", category, "complaints"),
            Chart("bars-winback", "挽回结果按客户等级", winback, "winback_success"),
            Chart("bars-risk", "风险客户按等级", risk, "at_risk")]


def definitions() -> List[rules.Kpi]:
    """Every KPI with its definition, in the page's order."""
    return list(rules.KPI_LIST)


EXPORT_HEADER = ["板块", "指标", "单位", "本期", "上期", "变化", "口径说明"]


def _export_number(value: Optional[float], unit: str) -> Optional[float]:
    """A figure as an export cell in its unit: shares in %, durations in whole seconds, money
    in yuan (two decimals)."""
    if value is None:
        return None
    if unit == "rate":
        return round(value * 100, 1)
    if unit == "seconds":
        return int(round(value))
    if unit == "yuan":
        return round(value, 2)
    return int(value)


def _export_change(now: Optional[float], before: Optional[float], unit: str) -> Optional[float]:
    change = rules.compare(now, before, unit, None)
    if change is None:
        return None
    return round(change.delta, 1) if unit in ("rate", "yuan") else int(round(change.delta))


def _export_cell(value: Any, unit: str) -> Any:
    if unit == "delta":
        return value
    return _export_number(value, unit)


def export_rows(current: Figures, previous: Figures) -> List[List[Any]]:
    """The KPI tables of the period as rows under EXPORT_HEADER: the periods, every headline
    figure with the one before and the change, the breakdowns, and the per-day series."""
    now, before = headline(current), headline(previous)
    rows: List[List[Any]] = [["统计时段", "北京时间", "", current.period.label,
                              previous.period.label, None, "上期为紧接在前、长度相同的时段"]]
    for title, keys in CARD_GROUPS:
        for key in keys:
            kpi = KPIS[key]
            parts = ([(f"{kpi.label}（中位数）", f"{key}.p50"), (f"{kpi.label}（P90）", f"{key}.p90")]
                     if key in rules.DURATION_KEYS else [(kpi.label, key)])
            for label, value_key in parts:
                earlier = None if kpi.snapshot else before[value_key]
                rows.append([title, label, UNIT_LABELS[kpi.unit],
                             _export_number(now[value_key], kpi.unit),
                             _export_number(earlier, kpi.unit),
                             _export_change(now[value_key], earlier, kpi.unit), kpi.definition])
    page_tables = tables(current, previous)
    for table in (page_tables["handoffs"], *page_tables["complaints"], page_tables["remedies"],
                  page_tables["winback"], page_tables["risk"], page_tables["csat"]):
        if table.header[1:] == COMPARED:
            for label, this, last, delta in table.rows:
                rows.append([table.caption, label, UNIT_LABELS["count"], this, last, delta,
                             table.definition])
            continue
        for row in table.rows:
            for column, value, unit in zip(table.header[1:], row[1:], table.units):
                rows.append([table.caption, f"{row[0]} · {column}", UNIT_LABELS[unit],
                             _export_cell(value, unit), None, None, table.definition])
    d = daily(current, previous)
    for key, name, unit in (("conversations", "会话数", "count"),
                            ("handed_off", "转人工会话", "count"),
                            ("csat", "满意率", "rate"), ("complaints", "投诉数", "count")):
        for day, value, earlier in zip(d["days"], d["now"][key], d["before"][key]):
            rows.append([f"每日：{name}", day.isoformat(), UNIT_LABELS[unit],
                         _export_number(value, unit), _export_number(earlier, unit),
                         _export_change(value, earlier, unit),
                         "上期列为上一时段中位置相同的那一天"])
    return rows
