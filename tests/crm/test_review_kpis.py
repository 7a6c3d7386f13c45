"""The overview's KPIs on a constructed history (tests/crm/review_support.py), on SQLite and
PostgreSQL, against figures worked out by hand from the rows; and on an empty database.

Worked out from the rows (7 days: 12-04 00:00 – 12-10 15:00 Beijing):
- conversations (conversation × Beijing day with a customer message): 12-05 w1 w2, 12-06 w1 w3
  (w3 wrote at 07:30 Beijing, still 12-05 in UTC), 12-07 w4, 12-08 w5, 12-09 w6 w7, 12-10 w6
  = 9; handed off that day: w1, w2 (12-05), w4, w5, w6 (12-09) = 5; a person took part: those
  5 and w6 on 12-10 (an agent's message, no new handoff) = 6; the bot alone: 3.
- handoffs h1 h2 (w1, the second after the hand back), h3 (w2, expired), h4, h5 (waiting), h6:
  first response h1 120 s, h2 60 s, h4 900 s, h6 60 s → sorted 60 60 120 900: median (2nd) 60,
  P90 (4th) 900; wait h1 60, h2 60, h4 300, h6 30 → 30 60 60 300: 60, 300; agent phase h1 600,
  h2 1200, h4 1800: 1200, 1800; whole conversation from w1's first message of 12-05 (10:00:00)
  h1 670, h2 2430, and h4 from 14:00:00 1830 → 670 1830 2430: 1830, 2430.
- CSAT answers: h1's 5, follow-ups K1 2, K2 4, K3 3, K1 1 → 2 of 5 are 4–5 = 40 %; questions
  sent: hand backs h1, h4 (h4 never answered) and complaint follow-ups K1–K4 (K4 unanswered; the
  win-back follow-up is not a satisfaction question) = 6, answered 4.
- complaints K1–K7 (K1 at 00:30 Beijing on 12-04 is 12-03 in UTC); remedies proposed K1–K6,
  accepted K1–K4 → 4/6; reopened by a follow-up: K1 (twice) = 1.
- remedy cost: K1's refund ¥50 (K2's was rejected; a cancellation's refund is no remedy), K3's
  coupon ¥20 (a win-back coupon is not), K4's 300 points (an agent's goodwill points are not).
- win-back: key stayed, ordinary accepted + left, small declined + none yet → 2 of 4 decided.
- risk flags open now: high 2, medium 1; raised in the period: high 1, medium 1 (resolved).
The period before (11-27 00:00 – 12-03 15:00): p1 handed off (FRT 120 s, back with a 4), p2 the
bot alone, complaint P1 at 14:00 on 12-03 (X1 at 23:30 is after the cut: in neither period).
"""

from __future__ import annotations

from datetime import date
from typing import Iterator

import pytest

from crm_backend.core.db import create_engine, create_read_sessionmaker
from crm_backend.review import rules, store, views
from crm_backend.review.store import ConversationDay, Figures

from .review_support import NOW, bj, review_database


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def history_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[str]:
    """A fresh database holding the constructed history."""
    yield from review_database(request.param, lambda: tmp_path_factory.mktemp("review"), True)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[str]:
    """A fresh migrated database with nothing in it."""
    yield from review_database(request.param, lambda: tmp_path_factory.mktemp("review0"), False)


async def _figures(url: str, period: rules.Period) -> Figures:
    engine = create_engine(url)
    try:
        async with create_read_sessionmaker(engine)() as db:
            return await store.figures(db, period)
    finally:
        await engine.dispose()


def _period(key: str = "7d", start: str = "", end: str = "") -> rules.Period:
    period, note = rules.period_for(key, start, end, NOW)
    assert note is None
    return period


async def test_conversations_by_beijing_day_with_handoffs_once_per_conversation(
        history_url: str) -> None:
    f = await _figures(history_url, _period())
    assert f.days == [ConversationDay(date(2026, 12, 5), 2, 2, 2),
                      ConversationDay(date(2026, 12, 6), 2, 0, 0),
                      ConversationDay(date(2026, 12, 7), 1, 1, 1),
                      ConversationDay(date(2026, 12, 8), 1, 1, 1),
                      ConversationDay(date(2026, 12, 9), 2, 1, 1),
                      ConversationDay(date(2026, 12, 10), 1, 0, 1)]
    figures = views.headline(f)
    assert figures["conversations"] == 9
    assert figures["handoff_rate"] == pytest.approx(5 / 9)
    assert figures["bot_alone"] == pytest.approx(3 / 9)


async def test_handoffs_counted_by_where_they_stand_and_the_expired_one_apart(
        history_url: str) -> None:
    f = await _figures(history_url, _period())
    assert f.handoffs == store.HandoffCounts(total=6, waiting=1, assigned=1, handed_back=2,
                                             closed_by_person=1, expired=1, answered=4)


async def test_agent_phase_and_whole_conversation_times(history_url: str) -> None:
    spreads = (await _figures(history_url, _period())).spreads
    assert spreads["first_response"] == store.Spread(4, 60, 900)
    assert spreads["wait"] == store.Spread(4, 60, 300)
    assert spreads["resolution_agent"] == store.Spread(3, 1200, 1800)
    assert spreads["resolution_whole"] == store.Spread(3, 1830, 2430)


async def test_one_day_holds_the_reopened_conversation(history_url: str) -> None:
    f = await _figures(history_url, _period("custom", "2026-12-05", "2026-12-05"))
    assert f.handoffs.total == 3 and f.handoffs.expired == 1
    assert f.spreads["first_response"] == store.Spread(2, 60, 120)
    assert f.spreads["resolution_agent"] == store.Spread(2, 600, 1200)
    assert f.spreads["resolution_whole"] == store.Spread(2, 670, 2430)


async def test_csat_share_response_rate_and_trend(history_url: str) -> None:
    f = await _figures(history_url, _period())
    figures = views.headline(f)
    assert figures["csat_answers"] == 5
    assert figures["csat"] == pytest.approx(2 / 5)
    assert f.surveys == store.Surveys(handback_sent=2, handback_answered=1, follow_up_sent=4,
                                      follow_up_answered=3)
    assert figures["csat_response_rate"] == pytest.approx(4 / 6)
    trend = views.daily(f, await _figures(history_url, _period().previous()))["now"]["csat"]
    assert trend == [None, 1.0, None, None, 0.0, 0.5, 0.0]


async def test_complaints_by_category_severity_and_tier(history_url: str) -> None:
    f = await _figures(history_url, _period())
    assert views.headline(f)["complaints"] == 7
    counts = {attr: views._counts_by(f.complaints, attr)
              for attr in ("category", "severity", "tier")}
    assert counts["category"] == {"product_quality": 1, "delivery": 2, "price": 1,
                                  "service_attitude": 1, "other": 1, "wrong_or_missing": 1}
    assert counts["severity"] == {"high": 2, "medium": 2, "low": 3}
    assert counts["tier"] == {"key": 2, "ordinary": 2, "small": 3}
    assert f.complaint_days == {date(2026, 12, d): 1 for d in range(4, 11)}


async def test_remedies_acceptance_and_cost_from_the_records_they_created(history_url: str
                                                                          ) -> None:
    f = await _figures(history_url, _period())
    figures = views.headline(f)
    assert figures["remedy_acceptance"] == pytest.approx(4 / 6)
    assert f.remedy_cost == store.RemedyCost(refunds=1, refund_fen=5000, coupons=1,
                                             coupon_fen=2000, point_grants=1, points=300)
    assert (figures["refund_yuan"], figures["coupon_yuan"], figures["points"]) == (50, 20, 300)
    remedies = views.remedy_table(f).rows
    assert remedies[-1] == ["合计", 7, 6, 4, 1, 1, pytest.approx(4 / 6)]
    assert remedies[0] == ["关键客户", 2, 1, 1, 0, 0, 1.0]


async def test_complaints_reopened_after_follow_up_counted_once(history_url: str) -> None:
    f = await _figures(history_url, _period())
    assert f.follow_ups == store.FollowUpAnswers(answers=4, reopened=1)


async def test_winback_outcomes_by_tier_and_risk_levels(history_url: str) -> None:
    f = await _figures(history_url, _period())
    assert set(f.winback) == {
        store.WinBackGroup("key", "stayed", 1), store.WinBackGroup("ordinary", "accepted", 1),
        store.WinBackGroup("ordinary", "left", 1), store.WinBackGroup("small", "declined", 1),
        store.WinBackGroup("small", None, 1)}
    figures = views.headline(f)
    assert figures["winback_attempts"] == 5
    assert figures["winback_success"] == pytest.approx(2 / 4)
    assert views.winback_table(f).rows[-1] == ["合计", 5, 1, 1, 1, 1, 1, pytest.approx(0.5)]
    assert f.risk == store.RiskLevels({"high": 2, "medium": 1}, {"high": 1, "medium": 1})
    assert figures["at_risk"] == 3


async def test_the_period_before_and_the_change(history_url: str) -> None:
    period = _period()
    current, previous = await _figures(history_url, period), await _figures(
        history_url, period.previous())
    assert (previous.period.start, previous.period.end) == (bj(11, 27, 0), bj(12, 3, 15))
    before = views.headline(previous)
    assert before["conversations"] == 2
    assert before["handoff_rate"] == pytest.approx(0.5)
    assert before["first_response.p50"] == 120 and before["resolution_whole.p50"] == 720
    assert before["csat"] == 1.0 and before["csat_response_rate"] == 1.0
    assert before["complaints"] == 1
    assert before["remedy_acceptance"] is None
    assert before["winback_success"] == 1.0
    assert previous.risk.raised == {"high": 0, "medium": 1}
    cards = {card.key: card for _, group in views.cards(current, previous) for card in group}
    assert cards["conversations"].lines[0].change == "较上期 ▲ 7（+350.0%）"
    assert cards["handoff_rate"].lines[0].change == "较上期 ▲ 5.6 个百分点"
    assert cards["handoff_rate"].lines[0].tone == "bad"
    assert (cards["first_response"].lines[0].change, cards["first_response"].lines[0].tone) == (
        "较上期 ▼ 1 分（-50.0%）", "good")
    assert cards["csat"].lines[0].change == "较上期 ▼ 60.0 个百分点"
    assert cards["remedy_acceptance"].lines[0].change == ""
    assert cards["at_risk"].lines[0].previous == ""


async def test_today_compares_with_yesterday_up_to_the_same_time(history_url: str) -> None:
    period = _period("today")
    current, previous = await _figures(history_url, period), await _figures(
        history_url, period.previous())
    now, before = views.headline(current), views.headline(previous)
    assert (now["conversations"], now["bot_alone"], now["handoffs"]) == (1, 0.0, 0)
    assert (now["csat_answers"], now["csat"], now["complaints"]) == (1, 0.0, 1)
    assert current.surveys == store.Surveys(follow_up_sent=1, follow_up_answered=0)
    assert (before["conversations"], before["bot_alone"]) == (0, None)
    assert (before["csat_answers"], before["csat"], before["complaints"]) == (2, 0.5, 1)
    assert previous.surveys == store.Surveys(follow_up_sent=2, follow_up_answered=2)
    assert before["winback_attempts"] == 1


async def test_export_rows_hold_the_headline_figures(history_url: str) -> None:
    period = _period()
    rows = views.export_rows(await _figures(history_url, period),
                             await _figures(history_url, period.previous()))
    by_name = {(row[0], row[1]): row[2:6] for row in rows}
    assert by_name[("会话与转人工", "会话数")] == ["个", 9, 2, 7]
    assert by_name[("会话与转人工", "转人工率")] == ["%", 55.6, 50.0, 5.6]
    assert by_name[("人工阶段时长（中位数 / P90）", "会话解决时长（P90）")] == ["秒", 2430, 720, 1710]
    assert by_name[("投诉与补偿", "方案退款金额")] == ["元", 50.0, 0.0, 50.0]
    assert by_name[("投诉按类别", "物流延误/破损")] == ["个", 2, 0, 2]
    assert by_name[("每日：会话数", "2026-12-05")] == ["个", 2, 1, 1]


async def test_no_data_gives_zero_counts_and_unknown_shares(empty_url: str) -> None:
    period = _period()
    current, previous = await _figures(empty_url, period), await _figures(
        empty_url, period.previous())
    figures = views.headline(current)
    assert figures["conversations"] == 0 and figures["handoffs"] == 0
    for key in ("bot_alone", "handoff_rate", "csat", "csat_response_rate", "remedy_acceptance",
                "winback_success", "first_response.p50", "resolution_whole.p90"):
        assert figures[key] is None, key
    cards = {card.key: card for _, group in views.cards(current, previous) for card in group}
    assert cards["csat"].lines[0].value == "—" and cards["csat"].lines[0].change == ""
    assert cards["conversations"].lines[0].change == "与上期持平"
    assert all(chart.svg is None for chart in views.trend_charts(current, previous))
    assert all(chart.svg is None for chart in views.breakdown_charts(current))
    assert views.complaint_tables(current, previous)[0].rows == []
    assert any(row[3] is None for row in views.export_rows(current, previous))
