"""The win-back decision by tier as a plain function (关键客户全力、普通客户尽力、小客户随缘、劣质客户放弃)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from crm_backend.loyalty.policy import RetentionOffer, RewardsPolicy


@dataclass(frozen=True)
class WinBackDecision:
    """What to do: the action, the offer to make (if any), whether to alert a person, and after
    how many days to follow up (0: no follow-up)."""

    tier_used: str
    bad_faith_used: bool
    action: str
    offer: Optional[RetentionOffer]
    alert_staff: bool
    hand_off: bool
    follow_up_days: int = 0


def decide_winback(tier: str, is_bad_faith: bool, policy: RewardsPolicy) -> WinBackDecision:
    """Pick the retention response for a tier; bad-faith customers get nothing discretionary."""
    rule = policy.retention["bad_faith" if is_bad_faith else tier]
    offer = rule if rule.kind != "none" and rule.action != "none" else None
    alert = rule.action == "handoff_and_alert"
    return WinBackDecision(tier, is_bad_faith, rule.action, offer, alert, alert,
                           rule.follow_up_days)


def follow_up_at(decision: WinBackDecision, started_at: datetime,
                 override_seconds: Optional[int] = None) -> Optional[datetime]:
    """When to follow the attempt up, or None when the policy asks for none; an override
    (CRM_FOLLOWUP_DELAY_SECONDS, for tests and demos) replaces the delay only."""
    if decision.follow_up_days <= 0:
        return None
    if override_seconds is not None:
        return started_at + timedelta(seconds=override_seconds)
    return started_at + timedelta(days=decision.follow_up_days)
