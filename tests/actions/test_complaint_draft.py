"""A complaint stopped midway is kept as a draft and resumed from it."""

from bot.actions.complaints import draft_of, resumed


def test_nothing_gathered_keeps_no_draft():
    assert draft_of([], {"complaint_order_no": None}) is None


def test_a_draft_keeps_the_words_and_the_answered_questions():
    draft = draft_of(["屏幕裂了"], {"complaint_vent_done": True, "complaint_order_no": "KF1",
                                  "complaint_severity": None})
    assert draft == {"words": ["屏幕裂了"],
                     "answers": {"complaint_vent_done": True, "complaint_order_no": "KF1"}}


def test_resuming_adds_new_words_but_not_a_request_to_go_on():
    draft = {"words": ["屏幕裂了"], "answers": {"complaint_order_no": "KF1", "unknown": 1}}
    assert resumed(draft, "继续投诉") == (["屏幕裂了"], {"complaint_order_no": "KF1"})
    assert resumed(draft, "我要接着刚才的投诉") == (["屏幕裂了"], {"complaint_order_no": "KF1"})
    assert resumed(draft, "而且充电器也是坏的") == (["屏幕裂了", "而且充电器也是坏的"],
                                                  {"complaint_order_no": "KF1"})


def test_without_a_draft_the_message_starts_the_story():
    assert resumed(None, "快递丢了") == (["快递丢了"], {})
    assert resumed("broken", "快递丢了") == (["快递丢了"], {})
