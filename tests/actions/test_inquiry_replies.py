import pytest

from bot.actions import inquiry_replies as r
from bot.actions.order_changes import modify_request_text
from bot.actions.products import best_matches, variant_note
from bot.vagueness import vague_twice as misunderstood_twice

REFUNDING = {
    "order_no": "KF202611110006", "status": "refunding", "status_label": "退款中",
    "item_summary": "羽绒服", "total_yuan": "599.00",
    "refund": {"status": "approved", "status_label": "已同意，退款处理中", "amount_yuan": "599.00",
               "reason": "尺码不合适", "created_at": "2026-11-12T09:30:00+08:00"},
}


def test_refund_names_amount_status_date_and_next_step():
    text = r.describe_refund(REFUNDING)
    assert "KF202611110006" in text and "¥599.00" in text and "已同意，退款处理中" in text
    assert "11月12日 09:30" in text and "原路退回" in text and "尺码不合适" in text


def test_order_without_refund_says_so_and_how_to_apply():
    text = r.no_refund({**REFUNDING, "refund": None, "status_label": "已签收"})
    assert "没有退款记录" in text and "申请售后" in text


def test_several_refunds_list_open_ones_first():
    done = {**REFUNDING, "order_no": "KF202601010001",
            "refund": {**REFUNDING["refund"], "status": "completed", "status_label": "已退款"}}
    text = r.describe_refunds([done, REFUNDING])
    assert text.index("KF202611110006") < text.index("KF202601010001")


@pytest.mark.parametrize("text,field", [
    ("我要改地址", "address"), ("收货地址写错了", "address"), ("改一下收货人电话", "phone"),
    ("手机号写错了", "phone"), ("电话号码填错了", "phone"), ("能把尺码改成L吗", "spec"),
    ("颜色改成黑色", "spec"), ("我想改一下规格", "spec"), ("能改配送时间吗", "delivery_time"),
    ("改下配送日期", "delivery_time"), ("修改订单", None),
])
def test_modify_field_from_words(text, field):
    assert r.modify_field(text) == field


def test_value_already_said_is_picked_up():
    assert r.value_in_text("address", "帮我把地址改成上海市浦东新区张杨路100号") == "上海市浦东新区张杨路100号"
    assert r.value_in_text("phone", "电话改成13900001111") == "13900001111"
    assert r.value_in_text("spec", "能把尺码改成L吗") == "L"
    assert r.value_in_text("address", "我要改地址") is None


def test_values_are_read_from_the_customers_words():
    """Only reading; whether the value is acceptable is the CRM's decision (modify/check)."""
    assert r.read_value("phone", "新号码 139 0000 1111")[0] is None
    assert r.read_value("phone", "13900001111") == ("13900001111", None)
    assert r.read_value("address", "北京市朝阳区建国路88号")[0] == "北京市朝阳区建国路88号"
    assert r.read_value("spec", "黑色 XL")[0] == "黑色 XL"
    assert r.value_refused("收货地址应为 5 到 255 个字") == "收货地址应为 5 到 255 个字。请再发一次；不改了可以说「算了」。"


def test_confirmation_wording_names_order_field_and_value():
    assert r.confirm_modify("KF202611200002", "address", "上海市徐汇区1号") == \
        "把订单 KF202611200002 的收货地址改为「上海市徐汇区1号」，确认吗？"
    assert "确认取消订单 KF202611200002" in r.confirm_cancel(
        {"order_no": "KF202611200002", "item_summary": "T恤", "total_yuan": "99.00",
         "status_label": "待发货"})


def test_refusal_keeps_the_crm_reason_and_offers_a_person():
    text = r.refused("订单已发货，无法取消，签收后可申请退货", "不能取消")
    assert text.startswith("订单已发货，无法取消，签收后可申请退货。") and "转人工" in text
    assert r.refused("", "这笔订单现在不能取消。").startswith("这笔订单现在不能取消。")


def test_cancelled_mentions_refund_only_when_the_crm_says():
    assert "退款" not in r.cancelled("KF1", {"order": {}})
    assert "¥99.00" in r.cancelled("KF1", {"refund": {"amount_yuan": "99.00"}})


@pytest.mark.parametrize("stock,text", [(0, "暂时缺货"), (3, "仅剩3件"), (50, "有货"), (None, "库存以商品页为准")])
def test_stock_wording(stock, text):
    assert r.stock_text(stock) == text


PRODUCT = {"sku": "A1", "name": "轻薄羽绒服", "brand": "波司登", "category": "服装",
           "price_yuan": "699.00", "stock": 5, "colours": ["黑色", "白色"], "sizes": ["M", "L"],
           "description": "90%白鸭绒，轻薄保暖。"}


def test_product_description_has_price_stock_colours_sizes_and_text():
    text = r.describe_product(PRODUCT)
    for part in ("波司登 轻薄羽绒服", "¥699.00", "仅剩5件", "黑色、白色", "M、L", "90%白鸭绒"):
        assert part in text


def test_several_products_are_listed_with_buttons():
    text, buttons = r.list_products([PRODUCT, {**PRODUCT, "name": "长款羽绒服", "stock": 0}])
    assert "长款羽绒服" in text and "暂时缺货" in text and len(buttons) == 2


def test_exact_name_wins_and_variant_note():
    other = {**PRODUCT, "name": "轻薄羽绒服背心"}
    assert best_matches([other, PRODUCT], "轻薄羽绒服") == [PRODUCT]
    assert best_matches([other, PRODUCT], "羽绒服") == [other, PRODUCT]
    assert variant_note(PRODUCT, "红色", "L") == "您问的：这款没有红色，可选颜色：黑色、白色；有L。"


@pytest.mark.parametrize("colour,size,expected", [
    ("黑的", "l码", "您问的：有黑色；有L。"),
    (None, "37码", "您问的：有37。"),
    (None, "37", "您问的：有37。"),
    (None, "41码", "您问的：这款没有41码，可选尺码：36、37、38。"),
    ("白色", "38号", "您问的：有白色；有38。"),
])
def test_a_size_or_colour_the_list_shows_is_never_said_to_be_missing(colour, size, expected):
    shoes = {**PRODUCT, "sizes": ["36", "37", "38"]}
    assert variant_note(shoes if size[:2].isdigit() else PRODUCT, colour, size) == expected


def test_complaint_status_says_category_status_step_remedy_and_next():
    complaint = {"number": "TS202611200003", "category": "delivery", "category_label": "物流延误/破损",
                 "status": "awaiting_follow_up", "status_label": "待回访", "current_step": "remedy",
                 "current_step_label": "方案",
                 "remedy_offered": {"description": "补发一件"},
                 "remedy_executed": {"summary": "已补发一件，运单号 SF1"},
                 "follow_up": {"due_at": "2026-11-25T10:00:00+08:00"}}
    text = r.describe_complaint(complaint)
    for part in ("TS202611200003", "物流延误/破损", "待回访", "「方案」阶段", "已补发一件", "11月25日", "回访"):
        assert part in text
    proposed = r.describe_complaint({"number": "TS1", "category": "price", "category_label": "价格问题",
                                     "status": "remedy_proposed",
                                     "remedy_offered": {"description": "退差价20元"}})
    assert "价格问题" in proposed and "退差价20元（待您确认）" in proposed and "换个方案" in proposed


def test_complaint_button_asks_by_number():
    button = r.complaint_button({"number": "TS1", "category": "price", "status_label": "处理中"})
    assert button["payload"] == '/complaint_status{"complaint_no":"TS1"}'


def _user(intent, text="x", confidence=None):
    parsed = {"name": intent} if confidence is None else {"name": intent, "confidence": confidence}
    return {"event": "user", "text": text, "parse_data": {"intent": parsed}}


def test_two_misunderstandings_in_a_row_are_detected():
    bot = {"event": "bot", "text": "抱歉"}
    assert not misunderstood_twice([_user("nlu_fallback")])
    assert not misunderstood_twice([_user("nlu_fallback"), bot, _user("greet"), _user("nlu_fallback")])
    assert misunderstood_twice([_user("greet"), _user("nlu_fallback"), bot, _user("nlu_fallback")])


def test_a_guess_counts_as_a_misunderstanding_whatever_was_guessed():
    bot = {"event": "bot", "text": "这款商品…"}
    assert misunderstood_twice([_user("product_info", confidence=0.41), bot, _user("nlu_fallback")])
    assert misunderstood_twice([_user("points_balance", confidence=0.5), bot, _user("nlu_fallback")])
    assert not misunderstood_twice([_user("product_info", confidence=0.93), bot,
                                    _user("nlu_fallback")])
    assert misunderstood_twice([_user("nlu_fallback"), bot, _user("order_status", confidence=0.4)])
    assert misunderstood_twice([_user("greet", confidence=0.5), bot, _user("inform", confidence=0.3)])
    assert not misunderstood_twice([_user("nlu_fallback"), bot, _user("order_status", confidence=0.9)])
    assert not misunderstood_twice([_user("nlu_fallback"), bot, _user("order_status")])


class _Tracker:
    def __init__(self, events):
        self.events = events


def test_modify_request_survives_the_identity_check():
    events = [_user("modify_order", "帮我把地址改成北京市朝阳区建国路88号"), _user("inform", "KF202611200002"),
              _user("inform", "2468"), _user("modify_order", '/modify_order{"order_no":"KF1"}')]
    assert modify_request_text(_Tracker(events)) == "帮我把地址改成北京市朝阳区建国路88号"


def test_words_that_say_nothing_count_as_not_understood_whatever_was_guessed():
    bot = {"event": "bot", "text": "抱歉"}
    said = [{**_user("deny", confidence=0.99), "text": "嗯……那个"}, bot,
            {**_user("greet", confidence=0.74), "text": "哎呀就那个嘛"}]
    assert misunderstood_twice(said)
    assert not misunderstood_twice([{**_user("affirm", confidence=0.94), "text": "嗯"}, bot,
                                    {**_user("inform", confidence=0.82), "text": "就那个呗"}])
