"""The queue's background loop: a waiting handoff nobody claimed in time, or waiting outside
service hours, returns to the bot, which tells the customer honestly; a call-back is recorded."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import AsyncIterator, List, Optional

from aiohttp import web
from sqlalchemy.orm import sessionmaker

from crm_backend.core.background import running
from crm_backend.core.clock import Clock
from crm_backend.core.state import CLOCK_KEY, CONFIG_KEY, SESSIONS_KEY
from crm_backend.followups.scheduler import rasa_endpoint
from crm_backend.followups.trigger import RasaEndpoint
from crm_backend.handoffs import relay, store
from crm_backend.handoffs.policy import HandoffPolicy
from crm_backend.handoffs.rules import (QUEUE_UPDATE_CHANNELS, RASA_OUTPUT_CHANNELS,
                                        queue_update_text)

log = logging.getLogger(__name__)


async def return_to_bot(sessions: sessionmaker, rasa: Optional[RasaEndpoint], handoff_id: int,
                        now: datetime, reason: Optional[str]) -> bool:
    """Expire one handoff (if still waiting) and have the bot tell its customer; whether it was."""
    async with sessions() as db:
        handoff = await store.expire(db, handoff_id, now, reason)
        if handoff is None:
            return False
        conversation = handoff.conversation_id
        channel = await store.customer_channel(db, conversation)
        await db.commit()
    if rasa is not None:
        try:
            await relay.hand_back(rasa, conversation, RASA_OUTPUT_CHANNELS.get(channel or ""),
                                  relay.EXPIRED_INTENT)
        except relay.RelayFailed as error:
            log.warning("expired handoff %s not announced: %s", handoff_id, error)
    return True


async def announce_queue(sessions: sessionmaker, rasa: Optional[RasaEndpoint]) -> int:
    """The queue moved: tell each waiting customer who can be pushed to their new place; how
    many were told."""
    if rasa is None:
        return 0
    async with sessions() as db:
        waiting = await store.waiting_queue(db, "waiting", 200)
        targets = [(index, h.conversation_id, await store.customer_channel(db, h.conversation_id))
                   for index, h in enumerate(waiting)]
    told = 0
    for ahead, conversation, channel in targets:
        if channel not in QUEUE_UPDATE_CHANNELS:
            continue
        try:
            await relay.send_bot_message(rasa, conversation, RASA_OUTPUT_CHANNELS[channel],
                                         queue_update_text(ahead))
            told += 1
        except relay.RelayFailed as error:
            log.warning("queue update to %s failed: %s", conversation, error)
    return told


async def expire_due(sessions: sessionmaker, rasa: Optional[RasaEndpoint], clock: Clock,
                     policy: HandoffPolicy) -> List[int]:
    """One pass: every handoff due to return to the bot now; the ids returned."""
    now = clock.now()
    async with sessions() as db:
        due = [(h.id, store.expiry_reason(h, now, policy))
               for h in await store.due_for_expiry(db, now, policy)]
    expired = [hid for hid, reason in due
               if await return_to_bot(sessions, rasa, hid, clock.now(), reason)]
    if expired:
        await announce_queue(sessions, rasa)
    return expired


async def _loop(app: web.Application, policy: HandoffPolicy) -> None:
    while True:
        await asyncio.sleep(policy.poll_seconds)
        try:
            await expire_due(app[SESSIONS_KEY], rasa_endpoint(app[CONFIG_KEY]), app[CLOCK_KEY],
                             policy)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("handoff expiry pass failed")


async def expiry_loop(app: web.Application, policy: HandoffPolicy) -> AsyncIterator[None]:
    """cleanup_ctx: the expiry loop runs while the app does."""
    async for _ in running(_loop(app, policy), "handoff-expiry"):
        yield
