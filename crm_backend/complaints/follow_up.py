"""Step 4 as a follow-up kind: the bot is triggered with the complaint's number, and the
complaint's timeline records that the customer was contacted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.complaints.store import add_event
from crm_backend.core.models import Complaint, FollowUp
from crm_backend.followups.kinds import FollowUpKind
from crm_backend.followups.trigger import Trigger

FOLLOW_UP_INTENT = "EXTERNAL_follow_up"


async def _trigger(db: AsyncSession, follow_up: FollowUp) -> Trigger:
    number = await db.scalar(select(Complaint.number).where(Complaint.id == follow_up.complaint_id))
    return Trigger(FOLLOW_UP_INTENT, {"complaint_no": number or ""})


async def _fired(db: AsyncSession, follow_up: FollowUp, now: datetime) -> None:
    complaint = await db.get(Complaint, follow_up.complaint_id)
    if complaint is not None:
        add_event(db, complaint, 4, "已发起回访，询问方案是否落实及满意度", now, actor="system")


COMPLAINT_FOLLOW_UP = FollowUpKind("complaint", lambda f: f.complaint_id is not None,
                                   _trigger, _fired)
