"""The checks every customer channel runs around Rasa: refuse bad messages with a sentence, ask the
CRM whose token came with a message, let one of two identical concurrent messages through, and
never leave the customer without a reply."""

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Tuple

import aiohttp

from bot.channels import trust

logger = logging.getLogger(__name__)

Replies = List[Dict[str, Any]]

# The sentence when Rasa produced nothing for a message (action server down, a crash).
NO_REPLY_RESPONSE = "utter_no_reply"


@dataclass(frozen=True)
class GateConfig:
    """What a customer channel needs, from its credentials.yml section."""

    crm_url: str
    crm_service_token: str
    max_message_chars: int = 2000
    crm_timeout_seconds: float = 5.0

    @classmethod
    def from_credentials(cls, credentials: Optional[Mapping[str, Any]]) -> "GateConfig":
        given = dict(credentials or {})
        missing = [name for name in ("crm_url", "crm_service_token") if not given.get(name)]
        if missing:
            raise ValueError(f"credentials.yml: the channel needs {', '.join(missing)}")
        return cls(crm_url=str(given["crm_url"]).rstrip("/"),
                   crm_service_token=str(given["crm_service_token"]),
                   max_message_chars=int(given.get("max_message_chars", 2000)),
                   crm_timeout_seconds=float(given.get("crm_timeout_seconds", 5)))


def response_text(domain: Any, name: str) -> str:
    """The first text of a domain.yml response (the channel speaks the bot's fixed wording)."""
    variants = (getattr(domain, "responses", None) or {}).get(name) or [{}]
    return str(variants[0].get("text") or "")


class Gate:
    """One per channel instance: its CRM session and the messages in flight (no module state)."""

    def __init__(self, config: GateConfig) -> None:
        self.config = config
        self._session: Optional[aiohttp.ClientSession] = None
        self._in_flight: Dict[Tuple[str, str], "asyncio.Future[Replies]"] = {}

    def refusal(self, sender: Any, text: Any) -> Optional[trust.Refusal]:
        return trust.refusal(sender, text, self.config.max_message_chars)

    async def identity_claim(self, raw_metadata: Any) -> Optional[Dict[str, Any]]:
        """None without a token; else the CRM's verdict on it (`UNVERIFIED` if it cannot say)."""
        token = trust.presented_token(raw_metadata)
        if token is None:
            return None
        if not isinstance(token, str) or not token:
            return dict(trust.REJECTED)
        try:
            async with self._crm().post("/api/identity/verify-token",
                                        json={"customer_token": token}) as response:
                if response.status in (400, 401):
                    return dict(trust.REJECTED)
                if response.status != 200:
                    logger.warning("CRM answered %s to a token check", response.status)
                    return dict(trust.UNVERIFIED)
                body = await response.json()
                return {"customer_id": int(body["customer"]["id"])}
        except (aiohttp.ClientError, asyncio.TimeoutError, KeyError, ValueError, TypeError) as error:
            logger.warning("token check failed: %r", error)
            return dict(trust.UNVERIFIED)

    async def metadata(self, raw: Any, source: Optional[str]) -> Dict[str, Any]:
        return trust.trusted_metadata(raw, source, await self.identity_claim(raw))

    async def once(self, sender: str, text: str,
                   handle: Callable[[], Awaitable[Replies]]) -> Replies:
        """Run `handle` for this message; an identical message of the same sender that arrives
        while it runs gets the same replies instead of being handled a second time."""
        key = (sender, text)
        running = self._in_flight.get(key)
        if running is not None:
            return await asyncio.shield(running)
        future: "asyncio.Future[Replies]" = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        try:
            replies = await handle()
            future.set_result(replies)
            return replies
        except BaseException as error:
            future.set_exception(error)
            future.exception()
            raise
        finally:
            del self._in_flight[key]

    def _crm(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                base_url=self.config.crm_url,
                headers={"Authorization": f"Bearer {self.config.crm_service_token}"},
                timeout=aiohttp.ClientTimeout(total=self.config.crm_timeout_seconds))
        return self._session


async def never_silent(agent: Any, sender: str, replies: Replies) -> Replies:
    """`replies`, or the domain's apology when there are none and no person holds the
    conversation (a paused conversation waits for an agent, so silence is right there)."""
    if replies:
        return replies
    try:
        tracker = await agent.tracker_store.retrieve(sender)
        if tracker is not None and tracker.is_paused():
            return replies
    except Exception:
        logger.exception("could not read the tracker of %s", sender)
    return [{"recipient_id": sender, "text": response_text(agent.domain, NO_REPLY_RESPONSE)}]
