"""Recognising which recent order the customer means by the product they name."""

import pytest

from bot.actions.order_matching import orders_mentioned, product_keys

ORDERS = [
    {"order_no": "KF202611180009", "item_summary": "Mate 60 手机 12GB+512GB"},
    {"order_no": "KF202610310001", "item_summary": "FreeBuds Pro 3 降噪耳机 等2件"},
    {"order_no": "KF202610030001", "item_summary": "小米手环8 ×2"},
    {"order_no": "KF202609050001", "item_summary": "戴森吹风机 HD15"},
    {"order_no": "KF202608020001", "item_summary": "纯棉圆领T恤"},
    {"order_no": "KF202607010001", "item_summary": "纯棉四件套 1.8m床"},
]


def test_keys_are_pieces_of_the_name():
    assert {"吹风", "风机", "hd15"} <= product_keys("戴森吹风机 HD15")
    assert {"手环"} <= product_keys("小米手环8 ×2") and "×2" not in product_keys("小米手环8 ×2")
    assert {"t恤", "圆领"} <= product_keys("纯棉圆领T恤")
    assert "gb" not in product_keys("Mate 60 手机 12GB+512GB")


@pytest.mark.parametrize("text, expected", [
    ("你们这什么破手机啊 刚买一周就黑屏了", ["KF202611180009"]),
    ("就是吹风机那单", ["KF202609050001"]),
    ("耳机左边没声音", ["KF202610310001"]),
    ("MATE60那个", ["KF202611180009"]),
    ("t恤洗了一次就掉色", ["KF202608020001"]),
    ("纯棉的那个", ["KF202608020001", "KF202607010001"]),
    ("快递太慢了", []),
    ("我想换个新的", []),
])
def test_orders_named_by_product(text, expected):
    assert [o["order_no"] for o in orders_mentioned([text], ORDERS)] == expected
