"""The follow-up scheduler: a background task that fires due follow-ups through Rasa."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, AsyncIterator, Dict, List, Optional, Sequence, Tuple

import aiohttp
from aiohttp import web
from sqlalchemy.orm import sessionmaker

from crm_backend.core.background import running
from crm_backend.core.clock import Clock
from crm_backend.core.config import CRMConfig
from crm_backend.core.models import FollowUp
from crm_backend.core.state import CLOCK_KEY, CONFIG_KEY, SESSIONS_KEY
from crm_backend.core.time import beijing_iso
from crm_backend.followups.kinds import FollowUpKind, kind_of
from crm_backend.followups.rules import FollowUpTiming, firing_lease
from crm_backend.followups.store import claim, due_ids, mark_failed, mark_fired
from crm_backend.followups.trigger import (RasaEndpoint, TriggerFailed, bot_messages,
                                           trigger_follow_up)

log = logging.getLogger(__name__)


CLIENT_KEY = web.AppKey("followup_client", aiohttp.ClientSession)


@dataclass(frozen=True)
class FollowUps:
    """What the app's domains registered: their follow-up kinds, and the retry timing."""

    kinds: Tuple[FollowUpKind, ...]
    timing: FollowUpTiming


FOLLOW_UPS_KEY = web.AppKey("follow_ups", FollowUps)


def rasa_endpoint(config: CRMConfig) -> Optional[RasaEndpoint]:
    """Rasa's HTTP API from the config, or None when KEFU_RASA_URL is unset."""
    if not config.rasa_url:
        return None
    return RasaEndpoint(config.rasa_url, config.rasa_token, config.rasa_timeout_seconds)


async def _fire_one(sessions: sessionmaker, client: aiohttp.ClientSession, rasa: RasaEndpoint,
                    follow_up_id: int, clock: Clock, timing: FollowUpTiming,
                    kinds: Sequence[FollowUpKind]) -> Optional[Dict[str, Any]]:
    """Claim and fire one follow-up; None when another process claimed it first. No transaction
    is open while Rasa answers: the bot asks the CRM before it does."""
    now = clock.now()
    async with sessions() as db:
        if not await claim(db, follow_up_id, now, firing_lease(now, rasa.timeout_seconds)):
            return None
        follow_up = await db.get(FollowUp, follow_up_id)
        kind = kind_of(kinds, follow_up)
        trigger = await kind.trigger(db, follow_up)
        await db.commit()
        outcome: Dict[str, Any] = {"id": follow_up_id, "kind": kind.name,
                                   "intent": trigger.intent, "entities": trigger.entities,
                                   "conversation_id": follow_up.conversation_id}
        try:
            answer = await trigger_follow_up(client, rasa, follow_up.conversation_id, trigger)
        except TriggerFailed as exc:
            status, retry_at = await mark_failed(db, follow_up, str(exc), clock.now(), timing)
            log.warning("follow-up %s (%s %s) failed (attempt %s): %s", follow_up_id,
                        trigger.intent, trigger.entities, follow_up.attempts, exc)
            outcome.update(status=status, error=str(exc),
                           retry_at=beijing_iso(retry_at) if retry_at else None)
        else:
            await kind.fired(db, follow_up, clock.now())
            await mark_fired(db, follow_up, answer, clock.now())
            log.info("follow-up %s (%s %s) fired", follow_up_id, trigger.intent, trigger.entities)
            outcome.update(status="fired", messages=bot_messages(answer))
        outcome["attempts"] = follow_up.attempts
        return outcome


async def run_due(sessions: sessionmaker, client: aiohttp.ClientSession, rasa: RasaEndpoint,
                  timing: FollowUpTiming, clock: Clock, kinds: Sequence[FollowUpKind]
                  ) -> List[Dict[str, Any]]:
    """One scheduler pass: fire every follow-up due now by `clock`; what happened to each."""
    async with sessions() as db:
        ids = await due_ids(db, clock.now())
    results = [await _fire_one(sessions, client, rasa, fid, clock, timing, kinds) for fid in ids]
    return [r for r in results if r is not None]


async def run_app_pass(app: web.Application, client: aiohttp.ClientSession
                       ) -> List[Dict[str, Any]]:
    """A pass with the app's database, Rasa endpoint, clock and registered kinds."""
    rasa = rasa_endpoint(app[CONFIG_KEY])
    assert rasa is not None
    setup = app[FOLLOW_UPS_KEY]
    return await run_due(app[SESSIONS_KEY], client, rasa, setup.timing, app[CLOCK_KEY],
                         setup.kinds)


async def _loop(app: web.Application) -> None:
    """Sleep, pass, repeat until cancelled; a failing pass is logged and the loop goes on."""
    interval = app[CONFIG_KEY].followup_poll_seconds
    while True:
        await asyncio.sleep(interval)
        try:
            await run_app_pass(app, app[CLIENT_KEY])
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("follow-up scheduler pass failed")


async def scheduler(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the loop runs while the app does; off when KEFU_RASA_URL is unset."""
    if rasa_endpoint(app[CONFIG_KEY]) is None:
        log.info("KEFU_RASA_URL is not set: follow-up scheduler disabled")
        yield
        return
    async with aiohttp.ClientSession() as client:
        app[CLIENT_KEY] = client
        async for _ in running(_loop(app), "followup-scheduler"):
            yield
