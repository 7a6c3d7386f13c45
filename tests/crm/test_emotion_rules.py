"""Strong negative emotion in a complaint's words, as a plain function."""

import pytest

from crm_backend.risk.rules import churn_language, strong_negative_emotion


@pytest.mark.parametrize("words", [
    ["气死我了，什么垃圾东西"],
    ["再也不在你们家买了"],
    ["我要去12315投诉你们"],
    ["到底什么时候退款？！"],
    ["第三次了!!!"],
    ["东西坏了", "😡😡"],
    ["TMD 又发错货"],
])
def test_strong_anger_is_detected(words):
    reason = strong_negative_emotion(words)
    assert reason is not None and reason.startswith("情绪激烈：")


@pytest.mark.parametrize("words", [
    ["衣服洗了一次就破了！", "太失望了"],
    ["快递有点慢，能帮我催一下吗"],
    ["尺码偏小，想换大一号"],
    [],
])
def test_ordinary_dissatisfaction_is_not_strong_emotion(words):
    assert strong_negative_emotion(words) is None


def test_reason_names_what_was_seen():
    reason = strong_negative_emotion(["骗子！！！", "我要曝光你们"])
    assert "“骗子”" in reason and "“曝光”" in reason and "连续感叹号" in reason


@pytest.mark.parametrize("words, phrase", [
    (["屏幕碎了", "以后再也不买了"], "再也不买"),
    (["这种质量，下次换别家"], "换别家"),
    (["给我把会员注销账号算了"], "注销账号"),
    (["东西坏了，这是最后一单"], "最后一单"),
])
def test_churn_language_inside_a_complaint_is_found(words, phrase):
    found = churn_language(words)
    assert found is not None and phrase in found


@pytest.mark.parametrize("words", [["屏幕碎了，请尽快换一个"], ["快递太慢了"], ["还会继续在你们家买的"]])
def test_a_complaint_without_churn_language_has_none(words):
    assert churn_language(words) is None
