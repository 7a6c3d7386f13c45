"""Points, membership, redemption (exactly once) and win-back by tier, end to end."""

import time

import pytest

from tests.e2e.conftest import RunningStack, new_sender, reply_text
from tests.e2e.inquiry_helpers import call_action, handoffs_of, payloads, texts
from tests.e2e.test_complaints import bot_texts

pytestmark = pytest.mark.e2e


def token_meta(stack: RunningStack, customer_id: int) -> dict:
    return {"customer_token": stack.token(customer_id)}


def balance(stack: RunningStack, customer_id: int) -> int:
    return stack.crm(f"/api/customers/{customer_id}/points")["balance"]


@pytest.fixture(scope="module")
def catalogue(stack):
    return sorted(stack.crm("/api/rewards/catalogue")["rewards"], key=lambda r: r["points_cost"])


def customer_with_points(stack, at_least: int, skip=()) -> int:
    for customer_id in range(1, 60):
        if customer_id in skip:
            continue
        try:
            if balance(stack, customer_id) >= at_least:
                return customer_id
        except Exception:
            continue
    pytest.skip(f"no seeded customer has {at_least} points")


def test_points_balance_equals_the_crm(stack):
    expected = balance(stack, 1)
    text = reply_text(stack.say(new_sender(), "我有多少积分", token_meta(stack, 1)))
    assert f"积分余额是 {expected} 分" in text


def test_membership_names_tier_benefits_and_next_tier(stack):
    member = stack.crm("/api/customers/2/membership")
    text = reply_text(stack.say(new_sender(), "我是什么会员", token_meta(stack, 2)))
    assert member["tier_label"] in text
    assert all(b in text for b in member["benefits"])
    if member["next_tier"]:
        assert member["next_tier"]["tier_label"] in text


def test_redeem_with_confirmation_writes_a_coupon_and_spends_once(stack, catalogue):
    reward = catalogue[0]
    customer_id = customer_with_points(stack, reward["points_cost"])
    before = balance(stack, customer_id)
    sender, meta = new_sender(), token_meta(stack, customer_id)

    offered = stack.say(sender, "积分能换什么", meta)
    choice = f'/redeem_points{{"reward_id":"{reward["id"]}"}}'
    assert choice in payloads(offered)

    confirm = reply_text(stack.say(sender, choice, meta))
    assert f"需要 {reward['points_cost']} 积分" in confirm and f"当前有 {before} 积分" in confirm
    assert balance(stack, customer_id) == before

    done = reply_text(stack.say(sender, "/affirm", meta))
    assert "兑换成功" in done and "券码" in done
    assert balance(stack, customer_id) == before - reward["points_cost"]
    assert f"当前积分余额 {before - reward['points_cost']} 分" in done


def test_a_reward_named_in_words_is_confirmed_and_an_unknown_one_lists_what_exists(stack,
                                                                                   catalogue):
    reward = catalogue[0]
    customer_id = customer_with_points(stack, reward["points_cost"])
    before = balance(stack, customer_id)
    sender, meta = new_sender(), token_meta(stack, customer_id)
    confirm = reply_text(stack.say(sender, f"我想用积分换{reward['title']}", meta))
    assert reward["title"] in confirm and f"需要 {reward['points_cost']} 积分" in confirm
    missing = reply_text(stack.say(new_sender(), "积分能换100000元的券吗", meta))
    assert "没有「100000元」" in missing
    assert all(r["title"] in missing for r in catalogue)
    assert balance(stack, customer_id) == before


def test_right_after_the_reward_list_a_typed_choice_picks_a_reward(stack, catalogue):
    reward = catalogue[0]
    customer_id = customer_with_points(stack, reward["points_cost"])
    before = balance(stack, customer_id)
    for answer in ("第一个", f"{reward['title']}那个"):
        sender, meta = new_sender(), token_meta(stack, customer_id)
        offered = stack.say(sender, "积分能换什么", meta)
        assert f'/redeem_points{{"reward_id":"{reward["id"]}"}}' == payloads(offered)[0]
        confirm = reply_text(stack.say(sender, answer, meta))
        assert reward["title"] in confirm and "确认兑换" in confirm, (answer, confirm)
        assert "哪一笔" not in confirm
    assert balance(stack, customer_id) == before


def test_an_answer_naming_no_order_never_gets_the_list_of_recent_orders(stack):
    replies = stack.say(new_sender(), "10元那个", token_meta(stack, 1))
    assert "哪一笔" not in reply_text(replies)
    assert not any('"order_no"' in p for p in payloads(replies))


def test_retried_confirmation_redeems_only_once(stack, catalogue):
    reward = catalogue[0]
    customer_id = customer_with_points(stack, reward["points_cost"])
    before = balance(stack, customer_id)
    slots = {"pending_confirmation": {"kind": "redeem", "reward_id": reward["id"],
                                      "title": reward["title"]}}
    sender, stamp = new_sender(), time.time()
    first = call_action(stack, "action_confirm", sender, slots, "确认兑换", "affirm", stamp,
                        customer_id=customer_id)
    again = call_action(stack, "action_confirm", sender, slots, "确认兑换", "affirm", stamp,
                        customer_id=customer_id)
    assert "兑换成功" in texts(first) and texts(first) == texts(again)  # the same coupon code
    assert balance(stack, customer_id) == before - reward["points_cost"]


def test_insufficient_points_are_explained_and_nothing_is_written(stack, catalogue):
    reward = catalogue[-1]
    customer_id = next(c for c in (4, 3, 5, 2, 1) if balance(stack, c) < reward["points_cost"])
    before = stack.crm(f"/api/customers/{customer_id}/points")
    sender, meta = new_sender(), token_meta(stack, customer_id)
    text = reply_text(stack.say(sender, f'/redeem_points{{"reward_id":"{reward["id"]}"}}', meta))
    assert f"需要 {reward['points_cost']} 积分" in text and f"当前有 {before['balance']} 积分" in text
    assert "还差" in text
    # Even a forced confirmation is refused by the CRM and explained the same way.
    slots = {"pending_confirmation": {"kind": "redeem", "reward_id": reward["id"],
                                      "title": reward["title"]}}
    forced = texts(call_action(stack, "action_confirm", new_sender(), slots, "确认", "affirm",
                               customer_id=customer_id))
    assert "还差" in forced
    assert stack.crm(f"/api/customers/{customer_id}/points") == before


def winback_attempt(stack, customer_id: int, sender: str, stamp: float) -> dict:
    """Read back the bot's attempt: the same idempotency key returns the stored one."""
    return stack.crm(f"/api/customers/{customer_id}/winback", "POST", {
        "conversation_id": sender, "trigger": "churn_language",
        "idempotency_key": f"{sender}:{stamp}:winback"})


def test_churn_of_a_key_customer_hands_off_and_alerts(stack):
    customer = stack.crm("/api/customers/1")
    assert customer["tier"] == "key"
    sender, stamp = new_sender(), time.time()
    result = call_action(stack, "action_churn_response", sender, {},
                         "以后再也不在你们家买了", "churn_signal", stamp, customer_id=1)
    assert "抱歉" in texts(result) and "人工客服" in texts(result)
    assert any(e["event"] == "pause" for e in result["events"])
    attempt = winback_attempt(stack, 1, sender, stamp)
    assert attempt["action"] == "handoff_and_alert" and attempt["notification"]
    handoffs = handoffs_of(stack, sender)
    assert len(handoffs) == 1 and handoffs[0]["reason"] == "churn_key_customer"


def test_churn_of_an_ordinary_customer_grants_the_offer_it_names(stack):
    customer = stack.crm("/api/customers/2")
    assert customer["tier"] == "ordinary" and not customer["is_bad_faith"]
    sender, stamp = new_sender(), time.time()
    result = call_action(stack, "action_churn_response", sender, {},
                         "以后再也不在你们家买了", "churn_signal", stamp, customer_id=2)
    attempt = winback_attempt(stack, 2, sender, stamp)
    assert attempt["action"] == "retention_offer" and attempt["offer"]
    text = texts(result)
    assert "抱歉" in text and attempt["offer"]["title"] in text
    if attempt["offer"].get("code"):
        assert attempt["offer"]["code"] in text
    assert not any(e["event"] == "pause" for e in result["events"])


def test_churn_of_a_bad_faith_customer_is_polite_without_an_offer(stack):
    assert stack.crm("/api/customers/5")["is_bad_faith"]
    sender, stamp = new_sender(), time.time()
    result = call_action(stack, "action_churn_response", sender, {},
                         "以后再也不在你们家买了", "churn_signal", stamp, customer_id=5)
    attempt = winback_attempt(stack, 5, sender, stamp)
    assert attempt["action"] == "none" and not attempt["offer"]
    text = texts(result)
    assert "抱歉" in text and "券" not in text and "积分" not in text


def test_churn_through_the_channel_for_an_unknown_customer_is_sincere_without_offers(stack):
    text = reply_text(stack.say(new_sender(), "以后再也不在你们家买了"))
    assert "抱歉" in text and "券" not in text and "订单号" not in text.split("。")[0]


def test_churn_through_the_channel_for_an_ordinary_customer(stack):
    text = reply_text(stack.say(new_sender(), "以后再也不在你们家买了", token_meta(stack, 2)))
    assert "抱歉" in text and "已到账" in text


def last_user_stamp(stack: RunningStack, sender: str) -> float:
    """The timestamp of the conversation's latest user message (part of the bot's keys)."""
    events = stack.tracker(sender)["events"]
    return [e for e in events if e["event"] == "user"][-1]["timestamp"]


def wait_until_fired(stack: RunningStack, follow_up_id: int, seconds: float = 30) -> dict:
    """The follow-up once fired (by run-due or by the background scheduler)."""
    deadline = time.monotonic() + seconds
    while True:
        follow_up = stack.crm(f"/api/followups/{follow_up_id}")["follow_up"]
        if follow_up["status"] == "fired" or time.monotonic() > deadline:
            return follow_up
        time.sleep(0.5)


@pytest.mark.parametrize("answer, outcome", [
    ("/affirm", "stayed"),
    ("会的，以后还在你们家买", "stayed"),
    ("不会了，已经换别家了", "left"),
])
def test_ordinary_churn_is_followed_up_and_the_answer_recorded(stack, answer, outcome):
    sender, meta = new_sender(), token_meta(stack, 2)
    offered = reply_text(stack.say(sender, "以后再也不在你们家买了", meta))
    attempt = winback_attempt(stack, 2, sender, last_user_stamp(stack, sender))
    assert attempt["action"] == "retention_offer" and attempt["offer"]["code"] in offered
    follow_up = attempt["follow_up"]
    assert follow_up and follow_up["status"] == "scheduled"

    stack.crm(f"/api/followups/{follow_up['id']}/due", "POST",
              {"due_at": "2000-01-01T00:00:00+08:00"})
    stack.crm("/api/followups/run-due", "POST", {})
    assert wait_until_fired(stack, follow_up["id"])["status"] == "fired"
    asked = [t for t in bot_texts(stack, sender) if "回访" in t]
    assert asked and attempt["offer"]["title"] in asked[-1]

    said = reply_text(stack.say(sender, answer, meta))
    recorded = stack.crm(f"/api/winback/{attempt['attempt_id']}")
    assert recorded["outcome"] == outcome and recorded["outcome_at"]
    if outcome == "stayed":
        assert "继续支持" in said
    else:
        assert "人工" in said
        assert len(handoffs_of(stack, sender)) == 1