"""Win-back attempts to the JSON shape the bot and the console read."""

from __future__ import annotations

from typing import Any, Dict, Optional

from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.core.models import FollowUp, Notification, StaffUser, WinBackAttempt
from crm_backend.core.time import beijing_iso
from crm_backend.core.vocabulary import tier_label
from crm_backend.followups.views import follow_up_json
from crm_backend.notifications.views import note_json

ACTION_LABELS = {"handoff_and_alert": "转人工并通知负责人", "retention_offer": "挽回优惠",
                 "light_offer": "小额回馈", "none": "不做挽回", "task": "主管派发挽回任务"}


async def notification_json(db: AsyncSession, attempt: WinBackAttempt
                            ) -> Optional[Dict[str, Any]]:
    """The staff alert of an attempt (recipient by username), if one was sent."""
    if attempt.notification_id is None:
        return None
    note = await db.get(Notification, attempt.notification_id)
    if note is None:
        return None
    staff = await db.get(StaffUser, note.recipient_staff_id) if note.recipient_staff_id else None
    return note_json(note, staff)


def attempt_json(attempt: WinBackAttempt, notification: Optional[Dict[str, Any]],
                 follow_up: Optional[FollowUp]) -> Dict[str, Any]:
    """A win-back attempt as the bot and the console need it."""
    return {
        "attempt_id": attempt.id,
        "customer_id": attempt.customer_id,
        "conversation_id": attempt.conversation_id,
        "tier_used": attempt.tier_used,
        "tier_label": tier_label(attempt.tier_used),
        "bad_faith_used": bool(attempt.bad_faith_used),
        "action": attempt.action,
        "action_label": ACTION_LABELS[attempt.action],
        "hand_off": attempt.action == "handoff_and_alert",
        "offer": attempt.offer,
        "notification": notification,
        "outcome": attempt.outcome,
        "outcome_at": beijing_iso(attempt.outcome_at) if attempt.outcome_at else None,
        "follow_up": follow_up_json(follow_up),
    }
