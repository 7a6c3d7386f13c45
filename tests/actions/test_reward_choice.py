"""Right after the reward list, a typed answer picks from it."""

from bot.actions.choices import offered_rewards

REWARD_LIST = {"event": "bot", "text": "您当前有 1200 积分，可以兑换：", "data": {"buttons": [
    {"title": "5元优惠券（500分）", "payload": '/redeem_points{"reward_id":"coupon-5"}'},
    {"title": "10元无门槛券（1000分）", "payload": '/redeem_points{"reward_id":"coupon-10"}'}]}}


def _user(text):
    return {"event": "user", "text": text}


def test_the_rewards_offered_in_the_last_turn_are_read_back_in_order():
    events = [_user("积分能换什么"), REWARD_LIST, _user("第二个")]
    assert offered_rewards(events) == ["coupon-5", "coupon-10"]


def test_an_older_reward_list_is_no_longer_an_offer():
    events = [_user("积分能换什么"), REWARD_LIST, _user("算了"),
              {"event": "bot", "text": "好的～"}, _user("第二个")]
    assert offered_rewards(events) == []


def test_order_buttons_are_not_rewards():
    orders = {"event": "bot", "text": "是哪一笔？", "data": {"buttons": [
        {"title": "KF202611180009", "payload": '/order_status{"order_no":"KF202611180009"}'}]}}
    assert offered_rewards([_user("我的快递"), orders, _user("1")]) == []
