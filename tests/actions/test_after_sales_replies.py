"""The pure parts of the after-sales answers: which request or order a message means, the
invoice details in the customer's words, the slot a typed answer picks, and the wording."""

from datetime import date

import pytest

from bot.actions import after_sales_replies as replies
from bot.actions.appointments import relevant
from bot.actions.invoices import candidates, kind_of
from bot.actions.price_protection import order_in_question

TODAY = date(2026, 11, 23)  # a Monday


def slot(day: str, window: str) -> dict:
    moment = date.fromisoformat(day)
    return {"id": f"{day} {window}", "day": day, "window": window,
            "label": f"{moment.month}月{moment.day}日 {window}"}


SLOTS = [slot(f"2026-11-{d}", w) for d in range(24, 31)
         for w in ("09:00-12:00", "14:00-18:00")]


@pytest.mark.parametrize("text, expected", [
    ("明天上午", "2026-11-24 09:00-12:00"),
    ("后天下午吧", "2026-11-25 14:00-18:00"),
    ("周六上午", "2026-11-28 09:00-12:00"),
    ("星期天下午三点", "2026-11-29 14:00-18:00"),
    ("28号上午", "2026-11-28 09:00-12:00"),
    ("11月27日 下午", "2026-11-27 14:00-18:00"),
    ("礼拜五早上", "2026-11-27 09:00-12:00"),
    ("2026-11-26 14:00-18:00", "2026-11-26 14:00-18:00"),
    ("最早的就行", "2026-11-24 09:00-12:00"),
    ("周二10点", "2026-11-24 09:00-12:00"),
])
def test_a_typed_answer_picks_a_slot(text: str, expected: str) -> None:
    assert replies.pick_slot(text, SLOTS, TODAY) == (expected, None)


def test_an_answer_that_picks_no_slot_says_what_is_missing() -> None:
    picked, hint = replies.pick_slot("周六", SLOTS, TODAY)
    assert picked is None and "09:00-12:00、14:00-18:00" in hint
    picked, hint = replies.pick_slot("随时联系我", SLOTS, TODAY, loose=False)
    assert picked is None and "哪一天" in hint
    picked, hint = replies.pick_slot("12月5号上午", SLOTS, TODAY)
    assert picked is None and "哪一天" in hint
    picked, _ = replies.pick_slot("晚上8点", SLOTS, TODAY)
    assert picked is None
    offered = [s["id"] for s in SLOTS[:6]]
    assert replies.pick_slot("第二个", SLOTS, TODAY, offered) == (offered[1], None)


def test_the_kind_of_visit_and_what_the_request_asks() -> None:
    assert replies.appointment_kind("空调约个师傅上门安装") == "installation"
    assert replies.appointment_kind("退货能上门取件吗") == "pickup"
    assert replies.appointment_kind("冰箱预约送货") == "delivery"
    assert replies.appointment_kind("预约一下") is None
    assert replies.wants_change("送货改到下周二") and not replies.wants_change("预约安装")
    assert replies.asks_booked("我约的安装是哪天") and not replies.asks_booked("预约安装")


def test_which_orders_an_appointment_request_is_about() -> None:
    fridge = {"order_no": "KF1", "kinds": [{"kind": "delivery", "allowed": True}],
              "appointments": []}
    washer = {"order_no": "KF2", "kinds": [{"kind": "installation", "allowed": True}],
              "appointments": [{"kind": "delivery", "label": "11月25日 13:00-18:00"}]}
    orders = [fridge, washer]
    assert relevant(orders, "delivery", False) == [fridge, washer]
    assert relevant(orders, "installation", False) == [washer]
    assert relevant(orders, None, True) == [washer]
    assert relevant(orders, "pickup", False) == []


@pytest.mark.parametrize("text, operation", [
    ("发票没收到，发到 a.b@qq.com", "resend"), ("发票重新发一下", "resend"),
    ("发票抬头写错了", "change"), ("税号填错了帮我改", "change"), ("发票重开", "change"),
    ("我的发票开了没有", "status"), ("邮箱写错了，税号也错了", "change"),
])
def test_what_is_wanted_of_an_invoice(text: str, operation: str) -> None:
    assert replies.invoice_operation(text) == operation


def test_invoice_details_in_the_customers_words() -> None:
    text = "抬头改成杭州小象科技有限公司，税号 91330106ma2b3k7q0w 谢谢"
    assert replies.title_in(text) == "杭州小象科技有限公司"
    assert replies.tax_no_in(text) == "91330106MA2B3K7Q0W"
    assert replies.title_in("改成个人") == "个人" and replies.title_in("发票抬头写错了") is None
    assert replies.clean_title("就写 上海某某贸易有限公司 吧") == "上海某某贸易有限公司"
    assert replies.clean_title("张三") == "张三"
    assert replies.email_in("发到ＡＢＣ@１６３.com") == "ABC@163.com"
    assert kind_of("个人") == "personal" and kind_of("张三") == "personal"
    assert kind_of("上海某某贸易有限公司") == "company"
    assert replies.title_in("发票抬头改成我们公司") is None
    assert replies.title_in("发票要开公司抬头") is None
    assert replies.title_answer_problem("公司") and replies.title_answer_problem("我们单位")
    assert replies.title_answer_problem("个人") is None
    assert replies.title_answer_problem("杭州某某科技有限公司") is None


def test_only_issued_invoices_are_sent_or_changed() -> None:
    invoices = [{"order_no": "KF1", "status": "pending"}, {"order_no": "KF2", "status": "issued"}]
    assert candidates(invoices, "resend") == [invoices[1]]
    assert candidates(invoices, "status") == invoices


def test_which_requests_a_progress_question_is_about() -> None:
    requests = [
        {"number": "SH202611200001", "kind": "repair", "status": "submitted", "open": True,
         "item_name": "电饭煲 4L 智能预约"},
        {"number": "SH202611160001", "kind": "return", "status": "refunding", "open": True,
         "item_name": None},
        {"number": "SH202611140001", "kind": "return", "status": "rejected", "open": False,
         "item_name": "纯棉四件套 1.8m床"},
    ]
    pick = replies.requests_in_question
    assert [r["number"] for r in pick(requests, "售后到哪一步了")] == [
        "SH202611200001", "SH202611160001"]
    assert [r["number"] for r in pick(requests, "售后申请怎么被驳回了")] == ["SH202611140001"]
    assert [r["number"] for r in pick(requests, "维修进度")] == ["SH202611200001"]
    assert [r["number"] for r in pick(requests, "四件套退货怎么样了")] == ["SH202611140001"]
    assert [r["number"] for r in pick(requests, "sh202611160001 到哪了")] == ["SH202611160001"]
    assert pick(requests, "SH209901010001") == []


def test_a_request_in_full_names_its_steps_and_what_comes_next() -> None:
    request = {"number": "SH202611140001", "order_no": "KF202611060002", "kind": "return",
               "kind_label": "退货退款", "status": "rejected", "status_label": "已驳回",
               "item_name": "纯棉四件套 1.8m床", "reject_reason": "吊牌已剪",
               "next_step": "申请被驳回，原因：吊牌已剪。",
               "steps": [{"label": "已提交", "at": "2026-11-13T10:00:00+08:00"},
                         {"label": "已驳回", "at": "2026-11-14T06:00:00+08:00"}]}
    text = replies.describe_request(request)
    assert "11月13日 10:00 已提交" in text and "11月14日 06:00 已驳回" in text
    assert "驳回原因：吊牌已剪" in text and text.endswith("申请被驳回，原因：吊牌已剪。")


def test_the_order_a_price_question_means() -> None:
    checks = [{"order_no": "KF1", "item_summary": "FreeBuds Pro 3 降噪耳机", "eligible": True},
              {"order_no": "KF2", "item_summary": "轻薄羽绒服", "eligible": False},
              {"order_no": "KF3", "item_summary": "壁挂式空调 1.5匹", "eligible": False}]
    assert order_in_question(checks, "降价了能价保吗")["order_no"] == "KF1"
    assert order_in_question(checks, "羽绒服降价了能保价吗")["order_no"] == "KF2"
    both = [dict(checks[0]), {**checks[1], "eligible": True}]
    assert order_in_question(both, "降价了能价保吗") is None


def test_the_offer_shows_what_comes_back() -> None:
    check = {"order_no": "KF1", "item_summary": "耳机", "eligible_total_yuan": "200.00",
             "items": [{"name": "耳机", "eligible": True, "paid_unit_yuan": "1399.00",
                        "lowest_unit_yuan": "1199.00", "lowest_at": "2026-11-17T16:00:00+08:00",
                        "difference_yuan": "200.00", "quantity": 1, "amount_yuan": "200.00"}]}
    text = replies.price_protection_offer(check)
    assert "¥1399.00" in text and "11月17日降到 ¥1199.00" in text and "共 ¥200.00" in text
    refused = {"order_no": "KF2", "item_summary": "羽绒服",
               "items": [{"eligible": False, "reason": "「羽绒服」的价保期已结束"}]}
    assert "价保期已结束" in replies.price_protection_refusal(refused)
