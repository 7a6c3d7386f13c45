"""Loyalty rules as plain functions: tiers (RFM), the points ledger, rewards and the member view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Dict, Iterable, List, Optional, Tuple

from crm_backend.core.money import fen_to_rounded_yuan, fen_to_yuan
from crm_backend.core.time import BEIJING
from crm_backend.core.vocabulary import tier_label
from crm_backend.loyalty.policy import RewardsPolicy, TierPolicy, TierThresholds

VALUE_STATUSES = frozenset({"pending_shipment", "shipped", "delivered", "refunding"})


TIER_RANK = {"small": 0, "ordinary": 1, "key": 2}


DEFAULT_TIER_THRESHOLDS = TierThresholds()


def summarise_orders(
    orders: Iterable[Tuple[str, int, datetime]], now: datetime, window_days: int
) -> Tuple[int, int, Optional[datetime]]:
    """Spent fen, order count and last order time over paid, non-refunded orders in the window."""
    since = now - timedelta(days=window_days)
    spent, count, last = 0, 0, None
    for status, total_fen, created_at in orders:
        if status not in VALUE_STATUSES or created_at < since or created_at > now:
            continue
        spent += total_fen
        count += 1
        last = created_at if last is None or created_at > last else last
    return spent, count, last


def compute_tier(
    total_spent_fen: int,
    order_count: int,
    last_order_at: Optional[datetime],
    now: datetime,
    thresholds: TierThresholds = DEFAULT_TIER_THRESHOLDS,
) -> Tuple[str, str]:
    """Grade a customer as key / ordinary / small and explain why in Chinese."""
    if order_count <= 0 or last_order_at is None:
        return "small", "近一年无有效订单"
    summary = f"近一年消费{fen_to_rounded_yuan(total_spent_fen)}，下单{order_count}次"
    days_since = max((now - last_order_at).days, 0)
    if days_since > thresholds.recency_days:
        return "small", f"{summary}，但已{days_since}天未下单"
    if (
        total_spent_fen >= thresholds.key_min_spent_fen
        and order_count >= thresholds.key_min_orders
    ):
        return "key", summary
    if (
        total_spent_fen >= thresholds.ordinary_min_spent_fen
        or order_count >= thresholds.ordinary_min_orders
    ):
        return "ordinary", summary
    return "small", summary


@dataclass(frozen=True)
class TierGap:
    """What is missing to reach the next tier (key needs both, ordinary either)."""

    tier: str
    missing_spent_fen: int
    missing_orders: int


def is_upgrade(old_tier: Optional[str], new_tier: str) -> bool:
    """True when `new_tier` ranks above `old_tier` (a first grading is not an upgrade)."""
    return old_tier is not None and TIER_RANK[new_tier] > TIER_RANK[old_tier]


def next_tier_gap(
    tier: str, total_spent_fen: int, order_count: int,
    thresholds: TierThresholds = DEFAULT_TIER_THRESHOLDS,
) -> Optional[TierGap]:
    """The next tier up and the spend and orders still missing, or None for key customers."""
    if tier == "key":
        return None
    if tier == "ordinary":
        return TierGap(
            "key",
            max(thresholds.key_min_spent_fen - total_spent_fen, 0),
            max(thresholds.key_min_orders - order_count, 0),
        )
    return TierGap(
        "ordinary",
        max(thresholds.ordinary_min_spent_fen - total_spent_fen, 0),
        max(thresholds.ordinary_min_orders - order_count, 1 if order_count == 0 else 0),
    )


@dataclass(frozen=True)
class LedgerLine:
    """The parts of a ledger entry the balance depends on."""

    delta: int
    created_at: datetime
    expires_at: Optional[datetime] = None


@dataclass(frozen=True)
class Expiring:
    """Points that will lapse soon and the first date they do."""

    points: int
    expires_at: datetime


def expiry_for(granted_at: datetime, months: int) -> datetime:
    """End of the `months`-th month after the grant month, Beijing time, as aware UTC."""
    local = granted_at.astimezone(BEIJING)
    index = local.year * 12 + (local.month - 1) + months + 1
    first_of_next = datetime(index // 12, index % 12 + 1, 1, tzinfo=BEIJING)
    last_day = (first_of_next - timedelta(days=1)).date()
    return datetime.combine(last_day, time(23, 59, 59), tzinfo=BEIJING).astimezone(timezone.utc)


def _expire(lots: List[List], moment: datetime) -> None:
    """Drop positive lots that have expired at `moment`."""
    lots[:] = [lot for lot in lots if lot[0] < 0 or lot[1] is None or lot[1] > moment]


def _consume(lots: List[List], amount: int) -> int:
    """Take `amount` from the soonest-expiring positive lots; returns what could not be taken."""
    never = datetime.max.replace(tzinfo=timezone.utc)
    order = sorted((lot for lot in lots if lot[0] > 0), key=lambda lot: lot[1] or never)
    for lot in order:
        taken = min(lot[0], amount)
        lot[0] -= taken
        amount -= taken
        if amount == 0:
            break
    lots[:] = [lot for lot in lots if lot[0] != 0]
    return amount


def open_lots(lines: Iterable[LedgerLine], now: datetime
              ) -> List[Tuple[int, Optional[datetime]]]:
    """Unspent, unexpired (points, expires_at) lots; spending takes soonest expiry first."""
    lots: List[List] = []
    for line in sorted(lines, key=lambda item: item.created_at):
        if line.created_at > now:
            continue
        _expire(lots, line.created_at)
        if line.delta > 0:
            lots.append([line.delta, line.expires_at])
        elif line.delta < 0:
            short = _consume(lots, -line.delta)
            if short:
                lots.append([-short, None])
    _expire(lots, now)
    return [(points, expires_at) for points, expires_at in lots]


def balance(lines: Iterable[LedgerLine], now: datetime) -> int:
    """Spendable points at `now`: grants minus redemptions, expired remainders left out."""
    return sum(points for points, _ in open_lots(lines, now))


def expiring(lines: Iterable[LedgerLine], now: datetime, within_days: int) -> Optional[Expiring]:
    """Unspent points lapsing within `within_days` of `now`, with the earliest date, or None."""
    horizon = now + timedelta(days=within_days)
    lots = open_lots(lines, now)
    soon = [(p, at) for p, at in lots if p > 0 and at is not None and at <= horizon]
    if not soon:
        return None
    return Expiring(points=sum(p for p, _ in soon), expires_at=min(at for _, at in soon))


@dataclass(frozen=True)
class DebitDecision:
    """Whether points may be taken (a redemption), and the numbers behind the answer."""

    allowed: bool
    balance: int
    needed: int
    message: str


@dataclass(frozen=True)
class MilestoneGrant:
    """A birthday or anniversary grant that is due, with its exactly-once key."""

    kind: str
    points: int
    reason: str
    idempotency_key: str


def purchase_points(total_fen: int, policy: RewardsPolicy) -> int:
    """Points earned for an order: whole yuan paid times the policy rate."""
    return max(total_fen, 0) // 100 * policy.points_per_yuan


def decide_debit(balance: int, points: int, purpose: str) -> DebitDecision:
    """Allow taking `points` only when the spendable balance covers them, so it never goes below
    zero; otherwise explain the shortfall in Chinese (`purpose` says what the points are for)."""
    if points <= 0:
        raise ValueError("a debit takes a positive number of points")
    if balance >= points:
        return DebitDecision(True, balance, points, "")
    short = points - balance
    message = (f"积分不足：{purpose}需要{points}积分，"
               f"当前可用{max(balance, 0)}积分，还差{short}积分")
    return DebitDecision(False, balance, points, message)


def _same_day(anchor: date, today: date) -> bool:
    """Month and day match; 29 February is celebrated on 28 February in common years."""
    if (anchor.month, anchor.day) == (today.month, today.day):
        return True
    leap = today.year % 4 == 0 and (today.year % 100 != 0 or today.year % 400 == 0)
    is_feb_29 = (anchor.month, anchor.day) == (2, 29)
    return is_feb_29 and not leap and (today.month, today.day) == (2, 28)


def milestones_due(customer_id: int, tier: str, is_bad_faith: bool, birthday: Optional[date],
                   joined: date, today: date, policy: RewardsPolicy) -> List[MilestoneGrant]:
    """Birthday and membership-anniversary grants due today (keyed per customer, kind, year)."""
    due: List[MilestoneGrant] = []
    if is_bad_faith:
        return due
    if birthday is not None and _same_day(birthday, today):
        points = policy.birthday_points.get(tier, 0)
        if points > 0:
            due.append(MilestoneGrant("birthday", points, f"{today.year}年生日积分",
                                      f"birthday:{customer_id}:{today.year}"))
    years = today.year - joined.year
    if years >= 1 and _same_day(joined, today):
        points = policy.anniversary_points.get(tier, 0)
        if points > 0:
            due.append(MilestoneGrant("anniversary", points, f"注册{years}周年积分",
                                      f"anniversary:{customer_id}:{today.year}"))
    return due


def membership_view(tier: str, tier_reason: str, spent_fen: int, order_count: int,
                    balance: int, policy: TierPolicy) -> Dict[str, Any]:
    """The membership JSON shape for one customer."""
    gap = next_tier_gap(tier, spent_fen, order_count, policy.thresholds)
    next_tier = None if gap is None else {
        "tier": gap.tier,
        "tier_label": tier_label(gap.tier),
        "missing_spend_yuan": fen_to_yuan(gap.missing_spent_fen),
        "missing_orders": gap.missing_orders,
    }
    return {
        "tier": tier,
        "tier_label": tier_label(tier),
        "tier_reason": tier_reason,
        "benefits": list(policy.benefits.get(tier, ())),
        "next_tier": next_tier,
        "points_balance": balance,
    }
