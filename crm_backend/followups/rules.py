"""Follow-up timing as plain rules: when one is due, and when a failed one is retried."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from crm_backend.core.time import BEIJING


@dataclass(frozen=True)
class FollowUpTiming:
    """When step 4 contacts the customer and how often a failed contact is retried."""

    after_due_hours: int = 24
    contact_start_hour: int = 10
    contact_end_hour: int = 20
    max_attempts: int = 5
    retry_backoff_seconds: int = 30


def within_contact_hours(moment: datetime, timing: FollowUpTiming) -> datetime:
    """Move `moment` forward into the Beijing contact window (same instant if already inside)."""
    local = moment.astimezone(BEIJING)
    start = local.replace(hour=timing.contact_start_hour, minute=0, second=0, microsecond=0)
    if local < start:
        return start.astimezone(moment.tzinfo)
    end_hour = timing.contact_end_hour
    end = (local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(hours=end_hour))
    if local >= end:
        return (start + timedelta(days=1)).astimezone(moment.tzinfo)
    return moment


def follow_up_due(executed_at: datetime, due_days: int, timing: FollowUpTiming,
                  override_seconds: Optional[int] = None) -> datetime:
    """When to contact the customer after a remedy carried out at `executed_at`.

    An override (CRM_FOLLOWUP_DELAY_SECONDS, for tests and demos) replaces the whole rule.
    """
    if override_seconds is not None:
        return executed_at + timedelta(seconds=override_seconds)
    due = executed_at + timedelta(days=due_days, hours=timing.after_due_hours)
    return within_contact_hours(due, timing)


def retry_delay(attempts: int, timing: FollowUpTiming) -> timedelta:
    """Wait after the `attempts`-th failed contact: base × 2^(attempts-1)."""
    return timedelta(seconds=timing.retry_backoff_seconds * 2 ** max(attempts - 1, 0))


def after_failure(attempts: int, now: datetime, timing: FollowUpTiming) -> Optional[datetime]:
    """The next try after a failure, or None when the attempts are used up (status failed)."""
    if attempts >= timing.max_attempts:
        return None
    return now + retry_delay(attempts, timing)


def firing_lease(now: datetime, rasa_timeout_seconds: int) -> datetime:
    """Until when a claimed follow-up belongs to the process firing it.

    Twice the Rasa timeout plus a margin: a call still running is never taken over, while one cut
    off by a crash or restart is fired again on a later pass instead of being lost.
    """
    return now + timedelta(seconds=2 * rasa_timeout_seconds + 30)
