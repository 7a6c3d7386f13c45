"""Step 3 of the complaint procedure as plain rules: which remedies to offer, and how to say them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Tuple

from crm_backend.complaints.rules import COMPENSATION_WISHES
from crm_backend.core.money import fen_to_yuan
from crm_backend.followups.rules import FollowUpTiming
from crm_backend.orders.rules import refundable_fen

KINDS = ("refund", "resend", "expedite", "coupon", "points", "price_difference", "escalate")


ORDER_KINDS = ("refund", "resend", "expedite", "price_difference")


COMPENSATION_WORDS = ("赔偿", "补偿", "赔钱", "赔付", "精神损失", "优惠券", "积分", "红包", "返现")


# What the customer may ask for in their own words or the bot's wish code, and the words that say it.
WISH_WORDS: Dict[str, Tuple[str, ...]] = {
    "refund": ("退款", "退钱", "退货", "把钱退", "全额退", "钱退"),
    "replacement": ("换货", "换一个", "换个新", "换新", "补发", "重新发", "再发一"),
    "ship": ("马上发", "赶紧发", "尽快发", "快点发", "立刻发", "立即发", "早点发", "快发", "催发",
             "加急", "给我发货", "赶快发", "抓紧发"),
    "compensation": COMPENSATION_WORDS + ("给个说法", "赔"),
}


# A wish word right after one of these is a wish not to: "不要退款，赶紧发货".
NEGATIONS = ("不要", "不想", "不用", "别", "不需要", "不是要")


# Which wishes each kind of remedy meets; a remedy meeting more of the customer's wishes goes first.
MEETS: Dict[str, frozenset] = {
    "refund": frozenset({"refund"}),
    "price_difference": frozenset({"refund", "compensation"}),
    "resend": frozenset({"replacement", "ship"}),
    "expedite": frozenset({"ship", "compensation"}),
    "coupon": frozenset({"compensation"}),
    "points": frozenset({"compensation"}),
    "escalate": frozenset(),
}


@dataclass(frozen=True)
class Remedy:
    """One remedy option of the policy (money in fen)."""

    key: str
    kind: str
    due_days: int
    percent: int = 0
    value_fen: int = 0
    min_spend_fen: int = 0
    valid_days: int = 0
    points: int = 0


@dataclass(frozen=True)
class Rule:
    """A row of the rule table; empty tuples and None match anything."""

    options: Tuple[str, ...]
    categories: Tuple[str, ...] = ()
    severities: Tuple[str, ...] = ()
    tiers: Tuple[str, ...] = ()
    repeat: Optional[bool] = None
    situations: Tuple[str, ...] = ()


@dataclass(frozen=True)
class RemedyTable:
    """The whole remedies policy."""

    options: Dict[str, Remedy]
    rules: Tuple[Rule, ...]
    repeat_window_days: int = 90
    repeat_min_complaints: int = 1
    max_alternatives: int = 1
    discretionary_kinds: Tuple[str, ...] = ("coupon", "points", "price_difference")
    owed_categories: Tuple[str, ...] = ("product_quality", "wrong_or_missing", "delivery")
    order_statuses: Dict[str, Tuple[str, ...]] = field(default_factory=dict)
    follow_up: FollowUpTiming = FollowUpTiming()


@dataclass(frozen=True)
class History:
    """What the customer's past and the complaint itself add to the decision."""

    recent_complaints: int = 0
    order_status: Optional[str] = None
    asks_compensation: bool = False
    order_total_fen: Optional[int] = None
    order_refunded_fen: int = 0
    situation: Optional[str] = None
    wishes: frozenset = frozenset()


ESCALATE = Remedy(key="escalate", kind="escalate", due_days=1)


def asks_for_compensation(expectation: Optional[str]) -> bool:
    """True when the customer's stated wish asks for compensation beyond a fix: the bot's wish
    code, or the words of a free-text wish."""
    if not expectation:
        return False
    return expectation in COMPENSATION_WISHES or any(w in expectation for w in COMPENSATION_WORDS)


def _said(text: str, word: str) -> bool:
    """`word` occurs in `text` at least once without a negation right before it."""
    start = text.find(word)
    while start >= 0:
        if not any(text[max(start - len(n), 0):start] == n for n in NEGATIONS):
            return True
        start = text.find(word, start + 1)
    return False


def wishes(expectation: Optional[str], words: str = "") -> frozenset:
    """The customer's wishes from the wish code or free-text wish and their own words."""
    found = {expectation} & set(WISH_WORDS) if expectation else set()
    text = f"{expectation or ''}\n{words}"
    found |= {wish for wish, said in WISH_WORDS.items() if any(_said(text, w) for w in said)}
    return frozenset(found)


def fit_to_wishes(options: List[Remedy], wished: frozenset) -> List[Remedy]:
    """The options with those meeting more of the customer's wishes first (order kept otherwise)."""
    if not wished:
        return options
    return sorted(options, key=lambda o: -len(MEETS.get(o.kind, frozenset()) & wished))


def _matches(rule: Rule, category: str, severity: str, tier: str, repeat: bool,
             situation: Optional[str] = None) -> bool:
    """Does one rule row apply?"""
    return ((not rule.categories or category in rule.categories)
            and (not rule.severities or severity in rule.severities)
            and (not rule.tiers or tier in rule.tiers)
            and (rule.repeat is None or rule.repeat == repeat)
            and (not rule.situations or situation in rule.situations))


def _owed(remedy: Remedy, category: str, table: RemedyTable) -> bool:
    """Whether policy strictly owes this remedy even to a bad-faith customer."""
    if remedy.kind == "escalate":
        return True
    return remedy.kind not in table.discretionary_kinds and category in table.owed_categories


def _executable(remedy: Remedy, history: History, table: RemedyTable) -> bool:
    """Order-bound remedies need an order in one of the policy's statuses; money back must fit in
    what the order's refunds have not yet given back."""
    if remedy.kind not in ORDER_KINDS:
        return True
    if history.order_status not in table.order_statuses.get(remedy.kind, ()):
        return False
    amount = amount_fen(remedy, history.order_total_fen)
    return amount is None or amount <= refundable_fen(history.order_total_fen or 0,
                                                      history.order_refunded_fen)


def propose_remedies(category: str, severity: str, tier: str, is_bad_faith: bool,
                     history: History, table: RemedyTable) -> List[Remedy]:
    """Ordered remedy options for a complaint (never empty: escalation is the last resort).

    The first matching rule gives the options (none it can carry out, or a person first: a
    person); when fewer of
    them can be carried out than the policy lets the bot offer, the next matching rules lend
    theirs, so that "换个方案" meets a real alternative whenever policy has one. Options meeting the customer's wishes go first."""
    if is_bad_faith and history.asks_compensation:
        return [table.options.get("escalate", ESCALATE)]
    repeat = history.recent_complaints >= table.repeat_min_complaints
    matching = [r for r in table.rules
                if _matches(r, category, severity, tier, repeat, history.situation)]
    wanted = 1 + table.max_alternatives
    options: List[Remedy] = []
    for lending, rule in enumerate(matching):
        for key in rule.options:
            if lending and len(options) >= wanted:
                break
            option = table.options[key]
            if (option.kind in {o.kind for o in options} or not _executable(option, history, table)
                    or (is_bad_faith and not _owed(option, category, table))):
                continue
            options.append(option)
        if not options or options[0].kind == "escalate" or len(options) >= wanted:
            break
    concrete = [o for o in options if o.kind != "escalate"]
    if concrete and options[0].kind != "escalate":
        options = fit_to_wishes(concrete, history.wishes) + [o for o in options if o.kind == "escalate"]
    return options or [table.options.get("escalate", ESCALATE)]


# Replacement orders take today's free sequence numbers from 9000 up, then below 9000 downwards
# (an order number holds four digits a day: KF + YYYYMMDD + NNNN).
RESEND_SEQUENCES = tuple(range(9000, 10000)) + tuple(range(8999, 0, -1))


def free_resend_sequence(taken: Iterable[int]) -> Optional[int]:
    """The sequence number a replacement order gets today, or None when all are taken."""
    used = set(taken)
    return next((n for n in RESEND_SEQUENCES if n not in used), None)


def offer_limit(option_count: int, max_alternatives: int) -> int:
    """How many options may be offered in total: the first plus at most `max_alternatives`."""
    return min(option_count, 1 + max_alternatives)


def alternatives_left(index: int, option_count: int, max_alternatives: int) -> int:
    """Alternatives still available after offering option `index`."""
    return max(offer_limit(option_count, max_alternatives) - 1 - index, 0)


def amount_fen(remedy: Remedy, order_total_fen: Optional[int]) -> Optional[int]:
    """Money a refund or price-difference remedy pays back (rounded down to the fen)."""
    if remedy.kind not in ("refund", "price_difference") or order_total_fen is None:
        return None
    return order_total_fen * remedy.percent // 100


def title(remedy: Remedy) -> str:
    """A short Chinese name of the remedy."""
    if remedy.kind == "refund":
        return "全额退款" if remedy.percent >= 100 else f"部分退款（{remedy.percent}%）"
    return {"resend": "补发同款", "expedite": "加急发货并补偿", "coupon": "补偿优惠券",
            "points": "补偿积分", "price_difference": "退还差价", "escalate": "专人处理"}[remedy.kind]


def description(remedy: Remedy, amount: Optional[int]) -> str:
    """What will happen and when, in Chinese, as offered to the customer."""
    if remedy.kind == "refund":
        share = "" if remedy.percent >= 100 else f"（订单金额的{remedy.percent}%，商品无需退回）"
        return (f"为您{'全额' if remedy.percent >= 100 else ''}退款 ¥{fen_to_yuan(amount or 0)}{share}，"
                f"预计{remedy.due_days}个工作日内原路退回您的付款账户")
    if remedy.kind == "price_difference":
        return (f"为您退还差价 ¥{fen_to_yuan(amount or 0)}（订单金额的{remedy.percent}%），"
                f"预计{remedy.due_days}个工作日内原路退回")
    if remedy.kind == "resend":
        return f"为您补发一件同款，无需额外付费，预计{remedy.due_days}天内发出"
    if remedy.kind == "expedite":
        return (f"马上通知仓库加急，{remedy.due_days * 24}小时内为您发出，"
                f"并补偿一张 ¥{fen_to_yuan(remedy.value_fen)} 优惠券"
                f"（满 ¥{fen_to_yuan(remedy.min_spend_fen)} 可用，{remedy.valid_days}天内有效），立即到账")
    if remedy.kind == "coupon":
        return (f"向您的账户发放一张 ¥{fen_to_yuan(remedy.value_fen)} 优惠券"
                f"（满 ¥{fen_to_yuan(remedy.min_spend_fen)} 可用，{remedy.valid_days}天内有效），立即到账")
    if remedy.kind == "points":
        return f"向您的账户发放 {remedy.points} 积分作为补偿，立即到账，可兑换优惠券"
    return f"由专人客服在{max(remedy.due_days, 1) * 24}小时内联系您，进一步为您处理"


def execution_summary(remedy: Remedy, amount: Optional[int], resend_order_no: Optional[str] = None,
                      coupon_code: Optional[str] = None) -> str:
    """What was done and when it completes, in Chinese, after the remedy was carried out."""
    if remedy.kind in ("refund", "price_difference"):
        what = "退还差价" if remedy.kind == "price_difference" else "退款"
        return (f"已为您提交{what} ¥{fen_to_yuan(amount or 0)}，"
                f"预计{remedy.due_days}个工作日内原路退回您的付款账户")
    if remedy.kind == "resend":
        return f"已为您创建补发订单 {resend_order_no}，预计{remedy.due_days}天内发出"
    if remedy.kind == "expedite":
        return (f"已通知仓库加急，订单将在{remedy.due_days * 24}小时内发出；"
                f"并已向您的账户发放 ¥{fen_to_yuan(remedy.value_fen)} 优惠券（{coupon_code}，"
                f"满 ¥{fen_to_yuan(remedy.min_spend_fen)} 可用，{remedy.valid_days}天内有效）")
    if remedy.kind == "coupon":
        return (f"已向您的账户发放 ¥{fen_to_yuan(remedy.value_fen)} 优惠券（{coupon_code}，"
                f"满 ¥{fen_to_yuan(remedy.min_spend_fen)} 可用，{remedy.valid_days}天内有效）")
    if remedy.kind == "points":
        return f"已向您的账户发放 {remedy.points} 积分"
    return f"已转交专人客服处理，将在{max(remedy.due_days, 1) * 24}小时内联系您"
