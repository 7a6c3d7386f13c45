"""Values in a message are seen as what they are: one placeholder token each, whatever the digits
(order numbers, amounts, dates, links), while small numbers and words stay."""

import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.placeholder_tokenizer import PlaceholderJiebaTokenizer
from bot.nlu.placeholders import normalise, placeholder_spans


@pytest.mark.parametrize("text, expected", [
    ("取消KF202612019003", "取消 __order__ "),
    ("kf202611180009到哪了", " __order__ 到哪了"),
    ("投诉单TS2026111500012怎么样了", "投诉单 __complaint__ 怎么样了"),
    ("我电话13812345678", "我电话 __phone__ "),
    ("手机号 +86 138-1234-5678", "手机号  __phone__ "),
    ("尾号1234", "尾号 __number__ "),
    ("退了¥35.5还差199元", "退了 __amount__ 还差 __amount__ "),
    ("11月23号买的，2026-11-20 10:23下的单", " __date__ 买的， __date__   __time__ 下的单"),
    ("2027年3月买的", " __date__ 买的"),
    ("https://item.jd.com/100012043978.html 这个有白色吗", " __url__  这个有白色吗"),
    ("看下 shop.example.cn/p/88 这款", "看下  __url__  这款"),
    ("https://detail.tmall.com/item.htm?id=622860597600&sku=3，有货吗", " __url__ ，有货吗"),
    ("[订单编号:KF202611180009，订单金额:199.00元，下单时间:2026-11-20 10:23:11] 能退吗",
     " __order_card__  能退吗"),
])
def test_values_become_placeholders(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize("text", ["打12315投诉你们", "37码有吗", "第2个", "1", "买了3件", "5分"])
def test_words_and_small_numbers_stay(text):
    assert placeholder_spans(text) == []


def _lemmas(text: str) -> list:
    tokenizer = PlaceholderJiebaTokenizer(
        {**PlaceholderJiebaTokenizer.get_default_config(), "dictionary_path": None}, None, None)
    return tokenizer.tokenize(Message(data={TEXT: text}), TEXT)


def test_tokens_keep_the_real_text_and_offsets():
    text = "取消KF202612019003这单"
    tokens = _lemmas(text)
    order = next(t for t in tokens if t.lemma == "__order__")
    assert (order.text, order.start, order.end) == ("KF202612019003", 2, 16)
    assert all(text[t.start:t.end] == t.text for t in tokens)


def test_two_order_numbers_give_the_same_lemmas():
    first = [t.lemma for t in _lemmas("麻烦取消KF202612019003，谢谢")]
    second = [t.lemma for t in _lemmas("麻烦取消KF202611300417，谢谢")]
    assert first == second and "__order__" in first
