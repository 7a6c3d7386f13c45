"""The win-back follow-up as a follow-up kind: the bot is triggered with the attempt's id and
asks whether the customer will keep shopping."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.core.models import FollowUp
from crm_backend.followups.kinds import FollowUpKind
from crm_backend.followups.trigger import Trigger

WINBACK_FOLLOW_UP_INTENT = "EXTERNAL_winback_follow_up"


async def _trigger(db: AsyncSession, follow_up: FollowUp) -> Trigger:
    return Trigger(WINBACK_FOLLOW_UP_INTENT, {"winback_attempt": str(follow_up.winback_attempt_id)})


WINBACK_FOLLOW_UP = FollowUpKind("winback", lambda f: f.winback_attempt_id is not None, _trigger)
