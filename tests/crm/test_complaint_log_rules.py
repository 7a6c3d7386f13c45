"""The complaint log's filter rules: parsing, the period's bounds, LIKE escaping, links, paging."""

from __future__ import annotations

from datetime import date, datetime, timezone
from urllib.parse import parse_qs

import pytest

from crm_backend.complaint_log import rules

TODAY = date(2026, 11, 23)


def test_nothing_asked_is_the_last_30_days_newest_first_page_one() -> None:
    f = rules.parse({}, TODAY)
    assert (f.start, f.end) == (date(2026, 10, 25), date(2026, 11, 23))
    assert f.sort == "newest" and f.page == 1 and f.offset == 0
    assert (f.status, f.step, f.category, f.severity, f.tier, f.channel, f.agent, f.q) == (
        None, None, None, None, None, None, None, None)


def test_empty_fields_of_the_plain_form_count_as_absent() -> None:
    form = {name: "" for name in ("status", "step", "category", "severity", "tier", "channel",
                                  "agent", "start", "end", "q", "sort", "page")}
    assert rules.parse(form, TODAY) == rules.parse({}, TODAY)
    assert rules.parse({"q": "   "}, TODAY).q is None


def test_the_period_is_beijing_days_both_included() -> None:
    f = rules.parse({"start": "2026-11-01", "end": "2026-11-02"}, TODAY)
    # 2026-11-01 00:00 Beijing is 2026-10-31 16:00 UTC; the end is 2026-11-03 00:00 Beijing.
    assert f.since == datetime(2026, 10, 31, 16, 0, tzinfo=timezone.utc)
    assert f.until == datetime(2026, 11, 2, 16, 0, tzinfo=timezone.utc)
    one_day = rules.parse({"start": "2026-11-01", "end": "2026-11-01"}, TODAY)
    assert (one_day.until - one_day.since).total_seconds() == 24 * 3600


def test_an_end_alone_is_the_30_days_up_to_it_and_a_start_alone_runs_to_today() -> None:
    assert rules.parse({"end": "2026-06-30"}, TODAY).start == date(2026, 6, 1)
    f = rules.parse({"start": "2026-11-20"}, TODAY)
    assert (f.start, f.end) == (date(2026, 11, 20), TODAY)


def test_every_filter_is_read() -> None:
    f = rules.parse({"status": "closed", "step": "remedy", "category": "delivery",
                     "severity": "high", "tier": "key", "channel": "wechat", "agent": "7",
                     "q": " 破了 ", "sort": "severity", "page": "3"}, TODAY)
    assert (f.status, f.step, f.category, f.severity, f.tier, f.channel, f.agent, f.q) == (
        "closed", 3, "delivery", "high", "key", "wechat", 7, "破了")
    assert (f.sort, f.page, f.offset) == ("severity", 3, 100)
    assert rules.parse({"step": "4"}, TODAY).step == 4


@pytest.mark.parametrize("query, expected", [
    ({"status": "lost"}, "状态“lost”不在可选范围内"),
    ({"step": "5"}, "当前步骤“5”不在可选范围内"),
    ({"category": "<b>"}, "类别“<b>”不在可选范围内"),
    ({"severity": "HIGH"}, "严重程度“HIGH”不在可选范围内"),
    ({"tier": "vip"}, "客户等级“vip”不在可选范围内"),
    ({"channel": "email"}, "渠道“email”不在可选范围内"),
    ({"agent": "abc"}, "处理人“abc”无效"),
    ({"agent": "0"}, "处理人“0”无效"),
    ({"agent": "99999999999"}, "处理人“99999999999”无效"),
    ({"start": "2026-13-01"}, "开始日期“2026-13-01”不是有效的日期"),
    ({"end": "20261101"}, "结束日期“20261101”不是有效的日期"),
    ({"start": "1899-01-01"}, "开始日期“1899-01-01”不是有效的日期"),
    ({"start": "2026-11-02", "end": "2026-11-01"}, "开始日期 2026-11-02 晚于结束日期 2026-11-01"),
    ({"q": "破" * 101}, "搜索内容太长（101 个字），最多 100 个字"),
    ({"sort": "random"}, "排序方式“random”不在可选范围内"),
    ({"page": "0"}, "页码“0”无效"),
    ({"page": "-1"}, "页码“-1”无效"),
    ({"page": "１"}, "页码“１”无效"),
])
def test_bad_parameters_say_what_is_wrong_in_chinese(query, expected) -> None:
    with pytest.raises(rules.FilterError) as caught:
        rules.parse(query, TODAY)
    assert len(caught.value.messages) == 1
    assert caught.value.messages[0].startswith(expected)


def test_every_bad_parameter_is_listed_at_once() -> None:
    with pytest.raises(rules.FilterError) as caught:
        rules.parse({"status": "x", "page": "x", "end": "x"}, TODAY)
    assert len(caught.value.messages) == 3


def test_like_pattern_keeps_percent_underscore_and_backslash_literal() -> None:
    assert rules.like_pattern("破了") == "%破了%"
    assert rules.like_pattern("50%") == "%50\\%%"
    assert rules.like_pattern("了_还") == "%了\\_还%"
    assert rules.like_pattern("a\\b") == "%a\\\\b%"


def test_links_keep_the_filter_and_the_period_but_not_the_page() -> None:
    f = rules.parse({"category": "price", "q": "贵 50%", "sort": "oldest", "page": "2",
                     "start": "2026-11-01"}, TODAY)
    assert parse_qs(f.link(page="3")) == {"category": ["price"], "q": ["贵 50%"],
                                          "sort": ["oldest"], "start": ["2026-11-01"],
                                          "end": ["2026-11-23"], "page": ["3"]}
    assert parse_qs(rules.parse({}, TODAY).link(format="csv")) == {
        "start": ["2026-10-25"], "end": ["2026-11-23"], "format": ["csv"]}
    assert rules.parse({"step": "2"}, TODAY).params()["step"] == "record"


def test_export_format() -> None:
    assert rules.export_format({}) == "csv"
    assert rules.export_format({"format": "xlsx"}) == "xlsx"
    with pytest.raises(rules.FilterError):
        rules.export_format({"format": "pdf"})


@pytest.mark.parametrize("total, pages", [(0, 1), (1, 1), (50, 1), (51, 2), (120, 3)])
def test_page_count(total, pages) -> None:
    assert rules.page_count(total) == pages


def test_slices_lay_the_buckets_end_to_end() -> None:
    counts = [("high", 40), ("medium", 40), ("low", 40)]
    assert rules.slices(counts, 0, 50) == [("high", 0, 40), ("medium", 0, 10)]
    assert rules.slices(counts, 50, 50) == [("medium", 10, 30), ("low", 0, 20)]
    assert rules.slices(counts, 100, 50) == [("low", 20, 20)]
    assert rules.slices(counts, 150, 50) == []
    assert rules.slices([("high", 0), ("medium", 3), ("low", 0)], 0, 50) == [("medium", 0, 3)]
    assert rules.slices([("a", 50), ("b", 50)], 50, 50) == [("b", 0, 50)]
