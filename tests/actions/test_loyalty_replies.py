from bot.actions import loyalty_replies as r

REWARDS = [
    {"id": "coupon-5", "title": "5元优惠券", "points_cost": 500, "value_yuan": "5.00", "min_spend_yuan": "50.00"},
    {"id": "coupon-10", "title": "10元无门槛券", "points_cost": 1000, "value_yuan": "10.00", "min_spend_yuan": "0.00"},
]


def test_points_balance_and_expiring():
    text = r.describe_points({"balance": 1320, "expiring": {"points": 200, "expires_at": "2026-11-30T23:59:59+08:00"}})
    assert "1320 分" in text and "200 分将于 11月30日" in text and "积分兑换" in text
    assert "到期" not in r.describe_points({"balance": 0, "expiring": None})


def test_membership_tier_benefits_and_gap():
    text = r.describe_membership({
        "tier": "ordinary", "tier_label": "普通客户", "benefits": ["标准客服服务", "生日积分礼"],
        "next_tier": {"tier": "key", "tier_label": "关键客户", "missing_spend_yuan": "1200.00",
                      "missing_orders": 2}, "points_balance": 300})
    assert "普通客户" in text and "标准客服服务；生日积分礼" in text
    assert "距离升级为关键客户，还需要再消费 ¥1200.00、再完成 2 笔订单" in text
    assert "最高等级" in r.next_tier_text(None)
    assert "已满足" in r.next_tier_text({"tier_label": "关键客户", "missing_spend_yuan": "0.00", "missing_orders": 0})


def test_catalogue_buttons_carry_the_reward_id():
    text, buttons = r.catalogue_reply(REWARDS, 800)
    assert "800 积分" in text and "满50.00元可用" in text and "无门槛" in text
    assert buttons[1]["payload"] == '/redeem_points{"reward_id":"coupon-10"}'
    assert r.catalogue_reply([], 10)[1] == []


def test_confirmation_shows_cost_balance_and_remainder():
    text = r.confirm_redeem(REWARDS[0], 800)
    assert "500 积分" in text and "当前有 800 积分" in text and "剩余 300 积分" in text and "确认" in text


def test_insufficient_explains_balance_against_needed():
    text = r.insufficient("10元无门槛券", 300, 1000)
    assert "需要 1000 积分" in text and "当前有 300 积分" in text and "还差 700 积分" in text and "没有扣除" in text


def test_redeemed_names_code_value_expiry_and_balance():
    text = r.redeemed({"coupon": {"code": "CP123", "title": "5元优惠券", "value_yuan": "5.00",
                                  "min_spend_yuan": "50.00", "expires_at": "2026-12-20T23:59:59+08:00"},
                       "balance": 300})
    for part in ("CP123", "¥5.00", "满50.00元可用", "12月20日", "300 分"):
        assert part in text


def test_churn_replies_say_what_was_granted():
    coupon = {"kind": "coupon", "title": "挽回优惠券", "value_yuan": "20.00", "min_spend_yuan": "99.00", "code": "WB1"}
    text = r.churn_reply({"action": "retention_offer", "offer": coupon})
    assert "抱歉" in text and "挽回优惠券" in text and "¥20.00" in text and "WB1" in text and "哪里" in text
    light = r.churn_reply({"action": "light_offer", "offer": {"kind": "points", "title": "回馈积分", "points": 100}})
    assert "100 积分" in light
    none = r.churn_reply({"action": "none", "offer": None})
    assert "抱歉" in none and "券" not in none and "积分" not in none
    assert "专属客服经理" in r.churn_handoff_lead_in({"action": "handoff_and_alert", "offer": None})
