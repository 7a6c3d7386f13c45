"""The at-risk page's plain rules: the filter from the query, reason kinds as the flags word them,
the last contact, and what a manager may do with a flag."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from crm_backend.at_risk import rules
from crm_backend.at_risk.rules import AtRiskFilter, FlagFacts
from crm_backend.risk.policy import RiskPolicy
from crm_backend.risk.rules import SIGNALS, RiskFacts, assess

POLICY = RiskPolicy()
T0 = datetime(2026, 11, 20, 7, 0, tzinfo=timezone.utc)


def test_every_signal_kind_has_a_chinese_label() -> None:
    assert tuple(rules.REASON_LABELS) == SIGNALS
    assert rules.REASON_LABELS["repeated_complaints"] == "多次投诉"


def test_filter_from_a_query() -> None:
    flt, notes = rules.parse_filter({"level": "high", "tier": "key", "reason": "inactivity",
                                     "owner": "12", "page": "3"})
    assert flt == AtRiskFilter("high", "key", "inactivity", "12", 3) and notes == []
    assert flt.owner_id == 12
    flt, notes = rules.parse_filter({"owner": "none"})
    assert flt == AtRiskFilter(owner="none") and flt.owner_id is None and notes == []
    assert rules.parse_filter({}) == (AtRiskFilter(), [])
    assert rules.parse_filter({"level": " ", "page": ""}) == (AtRiskFilter(), [])


def test_unusable_filter_values_are_left_out_and_named() -> None:
    flt, notes = rules.parse_filter({"level": "extreme", "tier": "vip", "reason": "<b>",
                                     "owner": "-3", "page": "0"})
    assert flt == AtRiskFilter()
    assert notes == ["风险等级条件无法识别，已忽略", "客户等级条件无法识别，已忽略",
                     "风险原因条件无法识别，已忽略", "负责人条件无法识别，已忽略",
                     "页码条件无法识别，已忽略"]
    assert rules.parse_filter({"page": "abc"})[0].page == 1
    assert rules.parse_filter({"page": "9999999"})[0].page == 1
    assert rules.parse_filter({"owner": "1234567890"})[0].owner is None


def test_query_string_keeps_only_what_is_set() -> None:
    flt = AtRiskFilter(level="high", reason="complaint", page=2)
    assert rules.query_string(flt) == "level=high&reason=complaint&page=2"
    assert rules.query_string(flt, page=1) == "level=high&reason=complaint"
    assert rules.query_string(AtRiskFilter()) == ""
    assert rules.query_string(AtRiskFilter(owner="none", tier="small")) == "tier=small&owner=none"


def test_back_query_reads_the_filter_again() -> None:
    assert rules.back_query("level=high&page=2", "owner", 7) == "level=high&page=2&done=owner&flag=7"
    assert rules.back_query("", "task", 7) == "done=task&flag=7"
    assert rules.back_query(None, "task", 7) == "done=task&flag=7"
    assert rules.back_query("level=bogus&x=<script>&next=//evil", "task", 7) == "done=task&flag=7"


def test_page_count() -> None:
    assert [rules.page_count(n) for n in (0, 1, 50, 51, 100, 101)] == [1, 1, 1, 2, 2, 3]


def test_reason_kinds_of_hand_written_reasons() -> None:
    reasons = ["表达流失意向2次（“再也不买了”）", "30天内投诉3次", "满意度2分",
               "强烈负面情绪1次", "曾规律购买（近一年4单），已95天未下单"]
    assert rules.reason_kinds(reasons, POLICY) == list(SIGNALS)
    assert rules.reason_kinds(["30天内投诉2次"], POLICY) == ["complaint"]
    assert rules.reason_kinds(["30天内投诉12次"], POLICY) == ["repeated_complaints", "complaint"]
    assert rules.reason_kinds(["满意度评价偏低"], POLICY) == ["low_satisfaction"]
    assert rules.reason_kinds([], POLICY) == []


def test_reason_kinds_follow_the_risk_rules_wording() -> None:
    facts = RiskFacts(complaints=1, churn_details=("换别家",), lowest_satisfaction=3,
                      negative_emotions=1, inactivity="曾规律购买（近一年3单），已80天未下单")
    reasons = assess(facts, POLICY).reasons
    assert set(rules.reason_kinds(reasons, POLICY)) == set(SIGNALS) - {"repeated_complaints"}
    repeated = assess(RiskFacts(complaints=3), POLICY).reasons
    assert rules.reason_kinds(repeated, POLICY) == ["repeated_complaints", "complaint"]


def test_repeated_complaints_follow_the_policy_threshold() -> None:
    words, excluded = rules.reason_words("repeated_complaints", RiskPolicy(repeated_complaints_at=4))
    assert words == "天内投诉" and excluded == ("投诉1次", "投诉2次", "投诉3次")
    assert rules.reason_words("complaint", POLICY) == ("天内投诉", ())


def test_last_contact_is_the_latest_source() -> None:
    latest = {"order": T0 - timedelta(days=9), "message": T0 - timedelta(days=2),
              "complaint": T0 - timedelta(days=5)}
    assert rules.last_contact(latest) == ("message", T0 - timedelta(days=2))
    assert rules.last_contact({"handoff": T0, "order": T0}) == ("order", T0)
    assert rules.last_contact({}) is None


def test_days_since() -> None:
    assert rules.days_since(T0 - timedelta(days=3, hours=5), T0) == 3
    assert rules.days_since(T0 - timedelta(hours=23), T0) == 0
    assert rules.days_since(T0 + timedelta(days=1), T0) == 0


def test_only_an_open_flag_may_be_changed() -> None:
    assert rules.action_refusal("open") is None
    assert rules.action_refusal("resolved") == "这条风险标记已经解除，客户已不在风险名单上；没有做任何改动。"


def test_owner_choice() -> None:
    assert rules.owner_choice("7") == (True, 7)
    assert rules.owner_choice(" ") == (True, None)
    assert rules.owner_choice(None) == (True, None)
    assert rules.owner_choice("0") == (False, None)
    assert rules.owner_choice("x1") == (False, None)
    assert rules.owner_choice("12345678901") == (False, None)


def test_task_key_needs_the_rows_token() -> None:
    token = "A" * 22
    assert rules.task_key(5, token) == f"winback:manager:5:{token}"
    assert rules.task_key(5, "short") is None
    assert rules.task_key(5, None) is None
    assert rules.task_key(5, "a b" * 10) is None


def test_notification_texts() -> None:
    facts = FlagFacts(7, "王芳", "key", "high", 75, ("表达流失意向1次（“换别家”）", "30天内投诉1次"))
    assert rules.owner_message(facts, "李主管") == (
        "主管李主管指定您负责跟进风险客户：关键客户王芳（ID 7），风险高（75分）："
        "表达流失意向1次（“换别家”）；30天内投诉1次。请尽快联系客户。")
    assert rules.task_message(facts, "李主管") == (
        "主管李主管发起了挽回任务，请您联系风险客户：关键客户王芳（ID 7），风险高（75分）："
        "表达流失意向1次（“换别家”）；30天内投诉1次。联系后请把结果告诉主管。")
    bare = FlagFacts(8, "张三", "small", "low", 20, ())
    assert "小客户张三（ID 8），风险低（20分）：无具体原因" in rules.owner_message(bare, "李主管")
