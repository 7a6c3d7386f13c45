"""A reward named in the customer's words, and a named one that does not exist."""

from bot.actions.loyalty_replies import reward_named, unknown_reward

REWARDS = [
    {"id": "coupon-5", "title": "5元优惠券", "points_cost": 500, "value_yuan": 5, "min_spend_yuan": 50},
    {"id": "coupon-10", "title": "10元无门槛券", "points_cost": 1000, "value_yuan": 10,
     "min_spend_yuan": 0},
    {"id": "coupon-30", "title": "30元满199可用券", "points_cost": 3000, "value_yuan": 30,
     "min_spend_yuan": 199},
]


def _id(text):
    reward, asked = reward_named(REWARDS, text)
    return (reward or {}).get("id"), asked


def test_a_reward_is_named_by_its_title_or_a_part_of_it():
    assert _id("我想用积分换10元无门槛券") == ("coupon-10", None)
    assert _id("换那个30块的") == ("coupon-30", None)
    assert _id("满199那个") == ("coupon-30", None)
    assert _id("无门槛的那张") == ("coupon-10", None)
    assert _id("5 元 优惠券") == ("coupon-5", None)


def test_words_naming_no_reward_are_neither_a_choice_nor_unknown():
    assert _id("积分能换什么") == (None, None)
    assert _id("我想兑换") == (None, None)


def test_a_value_no_reward_has_is_unknown_and_said_back():
    assert _id("我要换100元的券") == (None, "100元")
    assert _id("有没有满99减10的") == (None, "满99")
    text, buttons = unknown_reward("100元", REWARDS, 1200)
    assert text.startswith("积分商城里没有「100元」的兑换项目。")
    assert "10元无门槛券" in text and len(buttons) == 3
