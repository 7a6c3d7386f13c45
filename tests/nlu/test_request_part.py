"""A greeting in front and thanks after do not decide the intent; alone, they still are one."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.placeholder_tokenizer import PlaceholderJiebaTokenizer
from bot.nlu.request_part import request_span


@pytest.mark.parametrize("text,wanted", [
    ("你好，在吗，我的快递怎么还没到", "我的快递怎么还没到"),
    ("你好我要退款", "我要退款"),
    ("客服你好 我要投诉", "我要投诉"),
    ("老板，这个多少钱", "这个多少钱"),
    ("亲亲~ 这个有货吗", "这个有货吗"),
    ("在吗？KF202611200002到哪了", "KF202611200002到哪了"),
    ("hi 退款到了吗", "退款到了吗"),
    ("我要退款，谢谢", "我要退款，"),
    # alone, or where the words are not a greeting, the message stays whole
    ("你好", "你好"),
    ("亲在吗", "亲在吗"),
    ("谢谢", "谢谢"),
    ("好的谢谢啦", "好的谢谢啦"),
    ("亲自来拿可以吗", "亲自来拿可以吗"),
    ("客服态度太差了", "客服态度太差了"),
    ("老板娘态度不好", "老板娘态度不好"),
])
def test_the_request_part(text: str, wanted: str) -> None:
    start, end = request_span(text)
    assert text[start:end] == wanted


def test_the_tokenizer_leaves_the_greeting_out_of_the_tokens_but_keeps_offsets() -> None:
    tokenizer = PlaceholderJiebaTokenizer(
        {**PlaceholderJiebaTokenizer.get_default_config(), "dictionary_path": None}, None, None)
    message = Message({"text": "你好，在吗，KF202611200002 到哪了"})
    tokens = tokenizer.tokenize(message, "text")
    assert tokens[0].text == "KF202611200002" and tokens[0].start == 6
    assert "你好" not in [t.text for t in tokens]
    alone = tokenizer.tokenize(Message({"text": "你好"}), "text")
    assert [t.text for t in alone] == ["你好"]
