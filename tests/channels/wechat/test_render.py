"""A turn's replies as one WeChat text, and long texts cut into pieces WeChat accepts."""

import random

import pytest

from bot.channels.wechat.render import MAX_BYTES, render_turn, split_text

SEEDS = [1, 2, 3, 7, 42, 2024]


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def test_texts_are_joined_by_a_blank_line_and_keep_their_line_breaks() -> None:
    assert render_turn([{"text": "您好！"}, {"text": "第一行\n第二行"}]) == "您好！\n\n第一行\n第二行"


def test_buttons_are_numbered_under_their_text() -> None:
    rendered = render_turn([{"text": "请选择订单：", "buttons": [
        {"title": "KF1 · 已发货", "payload": '/choose_order{"order_no":"KF1"}'},
        {"title": "KF2 · 待付款", "payload": '/choose_order{"order_no":"KF2"}'},
        {"title": "都不是", "payload": "/deny"}]}])
    assert rendered == ("请选择订单：\n1. KF1 · 已发货\n2. KF2 · 待付款\n3. 都不是\n"
                        "回复 1、2 或 3 选择")


@pytest.mark.parametrize("count, line", [
    (1, "回复 1 选择"), (2, "回复 1 或 2 选择"), (3, "回复 1、2 或 3 选择"),
    (5, "回复 1、2、3、4 或 5 选择")])
def test_the_choice_line_lists_the_numbers(count: int, line: str) -> None:
    buttons = [{"title": f"选项{n}", "payload": f"/p{n}"} for n in range(count)]
    assert render_turn([{"text": "选一个", "buttons": buttons}]).split("\n")[-1] == line


def test_buttons_without_a_title_or_payload_are_not_counted() -> None:
    rendered = render_turn([{"text": "要继续吗？", "buttons": [
        {"title": "是", "payload": "/affirm"}, {"title": "", "payload": "/x"},
        {"title": "无", "payload": ""}, "junk", {"title": "多行\n标题", "payload": "/deny"}]}])
    assert rendered == "要继续吗？\n1. 是\n2. 多行 标题\n回复 1 或 2 选择"


def test_quick_replies_and_buttons_without_text() -> None:
    assert render_turn([{"quick_replies": [
        {"content_type": "text", "title": "是", "payload": "/affirm"}]}]) == "1. 是\n回复 1 选择"


def test_images_are_their_url_on_a_line() -> None:
    assert render_turn([{"text": "这是发票：", "image": "https://kefu.example/i/1.png"},
                        {"image": "http://kefu.example/i/2.png"}]) == (
        "这是发票：\nhttps://kefu.example/i/1.png\n\nhttp://kefu.example/i/2.png")


def test_messages_with_nothing_to_show_are_skipped() -> None:
    assert render_turn([{"text": ""}, {"text": "  \n "}, {"custom": {"kind": "handoff"}},
                        {"image": "javascript:alert(1)"}, {"text": "好的"}, {}, {"text": None},
                        {"buttons": "junk"}]) == "好的"
    assert render_turn([]) == ""
    assert render_turn([{"text": " "}]) == ""


def test_custom_text_is_shown() -> None:
    assert render_turn([{"custom": {"text": "人工客服马上来"}}]) == "人工客服马上来"


def _pieces_rebuild(text: str, pieces: list[str]) -> None:
    """The pieces are the text in order, with only whitespace left out between them."""
    position = 0
    for piece in pieces:
        while position < len(text) and text[position].isspace():
            position += 1
        assert text.startswith(piece, position), (position, piece[:20])
        position += len(piece)
    assert text[position:].strip() == ""


def _check(text: str, limit: int) -> list[str]:
    pieces = split_text(text, limit)
    assert all(pieces), "no empty pieces"
    assert all(_size(piece) <= limit for piece in pieces)
    assert all(piece == piece.strip() for piece in pieces)
    _pieces_rebuild(text, pieces)
    return pieces


def _random_text(rng: random.Random, length: int) -> str:
    pools = [
        lambda: chr(rng.randint(0x4E00, 0x9FFF)),
        lambda: chr(rng.randint(0x1F300, 0x1F64F)),
        lambda: rng.choice("abcXYZ019"),
        lambda: rng.choice("。！？!?；\n，,、"),
        lambda: rng.choice(" \t\u3000"),
        lambda: rng.choice("”」）)'"),
    ]
    weights = [70, 5, 10, 8, 4, 3]
    return "".join(rng.choices(pools, weights)[0]() for _ in range(length))


@pytest.mark.parametrize("seed", SEEDS)
def test_random_texts_of_many_lengths_at_the_wechat_limit(seed: int) -> None:
    rng = random.Random(seed)
    for length in [0, 1, 2, 100, 682, 683, 700, 1000, 1500, 3000, 5000, 9000]:
        text = _random_text(rng, length + rng.randint(0, 30))
        pieces = _check(text, MAX_BYTES)
        if _size(text.strip()) <= MAX_BYTES:
            assert pieces == ([text.strip()] if text.strip() else [])


@pytest.mark.parametrize("seed", SEEDS)
def test_random_texts_at_small_limits(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(200):
        limit = rng.randint(4, 80)
        _check(_random_text(rng, rng.randint(0, 300)), limit)


@pytest.mark.parametrize("seed", SEEDS)
def test_emoji_are_never_cut(seed: int) -> None:
    rng = random.Random(seed)
    text = "".join(chr(rng.randint(0x1F600, 0x1F64F)) for _ in range(1000))
    for limit in (4, 5, 6, 7, 9, 2048):
        pieces = _check(text, limit)
        assert "".join(pieces) == text
        assert all(_size(piece) == 4 * (limit // 4) for piece in pieces[:-1])


def test_a_long_text_without_punctuation_is_cut_at_char_boundaries() -> None:
    rng = random.Random(5)
    text = "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(10_000))
    pieces = _check(text, MAX_BYTES)
    assert "".join(pieces) == text
    assert [len(piece) for piece in pieces] == [682] * 14 + [10_000 - 682 * 14]


def test_cuts_prefer_a_sentence_end_then_a_comma() -> None:
    sentence = "您的订单已经发货，预计三天内送达。"
    text = sentence * 200
    pieces = _check(text, MAX_BYTES)
    assert len(pieces) > 1
    assert all(piece.endswith("。") for piece in pieces)
    no_stops = "您的订单已经发货，预计三天内送达" * 200
    assert all(piece.endswith("，") for piece in _check(no_stops, MAX_BYTES)[:-1])


def test_a_sentence_end_keeps_its_closing_quote() -> None:
    text = "客服说：“好的。”" * 10
    pieces = _check(text, 40)
    assert all(piece.endswith("。”") for piece in pieces)


def test_a_newline_is_a_sentence_end_and_disappears_at_the_cut() -> None:
    pieces = _check("第一行内容\n第二行内容\n第三行内容", 33)
    assert pieces == ["第一行内容\n第二行内容", "第三行内容"]


def test_a_comma_far_from_the_limit_is_not_worth_a_short_piece() -> None:
    text = "好，" + "非常感谢您的耐心等待" * 10
    pieces = _check(text, 60)
    assert _size(pieces[0]) == 60


def test_english_is_cut_between_words_and_urls_stay_whole() -> None:
    text = ("Please open https://kefu.example/orders?id=1,2!x=3 to see it. " * 30).strip()
    pieces = _check(text, 100)
    for piece in pieces:
        assert not piece.endswith(("?", "id=1,", "2!"))
        assert piece.endswith(".") or piece.split()[-1] in text.split()


def test_limits_below_one_character_are_refused() -> None:
    with pytest.raises(ValueError):
        split_text("好", 3)


def test_short_text_is_one_piece() -> None:
    assert split_text("  您好！\n") == ["您好！"]
    assert split_text("") == []
    assert split_text(" \n\t ") == []
    assert split_text("好" * 682) == ["好" * 682]
    assert split_text("好" * 683) == ["好" * 682, "好"]


def test_a_persons_message_says_who_wrote_it() -> None:
    assert render_turn([{"text": "我来帮您查", "kefu_person": {"name": "小美"}}]) == (
        "【人工客服 小美】我来帮您查")
    assert render_turn([{"text": "稍等", "kefu_person": {}}]) == "【人工客服】稍等"


def test_a_score_question_is_answered_with_the_score_not_a_line_number() -> None:
    text = render_turn([{"text": "请打分", "buttons": [
        {"title": "5分 非常满意", "payload": '/rate{"score":"5"}'},
        {"title": "1分 很不满意", "payload": '/rate{"score":"1"}'}]}])
    assert text == "请打分\n5分 非常满意\n1分 很不满意\n直接回复分数（1–5 分，5 分最满意）即可"
