"""The overview's pure rules: periods and the one before, nearest-rank percentiles, shares and
changes, the KPI definitions, the figures' wording, and the SVG charts."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from itertools import product

import pytest
from defusedxml import ElementTree

from crm_backend.complaints.rules import satisfied
from crm_backend.core.time import BEIJING
from crm_backend.review import charts, rules, views

NOW = datetime(2026, 12, 10, 15, 0, tzinfo=BEIJING)
SVG = "{http://www.w3.org/2000/svg}"


def test_seven_days_end_today_up_to_now_and_the_period_before_is_cut_alike() -> None:
    period, note = rules.period_for("7d", "", "", NOW)
    assert note is None
    assert (period.first_day, period.last_day) == (date(2026, 12, 4), date(2026, 12, 10))
    assert period.start == datetime(2026, 12, 3, 16, 0, tzinfo=timezone.utc)
    assert period.end == NOW
    assert period.length_days == 7 and len(period.days) == 7
    before = period.previous()
    assert (before.first_day, before.last_day) == (date(2026, 11, 27), date(2026, 12, 3))
    assert before.start == datetime(2026, 11, 27, 0, 0, tzinfo=BEIJING)
    assert before.end == datetime(2026, 12, 3, 15, 0, tzinfo=BEIJING)


def test_today_and_thirty_days() -> None:
    today, _ = rules.period_for("today", "", "", NOW)
    assert (today.first_day, today.last_day, today.length_days) == (
        date(2026, 12, 10), date(2026, 12, 10), 1)
    assert today.previous().end == datetime(2026, 12, 9, 15, 0, tzinfo=BEIJING)
    month, _ = rules.period_for("30d", "", "", NOW)
    assert month.first_day == date(2026, 11, 11) and month.length_days == 30


def test_a_beijing_day_starts_at_16_utc_the_day_before() -> None:
    late = datetime(2026, 12, 9, 16, 30, tzinfo=timezone.utc)  # 00:30 on 12-10 in Beijing
    today, _ = rules.period_for("today", "", "", late)
    assert today.first_day == date(2026, 12, 10)
    assert today.start == datetime(2026, 12, 9, 16, 0, tzinfo=timezone.utc)


def test_a_custom_period_in_the_past_is_whole_days() -> None:
    period, note = rules.period_for("custom", "2026-11-01", "2026-11-30", NOW)
    assert note is None
    assert period.end == datetime(2026, 12, 1, 0, 0, tzinfo=BEIJING)
    assert period.previous().first_day == date(2026, 10, 2)
    assert period.label == "2026-11-01 至 2026-11-30"


@pytest.mark.parametrize("start, end, says", [
    ("", "", "请填写开始和结束日期"),
    ("2026-13-01", "2026-12-01", "请填写开始和结束日期"),
    ("2026-12-05", "2026-12-01", "开始日期不能晚于结束日期"),
    ("2026-12-01", "2026-12-11", "结束日期不能晚于今天"),
    ("2025-01-01", "2026-12-01", "最长 92 天"),
    ("2026-08-30", "2026-11-30", "最长 92 天"),
])
def test_a_custom_period_that_cannot_be_shown_falls_back_to_seven_days(start: str, end: str,
                                                                        says: str) -> None:
    period, note = rules.period_for("custom", start, end, NOW)
    assert period.key == "7d" and note is not None and says in note and "近 7 天" in note


def test_an_unknown_period_name_is_said_and_the_default_shown() -> None:
    period, note = rules.period_for("year", "", "", NOW)
    assert period.key == "7d" and "year" in note


@pytest.mark.parametrize("count, percent, offset", [
    (0, 50, None), (1, 50, 0), (1, 90, 0), (2, 50, 0), (2, 90, 1), (4, 50, 1), (4, 90, 3),
    (10, 50, 4), (10, 90, 8), (11, 50, 5), (11, 90, 9), (100, 90, 89)])
def test_nearest_rank_offsets(count: int, percent: int, offset: int) -> None:
    assert rules.percentile_offset(count, percent) == offset


def test_nearest_rank_picks_a_real_value() -> None:
    values = sorted([30, 60, 60, 300])
    assert values[rules.percentile_offset(4, 50)] == 60
    assert values[rules.percentile_offset(4, 90)] == 300


def test_a_share_of_nothing_is_unknown_not_zero() -> None:
    assert rules.ratio(0, 0) is None
    assert rules.ratio(3, 4) == 0.75


def test_changes_rates_in_points_counts_relative_and_judged_by_direction() -> None:
    rate = rules.compare(0.55, 0.5, "rate", "down")
    assert rate.delta == pytest.approx(5.0) and rate.relative is None and rate.tone == "bad"
    count = rules.compare(9, 2, "count", None)
    assert (count.delta, count.relative, count.tone) == (7, 3.5, "neutral")
    assert rules.compare(60, 120, "seconds", "down").tone == "good"
    assert rules.compare(3, 0, "count", "up").relative is None
    assert rules.compare(None, 1, "count", None) is None
    assert rules.compare(1, None, "count", None) is None
    assert rules.compare(0.4, 0.4, "rate", "up").tone == "neutral"


def test_a_follow_up_answer_reopens_exactly_when_the_complaint_rules_do_not_close() -> None:
    for score, resolved in product(range(1, 6), (True, False)):
        assert rules.follow_up_reopens(score, resolved) == (not satisfied(score, resolved))
    assert rules.follow_up_reopens(5, None)


def test_every_figure_on_the_page_has_one_chinese_definition() -> None:
    assert len(rules.KPIS) == len(rules.KPI_LIST)
    shown = [key for _, keys in views.CARD_GROUPS for key in keys]
    assert len(shown) == len(set(shown)) and set(shown) == set(rules.KPIS)
    for kpi in rules.KPI_LIST:
        assert re.search(r"[\u4e00-\u9fff]", kpi.definition) and len(kpi.definition) > 20
        assert kpi.unit in views.FORMATS and kpi.better in (None, "up", "down")


@pytest.mark.parametrize("seconds, text", [
    (None, "—"), (0, "0 秒"), (45, "45 秒"), (60, "1 分"), (200, "3 分 20 秒"), (3600, "1 小时"),
    (7500, "2 小时 5 分"), (97200, "1 天 3 小时"), (59.6, "1 分")])
def test_durations_in_words(seconds: float, text: str) -> None:
    assert views.fmt_seconds(seconds) == text


def test_figures_in_words() -> None:
    assert views.fmt_rate(0.4567) == "45.7%" and views.fmt_rate(None) == "—"
    assert views.fmt_count(12345) == "12,345"
    assert views.fmt_yuan(1234.5) == "¥1,234.50"
    assert views.fmt_points(1200) == "1,200 分"
    assert views.fmt_change(rules.compare(0.4, 1.0, "rate", "up"), "rate") == "较上期 ▼ 60.0 个百分点"
    assert views.fmt_change(rules.compare(5, 0, "count", None), "count") == "较上期 ▲ 5"
    assert views.fmt_change(None, "count") == ""


def test_axis_steps_are_round_and_whole_for_counts() -> None:
    assert charts.nice_step(0, True) == 1
    assert charts.nice_step(0.3, True) == 1
    assert charts.nice_step(9.5, True) == 10
    assert charts.nice_step(2.2, True) == 5
    assert charts.nice_step(22, True) == 25
    assert charts.nice_step(0.22, False) == 0.25


def _parsed(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(str(svg))


def test_a_line_chart_is_named_described_and_breaks_where_a_day_has_no_value() -> None:
    svg = charts.line_chart("c1", "每日满意率 <测试>", "共 3 个回答 & 更多",
                            ["12-01", "12-02", "12-03", "12-04"],
                            [charts.Series("满意率", [0.5, None, 1.0, 0.75])],
                            views.fmt_rate, percent=True)
    root = _parsed(svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "每日满意率 <测试>"
    assert root.find(f"{SVG}desc").text == "共 3 个回答 & 更多"
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 2
    tips = [c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle")]
    assert tips == ["12-01 满意率：50.0%", "12-03 满意率：100.0%", "12-04 满意率：75.0%"]


def test_bars_and_stacked_bars_carry_their_values() -> None:
    bars = _parsed(charts.bar_chart("b1", "投诉按类别", "商品质量 3 件", [("商品质量", 3.0),
                                                                 ("其他", 1.0)], views.fmt_count))
    assert [r.find(f"{SVG}title").text for r in bars.iter(f"{SVG}rect")] == ["商品质量：3", "其他：1"]
    stacked = _parsed(charts.stacked_bar_chart(
        "s1", "挽回", "关键客户：留下了 1", [("关键客户", [1.0, 0.0])],
        [("留下了", "#0e8a6a"), ("已流失", "#cb2634")], views.fmt_count))
    tips = [r.find(f"{SVG}title").text for r in stacked.iter(f"{SVG}rect")
            if r.find(f"{SVG}title") is not None]
    assert tips == ["关键客户 · 留下了：1"]
