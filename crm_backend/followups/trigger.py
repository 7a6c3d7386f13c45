"""Asking the bot to start a follow-up through Rasa's HTTP API (trigger_intent)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Dict
from urllib.parse import quote

import aiohttp


class TriggerFailed(Exception):
    """Rasa could not be reached or did not accept the intent."""


@dataclass(frozen=True)
class RasaEndpoint:
    """Where Rasa's HTTP API listens and its token (empty: no token parameter)."""

    url: str
    token: str = ""
    timeout_seconds: int = 10


@dataclass(frozen=True)
class Trigger:
    """The external intent and its entities that open one follow-up in the bot."""

    intent: str
    entities: Dict[str, str]


async def trigger_follow_up(client: aiohttp.ClientSession, rasa: RasaEndpoint,
                            conversation_id: str, trigger: Trigger) -> Dict[str, Any]:
    """POST …/conversations/{id}/trigger_intent; the JSON answer (with the bot's messages)."""
    url = f"{rasa.url}/conversations/{quote(conversation_id, safe='')}/trigger_intent"
    params = {"output_channel": "latest"}
    if rasa.token:
        params["token"] = rasa.token
    body = {"name": trigger.intent, "entities": trigger.entities}
    try:
        async with client.post(url, params=params, json=body,
                               timeout=aiohttp.ClientTimeout(total=rasa.timeout_seconds)) as resp:
            text = await resp.text()
            if resp.status >= 300:
                raise TriggerFailed(f"Rasa answered {resp.status}: {text[:200]}")
            try:
                answer = await resp.json(content_type=None)
            except ValueError as exc:
                raise TriggerFailed(f"Rasa answered non-JSON: {text[:200]}") from exc
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        raise TriggerFailed(f"Rasa unreachable: {exc!r}") from exc
    return answer if isinstance(answer, dict) else {"answer": answer}


def bot_messages(answer: Dict[str, Any]) -> list:
    """The bot's messages from a trigger_intent answer (`messages`), for the follow-up record."""
    messages = answer.get("messages")
    return messages if isinstance(messages, list) else []
