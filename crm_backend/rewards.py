"""Reward rules as plain functions: purchase points, redemption and milestone rewards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import List, Optional

from .rewards_policy import CatalogueReward, RewardsPolicy


@dataclass(frozen=True)
class RedemptionDecision:
    """Whether a redemption may go ahead, and the numbers behind the answer."""

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


def decide_redemption(balance: int, reward: CatalogueReward) -> RedemptionDecision:
    """Allow when the balance covers the cost; otherwise explain the shortfall in Chinese."""
    if balance >= reward.points_cost:
        return RedemptionDecision(True, balance, reward.points_cost, "")
    short = reward.points_cost - balance
    message = (f"积分不足：兑换“{reward.title}”需要{reward.points_cost}积分，"
               f"当前可用{max(balance, 0)}积分，还差{short}积分")
    return RedemptionDecision(False, balance, reward.points_cost, message)


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
