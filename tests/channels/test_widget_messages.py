"""What the web widget is sent: replies in its shape and the history rebuilt from Rasa events."""

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered

from bot.channels import widget_messages as wm
from bot.channels.socketio import allowed_origins


def _dicts(*events):
    return [event.as_dict() for event in events]


def test_a_reply_keeps_text_buttons_and_who_wrote_it() -> None:
    shown = wm.widget_message({"text": "第一行\n第二行", "buttons": [
        {"title": "KF1 · 已发货", "payload": '/choose_order{"order_no":"KF1"}'},
        {"title": "", "payload": "/x"}], "kefu_person": {"name": "小美"}, "timestamp": 1.0})
    assert shown == {"text": "第一行\n第二行",
                     "buttons": [{"title": "KF1 · 已发货",
                                  "payload": '/choose_order{"order_no":"KF1"}'}],
                     "person": {"name": "小美"}}


def test_rasa_quick_replies_and_custom_text_are_understood() -> None:
    assert wm.widget_message({"custom": {"text": "好的"}}) == {"text": "好的"}
    assert wm.widget_message({"text": "选一个", "quick_replies": [
        {"content_type": "text", "title": "是", "payload": "/affirm"}]})["buttons"] == [
        {"title": "是", "payload": "/affirm"}]


@pytest.mark.parametrize("message", [{}, {"text": "  "}, {"image": "javascript:alert(1)"},
                                     {"custom": {"foo": 1}}])
def test_nothing_to_show_is_none(message) -> None:
    assert wm.widget_message(message) is None


def test_history_shows_the_customers_words_the_bots_and_a_persons() -> None:
    events = _dicts(
        SessionStarted(timestamp=10),
        ActionExecuted("action_listen", timestamp=11),
        UserUttered("我的快递到哪了", message_id="m-00000001", timestamp=12),
        BotUttered("您有两个订单，查哪一个？", data={"buttons": [
            {"title": "KF202611180009 · 已发货", "payload": '/choose_order{"order_no":"KF1"}'}]},
            timestamp=13),
        UserUttered('/choose_order{"order_no":"KF1"}', message_id="m-00000002", timestamp=14),
        BotUttered("已发货，顺丰 SF123", timestamp=15),
        UserUttered("EXTERNAL: follow_up", metadata={"is_external": True}, timestamp=16),
        BotUttered("您好，我是客服小美", metadata={"kefu_person": {"name": "小美"}}, timestamp=17),
    )
    assert wm.history(events) == [
        {"role": "user", "text": "我的快递到哪了", "message_id": "m-00000001", "at": 12},
        {"role": "bot", "text": "您有两个订单，查哪一个？", "at": 13, "buttons": [
            {"title": "KF202611180009 · 已发货", "payload": '/choose_order{"order_no":"KF1"}'}]},
        {"role": "user", "text": "KF202611180009 · 已发货", "message_id": "m-00000002", "at": 14},
        {"role": "bot", "text": "已发货，顺丰 SF123", "at": 15},
        {"role": "person", "text": "您好，我是客服小美", "name": "小美", "at": 17},
    ]


def test_history_keeps_the_latest_messages() -> None:
    events = _dicts(*[BotUttered(f"第{i}条", timestamp=i) for i in range(10)])
    assert [m["text"] for m in wm.history(events, limit=3)] == ["第7条", "第8条", "第9条"]


def test_a_message_id_is_found_once_handled() -> None:
    events = _dicts(UserUttered("你好", message_id="abcdef12"))
    assert wm.has_message(events, "abcdef12") and not wm.has_message(events, "abcdef13")


@pytest.mark.parametrize("value, ok", [
    ("0f8fcd1a2b3c4d5e6f708192a3b4c5d6", True), ("8c1d4b3e-8d9a-4c1e-9b7a-2f1e0d9c8b7a", True),
    ("short", False), ("../../etc/passwd-xxxxxxxx", False), (None, False), (123, False),
    ("x" * 129, False)])
def test_session_ids(value, ok) -> None:
    assert wm.valid_session_id(value) is ok


@pytest.mark.parametrize("raw, origins", [
    ("http://127.0.0.1:8000, https://shop.example.com/", ["http://127.0.0.1:8000",
                                                          "https://shop.example.com"]),
    (["https://a.example"], ["https://a.example"])])
def test_allowed_origins(raw, origins) -> None:
    assert allowed_origins(raw) == origins


@pytest.mark.parametrize("raw", ["", None, "*", "https://a.example,*"])
def test_any_origin_is_refused(raw) -> None:
    with pytest.raises(ValueError):
        allowed_origins(raw)
