"""The console's own rows: private notes on a handoff, and the canned replies."""

from __future__ import annotations

from datetime import datetime
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.core.models import CannedReply, HandoffNote


def add_note(db: AsyncSession, handoff_id: int, staff_id: int, text: str,
             now: datetime) -> HandoffNote:
    note = HandoffNote(handoff_id=handoff_id, staff_id=staff_id, text=text, created_at=now)
    db.add(note)
    return note


async def notes(db: AsyncSession, handoff_id: int) -> List[HandoffNote]:
    stmt = (select(HandoffNote).where(HandoffNote.handoff_id == handoff_id)
            .order_by(HandoffNote.id))
    return list((await db.execute(stmt)).scalars())


async def canned_replies(db: AsyncSession) -> List[CannedReply]:
    """The replies in use, by title."""
    stmt = (select(CannedReply).where(CannedReply.removed_at.is_(None))
            .order_by(CannedReply.title, CannedReply.id))
    return list((await db.execute(stmt)).scalars())


async def canned_reply(db: AsyncSession, reply_id: int) -> Optional[CannedReply]:
    reply = await db.get(CannedReply, reply_id)
    return reply if reply is not None and reply.removed_at is None else None


def save_canned_reply(db: AsyncSession, reply: Optional[CannedReply], title: str, text: str,
                      staff_id: int, now: datetime) -> CannedReply:
    """A new canned reply, or `reply` rewritten."""
    if reply is None:
        reply = CannedReply(title=title, text=text, updated_by=staff_id, updated_at=now)
        db.add(reply)
    else:
        reply.title, reply.text, reply.updated_by, reply.updated_at = title, text, staff_id, now
    return reply
