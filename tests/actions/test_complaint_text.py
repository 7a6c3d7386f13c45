import pytest

from bot.actions import complaint_text as ct
from bot.actions.complaints import inferred_slots


@pytest.mark.parametrize("text, category", [
    ("收到的杯子是裂的，根本没法用", "product_quality"),
    ("衣服洗了一次就掉色了", "product_quality"),
    ("我买的黑色发成了白色", "wrong_or_missing"),
    ("少发了一件，只收到一个", "wrong_or_missing"),
    ("快递五天了还没到，物流一直不动", "delivery"),
    ("外包装压坏了，里面也摔坏了", "delivery"),
    ("你们客服态度太差了，爱答不理", "service_attitude"),
    ("刚买完就降价了，差价怎么算", "price"),
    ("申请售后三次都被驳回，不给退", "after_sales"),
    ("耳机用了两天左边就没声音了", "product_quality"),
    ("刚买一周就黑屏了", "product_quality"),
    ("你好", None),
])
def test_infer_category(text, category):
    assert ct.infer_category([text]) == category


@pytest.mark.parametrize("value, code", [
    ("quality", "product_quality"), ("wrong_item", "wrong_or_missing"),
    ("attitude", "service_attitude"), ("delivery", "delivery"), ("商品质量", "product_quality"),
    ("其他", "other"), ("", None), (None, None),
])
def test_normalise_category_accepts_codes_labels_and_ruler_ids(value, code):
    assert ct.normalise_category(value) == code


@pytest.mark.parametrize("text, severity", [
    ("充电器冒烟了，差点起火", "high"),
    ("孩子吃了过敏住院了", "high"),
    ("你们这是欺诈，我要打12315", "high"),
    ("有点小瑕疵", "low"),
    ("东西坏了", None),
])
def test_infer_severity(text, severity):
    assert ct.infer_severity([text]) == severity


@pytest.mark.parametrize("value, code", [
    ("low", "low"), ("非常严重", "high"), ("比较严重", "medium"), ("一般", "low"), ("嗯", None),
])
def test_normalise_severity(value, code):
    assert ct.normalise_severity(value) == code


@pytest.mark.parametrize("text, expectation", [
    ("我要退款", "refund"), ("给我换一个新的", "replacement"), ("必须赔偿", "compensation"),
    ("给我道歉", "apology"), ("就是反馈一下", "feedback"), ("气死了", None),
])
def test_infer_expectation(text, expectation):
    assert ct.infer_expectation([text]) == expectation


@pytest.mark.parametrize("text, done", [
    ("没了", True), ("没有了。", True), ("就这些吧", True), ("嗯", True), ("说完了", True),
    ("还有，快递员还骂人", False), ("没想到质量这么差", False),
])
def test_done_signal(text, done):
    assert ct.is_done_signal(text) is done


@pytest.mark.parametrize("text, score", [
    ("5", 5), ("4分", 4), ("五星", 5), ("三分吧", 3), ("非常满意", 5), ("满意", 4),
    ("不满意", 2), ("很差", 1), ("一般般", 3), ("10分", None), ("好的", None),
    ("非常不满意", 1), ("很不满意", 1),
])
def test_parse_score(text, score):
    assert ct.parse_score(text) == score


@pytest.mark.parametrize("text, resolved", [
    ("还没解决", False), ("没有", False), ("还是坏的", False), ("不是很好，东西还没收到", False),
    ("解决了", True), ("嗯嗯，已经好了", True), ("是的，收到了", True), ("可以了谢谢", True),
    ("你好", None), ("3分", None),
])
def test_parse_resolved(text, resolved):
    assert ct.parse_resolved(text) is resolved


def test_empathy_fits_what_happened():
    assert "质量" in ct.empathy("product_quality")
    assert "快递" in ct.empathy("delivery")
    assert ct.empathy(None) == ct.empathy("other")


def test_inferred_slots_fill_only_what_is_unknown():
    words = ["KF202611180009 收到的手机屏幕是裂的，我要退款"]
    assert inferred_slots(words, {}) == {
        "complaint_category": "product_quality",
        "complaint_expectation": "refund",
        "complaint_order_no": "KF202611180009",
    }
    known = {"complaint_category": "delivery"}
    assert "complaint_category" not in inferred_slots(words, known)
    assert inferred_slots(["气死我了"], {}, "attitude") == {"complaint_category": "service_attitude"}


@pytest.mark.parametrize("text, correcting", [
    ("不对，是KF202611249000这个订单", True), ("搞错了，应该是另一单", True), ("换成KF202611249000", True),
    ("KF202611249000", False), ("对了，订单KF202611180009到哪了", False),
])
def test_is_correction(text, correcting):
    assert ct.is_correction(text) is correcting


@pytest.mark.parametrize("text", ["没了，就这些", "没了", "就这些", "嗯"])
def test_done_signals_whatever_the_intent(text):
    assert ct.is_done_signal(text)


def test_fit_words_keeps_everything_that_fits_in_pieces_the_crm_accepts() -> None:
    long = "质量太差" * 700
    pieces = ct.fit_words(["第一句", long, "最后一句"])
    assert all(len(p) <= ct.MAX_WORD_LENGTH for p in pieces) and len(pieces) <= ct.MAX_WORDS
    assert "".join(pieces) == "第一句" + long + "最后一句"


def test_fit_words_merges_many_short_messages_and_cuts_only_beyond_capacity() -> None:
    merged = ct.fit_words([f"第{i}条" for i in range(120)], max_words=10, max_length=100)
    assert len(merged) <= 10 and merged[0].startswith("第0条\n第1条")
    assert "第119条" in "\n".join(merged)
    cut = ct.fit_words(["字" * 100] * 10, max_words=3, max_length=100)
    assert len(cut) == 3 and cut[-1].endswith("…") and len(cut[-1]) == 100


@pytest.mark.parametrize("text,expected", [
    ("唉说实话挺严重的", "medium"), ("有点严重", "medium"), ("非常严重", "high"), ("严重", "high"),
    ("孩子用了过敏，挺严重的", "high"), ("有点小问题", "low"),
])
def test_how_bad_it_is_in_the_customers_words(text, expected):
    assert ct.normalise_severity(text) == expected


def test_ship_now_is_a_wish_of_its_own():
    assert ct.infer_expectation(["赶紧发货"]) == "ship"
    assert ct.infer_expectation(["赶紧发货，还要补偿"]) == "compensation"
