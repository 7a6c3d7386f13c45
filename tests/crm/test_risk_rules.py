"""Unit tests of the churn-risk rules and the risk policy file."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crm_backend.core.config import POLICY_DIR
from crm_backend.core.policy_files import PolicyError
from crm_backend.risk.policy import RiskPolicy, load_risk_policy, parse_risk_policy
from crm_backend.risk.rules import RiskFacts, assess, level_for, silence_after_regular_buying

P = RiskPolicy()
NOW = datetime(2026, 11, 20, 4, tzinfo=timezone.utc)


def test_packaged_policy_matches_documented_defaults() -> None:
    assert load_risk_policy(POLICY_DIR / "risk.toml") == P


@pytest.mark.parametrize("score, level", [
    (0, None), (19, None), (20, "low"), (39, "low"), (40, "medium"), (69, "medium"),
    (70, "high"), (500, "high"),
])
def test_levels(score, level) -> None:
    assert level_for(score, P) == level


def test_no_facts_no_risk() -> None:
    result = assess(RiskFacts(), P)
    assert (result.score, result.level, result.reasons) == (0, None, [])


@pytest.mark.parametrize("count, score, level", [
    (1, 10, None), (2, 20, "low"), (3, 60, "medium"), (4, 70, "high"),
])
def test_repeated_complaints(count, score, level) -> None:
    result = assess(RiskFacts(complaints=count), P)
    assert (result.score, result.level) == (score, level)
    assert result.reasons == [f"30天内投诉{count}次"]


@pytest.mark.parametrize("answer, score, reason", [
    (1, 35, "满意度1分"), (2, 35, "满意度2分"), (3, 15, "满意度3分"), (4, 0, None), (5, 0, None),
])
def test_satisfaction(answer, score, reason) -> None:
    result = assess(RiskFacts(lowest_satisfaction=answer), P)
    assert result.score == score
    assert result.reasons == ([reason] if reason else [])


def test_low_satisfaction_signal_without_an_answer() -> None:
    result = assess(RiskFacts(low_satisfaction_signals=1), P)
    assert result.score == 35 and result.reasons == ["满意度评价偏低"]


def test_churn_language_quotes_the_latest_words_and_is_capped() -> None:
    one = assess(RiskFacts(churn_details=("再也不买了",)), P)
    assert (one.score, one.level) == (50, "medium")
    assert one.reasons == ["表达流失意向1次（“再也不买了”）"]
    three = assess(RiskFacts(churn_details=("a", "b", "换别家")), P)
    assert three.score == 60 and three.reasons[0].endswith("（“换别家”）")


def test_negative_emotion_is_capped() -> None:
    assert assess(RiskFacts(negative_emotions=1), P).score == 15
    assert assess(RiskFacts(negative_emotions=5), P).score == 30


def test_reasons_combine_most_serious_first() -> None:
    facts = RiskFacts(complaints=3, lowest_satisfaction=2, negative_emotions=1,
                      inactivity="曾规律购买（近一年5单），已95天未下单")
    result = assess(facts, P)
    assert result.score == 60 + 35 + 15 + 25 and result.level == "high"
    assert result.reasons[:2] == ["30天内投诉3次", "满意度2分"]
    assert "；".join(result.reasons).startswith("30天内投诉3次；满意度2分")


def test_weights_come_from_policy() -> None:
    strict = RiskPolicy(complaint=50, window_days=7)
    result = assess(RiskFacts(complaints=1), strict)
    assert result.score == 50 and result.reasons == ["7天内投诉1次"]


def _monthly(n: int, last_days_ago: int) -> list:
    return [NOW - timedelta(days=last_days_ago + 30 * i) for i in range(n)]


@pytest.mark.parametrize("times, expected_days", [
    (_monthly(5, 95), 95),
    (_monthly(5, 59), None),
    (_monthly(5, 85), None),
    (_monthly(2, 200), None),
    ([], None),
    ([NOW - timedelta(days=d) for d in (70, 75, 80)], 70),
    ([NOW - timedelta(days=d) for d in (100, 160, 220)], None),
])
def test_silence_after_regular_buying(times, expected_days) -> None:
    reason = silence_after_regular_buying(times, NOW, P)
    if expected_days is None:
        assert reason is None
    else:
        assert reason is not None and f"已{expected_days}天未下单" in reason


def test_bad_policy_files_are_refused() -> None:
    good = {"window_days": 30, "levels": {"low": 50, "medium": 40, "high": 70},
            "scan": {"raise_at": 20}, "weights": {}, "complaints": {"repeated_at": 3},
            "inactivity": {}}
    with pytest.raises(PolicyError):
        parse_risk_policy(good)
    with pytest.raises(PolicyError):
        parse_risk_policy({"window_days": 30})
