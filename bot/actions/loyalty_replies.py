"""Chinese wording for points, membership, redemption and win-back, from the CRM's JSON.

Plain functions (no Rasa, no I/O). Shapes are the CRM's: GET /points, GET /membership,
GET /rewards/catalogue, POST /points/redeem, POST /winback.
"""

import re
from typing import Any, Dict, List, Optional, Tuple

from bot.actions.inquiry_replies import when

Buttons = List[Dict[str, str]]

LOYALTY_UNAVAILABLE = "抱歉，积分会员系统暂时查不到您的信息，请稍后再试；也可以说「转人工」请同事帮您查询。"

# ------------------------------------------------------------------ points


def describe_points(points: Dict[str, Any]) -> str:
    """Balance, what expires soon, and how to use them."""
    balance = int(points.get("balance") or 0)
    lines = [f"您当前的积分余额是 {balance} 分。"]
    expiring = points.get("expiring")
    if isinstance(expiring, dict) and expiring.get("points"):
        lines.append(f"其中 {expiring['points']} 分将于 {when(expiring.get('expires_at'))} 到期，"
                     "记得在到期前使用哦。")
    if balance > 0:
        lines.append("积分可以兑换优惠券，说「积分兑换」就能看到能换什么。")
    else:
        lines.append("购物每消费 1 元可得积分，确认收货后到账，攒够就能兑换优惠券。")
    return "\n".join(lines)


# ------------------------------------------------------------------ membership


def next_tier_text(next_tier: Optional[Dict[str, Any]]) -> str:
    if not next_tier:
        return "您已经是最高等级的会员，感谢您一直以来的支持！"
    label = next_tier.get("tier_label", "")
    gaps = []
    spend = next_tier.get("missing_spend_yuan")
    if spend and str(spend) not in ("0", "0.00", "0.0"):
        gaps.append(f"再消费 ¥{spend}")
    orders = next_tier.get("missing_orders")
    if isinstance(orders, int) and orders > 0:
        gaps.append(f"再完成 {orders} 笔订单")
    if not gaps:
        return f"您已满足升级为{label}的条件，等级会在下次评定时自动更新。"
    return f"距离升级为{label}，还需要{'、'.join(gaps)}。"


def describe_membership(member: Dict[str, Any]) -> str:
    lines = [f"您目前是我们的「{member.get('tier_label', '')}」。"]
    benefits = member.get("benefits") or []
    if benefits:
        lines.append("您享有的权益：" + "；".join(benefits) + "。")
    lines.append(next_tier_text(member.get("next_tier")))
    if member.get("points_balance") is not None:
        lines.append(f"当前积分 {member['points_balance']} 分，说「积分兑换」可以换优惠券。")
    return "\n".join(lines)


# ------------------------------------------------------------------ redemption

REDEEM_KEPT = "好的，这次先不兑换，积分为您保留着。想兑换的时候随时告诉我。"
CONFIRM_BUTTONS = [
    {"title": "确认兑换", "payload": "/affirm"},
    {"title": "先不换", "payload": "/deny"},
]


def reward_line(reward: Dict[str, Any]) -> str:
    limit = reward.get("min_spend_yuan")
    condition = "无门槛" if not limit or str(limit) in ("0", "0.00") else f"满{limit}元可用"
    return f"{reward['title']}（{reward['points_cost']} 积分，{condition}）"


def catalogue_reply(rewards: List[Dict[str, Any]], balance: Optional[int]) -> Tuple[str, Buttons]:
    """The catalogue as buttons; the balance so the customer knows what they can afford."""
    if not rewards:
        return "积分商城暂时没有可兑换的项目，上新后第一时间告诉您。", []
    lines = [f"您当前有 {balance} 积分，可以兑换：" if balance is not None else "积分可以兑换："]
    lines += [f"· {reward_line(r)}" for r in rewards]
    lines.append("点选想兑换的项目，我会先跟您确认再兑换。")
    buttons = [{"title": f"{r['title']}（{r['points_cost']}分）",
                "payload": f'/redeem_points{{"reward_id":"{r["id"]}"}}'} for r in rewards]
    return "\n".join(lines), buttons


_YUAN = re.compile(r"(\d+)\s*(?:元|块)")
_MIN_SPEND = re.compile(r"满\s*(\d+)")
_SPACES = re.compile(r"\s+")


def _value(reward: Dict[str, Any], key: str) -> Optional[int]:
    try:
        return int(float(reward.get(key)))
    except (TypeError, ValueError):
        return None


def reward_named(rewards: List[Dict[str, Any]], text: str
                 ) -> Tuple[Optional[Dict[str, Any]], Optional[str]]:
    """The one reward the words name (its title, its value "10元", "满199", "无门槛"), or — when
    they name a value no reward has — None and that value as the customer said it."""
    plain = _SPACES.sub("", text or "")
    titled = [r for r in rewards if r.get("title") and _SPACES.sub("", r["title"]) in plain]
    if len(titled) == 1:
        return titled[0], None
    values = [int(v) for v in _YUAN.findall(plain)]
    spends = [int(v) for v in _MIN_SPEND.findall(plain)]
    candidates = rewards
    if values:
        candidates = [r for r in candidates if _value(r, "value_yuan") in values]
    if spends:
        candidates = [r for r in candidates if _value(r, "min_spend_yuan") in spends]
    if "无门槛" in plain:
        candidates = [r for r in candidates if not _value(r, "min_spend_yuan")]
    if not (values or spends or "无门槛" in plain):
        return None, None
    if len(candidates) == 1:
        return candidates[0], None
    if not candidates:
        asked = "、".join([f"{v}元" for v in values] + [f"满{v}" for v in spends]
                         + (["无门槛"] if "无门槛" in plain else []))
        return None, asked
    return None, None


def unknown_reward(asked: str, rewards: List[Dict[str, Any]], balance: Optional[int]
                   ) -> Tuple[str, Buttons]:
    """No reward is what the customer named: say so, then what can be redeemed."""
    text, buttons = catalogue_reply(rewards, balance)
    return f"积分商城里没有「{asked}」的兑换项目。{text}", buttons


def confirm_redeem(reward: Dict[str, Any], balance: int) -> str:
    after = balance - int(reward["points_cost"])
    return (f"兑换「{reward_line(reward)}」需要 {reward['points_cost']} 积分，您当前有 {balance} 积分，"
            f"兑换后剩余 {after} 积分。确认兑换吗？")


def insufficient(reward_title: str, balance: int, needed: int) -> str:
    short = max(needed - balance, 0)
    return (f"兑换「{reward_title}」需要 {needed} 积分，您当前有 {balance} 积分，还差 {short} 积分，"
            "这次暂时兑换不了，积分也没有扣除。购物确认收货后会得到积分；"
            "也可以看看所需积分更少的项目，说「积分兑换」即可。")


def redeemed(result: Dict[str, Any]) -> str:
    coupon = result.get("coupon") or {}
    limit = coupon.get("min_spend_yuan")
    condition = "无门槛" if not limit or str(limit) in ("0", "0.00") else f"满{limit}元可用"
    return (f"兑换成功！已为您发放「{coupon.get('title', '优惠券')}」：面值 ¥{coupon.get('value_yuan')}，"
            f"{condition}，券码 {coupon.get('code')}，有效期至 {when(coupon.get('expires_at'))}。"
            f"\n当前积分余额 {result.get('balance')} 分。下单结算时会自动显示可用的券。")


# ------------------------------------------------------------------ churn and win-back

CHURN_UNKNOWN = (
    "非常抱歉让您有了不好的体验，您的感受我们很重视。能告诉我发生了什么吗？"
    "如果和某笔订单有关，把订单号发给我，我马上为您查清楚、尽力解决；"
    "也可以说「转人工」，请同事直接和您沟通。"
)
CHURN_APOLOGY = "非常抱歉让您失望了，这是我们做得不够好，真的很感谢您愿意告诉我们。"


def offer_text(offer: Optional[Dict[str, Any]]) -> str:
    """What was actually granted, in words (the CRM already wrote it)."""
    if not isinstance(offer, dict):
        return ""
    if offer.get("kind") == "coupon":
        limit = offer.get("min_spend_yuan")
        condition = "无门槛" if not limit or str(limit) in ("0", "0.00") else f"满{limit}元可用"
        code = f"，券码 {offer['code']}" if offer.get("code") else ""
        return f"一张「{offer.get('title', '优惠券')}」¥{offer.get('value_yuan')}（{condition}{code}）"
    if offer.get("kind") == "points":
        return f"{offer.get('points')} 积分（{offer.get('title', '回馈积分')}）"
    return ""


def churn_reply(attempt: Dict[str, Any]) -> str:
    """The words for a win-back attempt that is not a handoff."""
    action = attempt.get("action")
    granted = offer_text(attempt.get("offer"))
    if action == "retention_offer":
        text = CHURN_APOLOGY
        if granted:
            text += f"\n为了表达歉意，已经为您的账户发放了{granted}，已到账，下单时可以直接使用。"
        return text + "\n能告诉我具体是哪里让您不满意吗？我会认真记录，尽力帮您解决；需要的话也可以说「转人工」。"
    if action == "light_offer":
        text = "很抱歉给您带来了不好的感受，谢谢您告诉我们。"
        if granted:
            text += f"\n一点心意：已为您的账户送上{granted}，已到账。"
        return text + "\n如果是遇到了具体问题，告诉我发生了什么，我马上帮您处理。"
    return ("很抱歉给您带来了不好的感受，您的意见我们已经记录下来。"
            "如果是遇到了具体问题，告诉我发生了什么，我会尽力帮您处理；也可以说「转人工」。")


def churn_handoff_lead_in(attempt: Dict[str, Any]) -> str:
    granted = offer_text(attempt.get("offer"))
    text = "非常抱歉让您失望了！您是我们非常重视的客户，这件事我已经第一时间通知您的专属客服经理。"
    if granted:
        text += f"另外已为您的账户发放了{granted}，聊表歉意。"
    return text + "\n"


# ------------------------------------------------------------------ win-back follow-up

WINBACK_FOLLOW_UP_BUTTONS = [
    {"title": "还会继续支持", "payload": "/affirm"},
    {"title": "还是不满意", "payload": "/deny"},
]
WINBACK_STAYED = ("太好了，谢谢您还愿意继续支持我们，这对我们真的很重要！"
                  "以后有任何不顺心的地方，随时来找小福，我们会做得更好😊")
WINBACK_LEFT_LEAD_IN = ("真的很抱歉，还是没能让您满意。您的感受我们都记下了，"
                        "这就请同事直接和您沟通，把问题彻底解决好。\n")


def winback_follow_up_text(attempt: Dict[str, Any]) -> str:
    """The follow-up greeting: recall the offer by its title, then ask whether they will stay
    (asked last, so a typed "会的"/"不会了" answers that question)."""
    offer = attempt.get("offer")
    title = offer.get("title") if isinstance(offer, dict) else None
    recall = "之前您跟我们反映过一些不愉快的经历"
    if title:
        recall += f"，当时为您送上了「{title}」表达歉意"
    return (f"您好，我是小福～{recall}，今天特地来回访一下您。"
            "最近购物还顺心吗？如果还有让您不满意的地方，尽管告诉我；"
            "也想问问您，以后还愿意继续在我们这里购物吗？")
