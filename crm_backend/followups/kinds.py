"""What a follow-up is about is its owning domain's business: each domain registers a kind.

The follow-up machinery (store, scheduler, trigger) knows no domain. A kind says which stored
follow-ups are its own, which external intent the bot is triggered with, and what to record once
the bot has asked. `create_app` hands the scheduler the kinds of every domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.core.models import FollowUp
from crm_backend.followups.trigger import Trigger


async def _nothing(db: AsyncSession, follow_up: FollowUp, now: datetime) -> None:
    """Most kinds record nothing beyond the follow-up's own row."""


@dataclass(frozen=True)
class FollowUpKind:
    """One domain's follow-ups."""

    name: str
    owns: Callable[[FollowUp], bool]
    trigger: Callable[[AsyncSession, FollowUp], Awaitable[Trigger]]
    fired: Callable[[AsyncSession, FollowUp, datetime], Awaitable[None]] = _nothing


class UnknownKind(LookupError):
    """A stored follow-up that no registered kind owns."""


def kind_of(kinds: Sequence[FollowUpKind], follow_up: FollowUp) -> FollowUpKind:
    """The registered kind that owns `follow_up`."""
    for kind in kinds:
        if kind.owns(follow_up):
            return kind
    raise UnknownKind(f"follow-up {follow_up.id} belongs to no registered kind")
