"""Picking one of the offered orders by typing instead of tapping."""

import pytest

from bot.actions.choices import OrderOffer, chosen_order, offered_orders, ordinal

BUTTONS = [
    {"title": "KF202611200006 防滑加绒雪地靴 等3件（待付款）",
     "payload": '/modify_order{"order_no":"KF202611200006"}'},
    {"title": "KF202611200002 戴森吹风机 HD15（待发货）",
     "payload": '/modify_order{"order_no":"KF202611200002"}'},
    {"title": "KF202611180004 挂耳咖啡 50包（已发货）",
     "payload": '/modify_order{"order_no":"KF202611180004"}'},
]


def events(*answers: str):
    out = [{"event": "user", "text": "我想把地址改一下"},
           {"event": "bot", "text": "您想修改哪一笔订单呢？", "data": {"buttons": BUTTONS}}]
    for answer in answers:
        out.append({"event": "user", "text": answer})
    return out


def test_the_offer_is_read_from_the_last_question():
    offer = offered_orders(events("1"))
    assert offer is not None and offer.intent == "modify_order"
    assert [o["order_no"] for o in offer.orders] == ["KF202611200006", "KF202611200002",
                                                      "KF202611180004"]
    assert offer.orders[1]["item_summary"] == "戴森吹风机 HD15"


def test_an_answer_counts_only_right_after_the_question():
    later = events("积分还有多少") + [{"event": "bot", "text": "您当前的积分余额是 787 分。"},
                                      {"event": "user", "text": "1"}]
    assert offered_orders(later) is None
    assert offered_orders([{"event": "user", "text": "1"}]) is None


@pytest.mark.parametrize("text, position", [
    ("1", 0), ("２", 1), ("2", 1), ("第二个", 1), ("第2单", 1), ("就第一个吧", 0), ("选3", 2),
    ("最后一个", 2), ("第三笔订单", 2), ("第四个", None), ("5", None), ("27号", None),
    ("两个都要改", None), ("好的", None),
])
def test_ordinal(text, position):
    assert ordinal(text, 3) == position


@pytest.mark.parametrize("text, order_no", [
    ("KF202611200002", "KF202611200002"), ("第二个", "KF202611200002"),
    ("吹风机那个", "KF202611200002"), ("咖啡那单", "KF202611180004"), ("1", "KF202611200006"),
    ("随便", None),
])
def test_chosen_order(text, order_no):
    offer = offered_orders(events(text))
    assert isinstance(offer, OrderOffer) and chosen_order(text, offer) == order_no
