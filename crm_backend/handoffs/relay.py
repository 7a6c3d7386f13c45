"""Reaching the customer of a handed-off conversation through Rasa's HTTP API, in the channel
they use: a person's message as a bot event carrying who wrote it (the channel shows it as a
person's), and the hand back (the pause lifted, the bot's welcome back triggered)."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional
from urllib.parse import quote

import aiohttp

from crm_backend.core.vocabulary import PERSON_KEY
from crm_backend.followups.trigger import RasaEndpoint

# The intent the bot greets a customer back with when a person hands the conversation back.
HANDBACK_INTENT = "EXTERNAL_handback"

# The intent the bot tells the customer with that nobody could take the conversation.
EXPIRED_INTENT = "EXTERNAL_handoff_expired"


class RelayFailed(Exception):
    """Rasa could not be reached or refused; the message says which."""


async def _post(rasa: RasaEndpoint, path: str, body: Any,
                params: Optional[Dict[str, str]] = None) -> None:
    query = dict(params or {})
    if rasa.token:
        query["token"] = rasa.token
    try:
        async with aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=rasa.timeout_seconds)) as http:
            async with http.post(f"{rasa.url}{path}", params=query, json=body) as response:
                if response.status >= 300:
                    raise RelayFailed(f"Rasa answered {response.status}: "
                                      f"{(await response.text())[:200]}")
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        raise RelayFailed(f"Rasa unreachable: {error!r}") from error


async def send_person_message(rasa: RasaEndpoint, conversation_id: str,
                              output_channel: Optional[str], name: str, text: str) -> None:
    """Record the person's message in Rasa's tracker and, when the customer's channel can be
    pushed to, deliver it there now (the widget replays it on reconnect from the tracker)."""
    params = {"execute_side_effects": "true"}
    if output_channel:
        params["output_channel"] = output_channel
    event: List[Dict[str, Any]] = [{"event": "bot", "text": text,
                                    "metadata": {PERSON_KEY: {"name": name}}}]
    await _post(rasa, f"/conversations/{quote(conversation_id, safe='')}/tracker/events",
                event, params)


async def send_bot_message(rasa: RasaEndpoint, conversation_id: str, output_channel: str,
                           text: str) -> None:
    """A message from the service itself (a queue update) into the conversation."""
    await _post(rasa, f"/conversations/{quote(conversation_id, safe='')}/tracker/events",
                [{"event": "bot", "text": text}],
                {"execute_side_effects": "true", "output_channel": output_channel})


async def hand_back(rasa: RasaEndpoint, conversation_id: str, output_channel: Optional[str],
                    intent: str = HANDBACK_INTENT) -> None:
    """Lift the pause and let the bot greet the customer back in their channel. The pause left
    the turn unfinished (no `action_listen`), which would hide the greeting's rule from the bot."""
    path = f"/conversations/{quote(conversation_id, safe='')}"
    await _post(rasa, f"{path}/tracker/events",
                [{"event": "resume"}, {"event": "action", "name": "action_listen"}])
    params = {"output_channel": output_channel} if output_channel else {}
    await _post(rasa, f"{path}/trigger_intent", {"name": intent, "entities": {}}, params)
