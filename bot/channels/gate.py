"""The checks every customer channel runs around Rasa: refuse bad messages with a sentence, ask the
CRM whose token came with a message, let one of two identical concurrent messages through, and
never leave the customer without a reply."""

import asyncio
import logging
from dataclasses import dataclass
from typing import (Any, Awaitable, Callable, Collection, Dict, Hashable, List, Mapping,
                    Optional, Sequence, TypeVar)
from urllib.parse import quote

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.policies.policy import PolicyPrediction
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, ConversationResumed
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import trust

logger = logging.getLogger(__name__)

Replies = List[Dict[str, Any]]

Result = TypeVar("Result")

# The sentence when Rasa produced nothing for a message (action server down, a crash).
NO_REPLY_RESPONSE = "utter_no_reply"

# The sentence while the customer waits for a person ({ahead}: how many are before them).
WAITING_RESPONSE = "utter_handoff_waiting"

# Waits before running a lost action again (a supervised action server is back within seconds).
RERUN_DELAYS = (0.0, 1.0, 2.0, 3.0, 4.0)

# Bot replies the CRM keeps in one request (its transcripts' MAX_BATCH).
REPLIES_PER_REQUEST = 20


@dataclass(frozen=True)
class GateConfig:
    """What a customer channel needs, from its credentials.yml section."""

    crm_url: str
    crm_service_token: str
    max_message_chars: int = 2000
    crm_timeout_seconds: float = 5.0
    # Rasa turns of this channel run at most this many at a time, the others wait in arrival
    # order: all at once, a turn yields at every await and rejoins the back of the line, so a
    # turn with several action calls waited several times as long (p95 three times p50).
    turns_at_once: int = 4

    @classmethod
    def from_credentials(cls, credentials: Optional[Mapping[str, Any]]) -> "GateConfig":
        given = dict(credentials or {})
        missing = [name for name in ("crm_url", "crm_service_token") if not given.get(name)]
        if missing:
            raise ValueError(f"credentials.yml: the channel needs {', '.join(missing)}")
        return cls(crm_url=str(given["crm_url"]).rstrip("/"),
                   crm_service_token=str(given["crm_service_token"]),
                   max_message_chars=int(given.get("max_message_chars", 2000)),
                   crm_timeout_seconds=float(given.get("crm_timeout_seconds", 5)),
                   turns_at_once=max(1, int(given.get("turns_at_once", 4))))


@dataclass(frozen=True)
class Hold:
    """What the CRM said of an incoming message: the open handoff's state when a person holds
    the conversation, and the identity claim of the token that came with it (None: no token)."""

    handoff: Optional[Dict[str, Any]]
    claim: Optional[Dict[str, Any]]


def response_text(domain: Any, name: str) -> str:
    """The first text of a domain.yml response (the channel speaks the bot's fixed wording)."""
    variants = (getattr(domain, "responses", None) or {}).get(name) or [{}]
    return str(variants[0].get("text") or "")


class Gate:
    """One per channel instance: its CRM session and the messages in flight (no module state)."""

    def __init__(self, config: GateConfig) -> None:
        self.config = config
        self._session: Optional[aiohttp.ClientSession] = None
        self._in_flight: Dict[Hashable, "asyncio.Future[Any]"] = {}
        self._turns = asyncio.Semaphore(config.turns_at_once)

    def refusal(self, sender: Any, text: Any) -> Optional[trust.Refusal]:
        return trust.refusal(sender, text, self.config.max_message_chars)

    async def once(self, key: Hashable, handle: Callable[[], Awaitable[Result]]) -> Result:
        """Run `handle` for the message called `key` (its sender and text, or its client id); the
        same message arriving while it runs gets the same result instead of a second run."""
        running = self._in_flight.get(key)
        if running is not None:
            return await asyncio.shield(running)
        future: "asyncio.Future[Result]" = asyncio.get_running_loop().create_future()
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

    async def hold(self, sender: str, channel: str, text: str, message_id: Optional[str],
                   token: Optional[Any] = None) -> Hold:
        """Keep the customer's message in the CRM's transcript, and learn in the same call
        whether a person holds the conversation (the bot must then stay silent) and whose the
        token that came with it is. When the CRM cannot be asked the bot answers (the message
        is then missing from the transcript) and a token counts as unverified."""
        if token is not None and (not isinstance(token, str) or not token):
            token, claim = None, dict(trust.REJECTED)
        else:
            claim = None if token is None else dict(trust.UNVERIFIED)
        try:
            async with self.crm().post(f"/api/conversations/{quote(sender, safe='')}/inbound",
                                       json={"channel": channel, "text": text,
                                             **({"message_id": message_id} if message_id else {}),
                                             **({"customer_token": token} if token else {})}
                                       ) as response:
                if response.status not in (200, 201):
                    logger.warning("CRM answered %s to a customer message", response.status)
                    return Hold(None, claim)
                answer = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            logger.warning("customer message of %s not kept: %r", sender, error)
            return Hold(None, claim)
        if token:
            customer = answer.get("customer")
            claim = ({"customer_id": int(customer["id"])} if isinstance(customer, dict)
                     else dict(trust.REJECTED))
        return Hold(answer.get("handoff"), claim)

    async def record_replies(self, sender: str, channel: str, replies: Replies) -> None:
        """Keep what the bot said in the CRM's transcript, a turn's replies in one request
        (logged, never raised, when it cannot)."""
        said = [{"text": reply.get("text") or "（按钮）",
                 "buttons": [{"title": str(b.get("title", "")),
                              "payload": str(b.get("payload", ""))}
                             for b in reply.get("buttons") or []]}
                for reply in replies if reply.get("text") or reply.get("buttons")]
        for start in range(0, len(said), REPLIES_PER_REQUEST):
            batch = said[start:start + REPLIES_PER_REQUEST]
            try:
                async with self.crm().post(
                        f"/api/conversations/{quote(sender, safe='')}/messages",
                        json={"channel": channel, "author": "bot", "messages": batch}
                ) as response:
                    if response.status != 201:
                        logger.warning("CRM answered %s to %d bot replies", response.status,
                                       len(batch))
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                logger.warning("bot replies to %s not kept: %r", sender, error)

    async def turn(self, agent: Any, sender: str, channel: str, text: str,
                   message_id: Optional[str], run: Callable[[Dict[str, Any]], Awaitable[Replies]],
                   raw_metadata: Any = None, source: Optional[str] = None) -> Replies:
        """One customer message: kept in the transcript; while a person holds the conversation
        the bot is not asked (the customer hears their place in the queue, or nothing once a
        person is on it); otherwise `run` (the Rasa turn, when its turn comes) with the
        message's trusted metadata (`raw_metadata` without reserved keys, the client's address
        `source`, whose token came with it per the CRM), its replies kept too."""
        held = await self.hold(sender, channel, text, message_id,
                               trust.presented_token(raw_metadata))
        if held.handoff is not None:
            replies = held_replies(agent, sender, held.handoff)
        else:
            async with self._turns:
                await resume_if_paused(agent, sender)
                replies = await run(trust.trusted_metadata(raw_metadata, source, held.claim))
        await self.record_replies(sender, channel, replies)
        return replies

    async def person_messages(self, sender: str, after_id: int) -> Optional[Replies]:
        """A person's messages to the conversation after `after_id` in the CRM's transcript (for
        clients that cannot be pushed to); None when the CRM cannot be asked."""
        try:
            async with self.crm().get(f"/api/conversations/{quote(sender, safe='')}/messages",
                                      params={"after_id": str(after_id)}) as response:
                if response.status != 200:
                    return None
                rows = (await response.json()).get("messages") or []
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            logger.warning("transcript of %s not read: %r", sender, error)
            return None
        return [{"id": row["id"], "recipient_id": sender, "text": row["text"],
                 "person": {"name": row.get("staff_name") or "客服"}, "at": row["at"]}
                for row in rows if row.get("author") == "agent"]

    async def close(self) -> None:
        """Close the CRM session (when the server stops)."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def crm(self) -> aiohttp.ClientSession:
        """The CRM session (service token), opened on first use."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                base_url=self.config.crm_url,
                headers={"Authorization": f"Bearer {self.config.crm_service_token}"},
                timeout=aiohttp.ClientTimeout(total=self.config.crm_timeout_seconds))
        return self._session


def add_gate_routes(blueprint: Blueprint, gate: Gate) -> None:
    """What every Kefu channel's blueprint has: a health check at its root, and the gate's CRM
    session closed when the server stops."""

    @blueprint.listener("after_server_stop")
    async def close(*_: Any) -> None:
        await gate.close()

    @blueprint.route("/", methods=["GET"])
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})


def held_replies(agent: Any, sender: str, handoff: Mapping[str, Any]) -> Replies:
    """What the customer hears while a person holds the conversation: their place while they
    wait; nothing once a person is on it (the person answers)."""
    if handoff.get("status") != "waiting":
        return []
    position = handoff.get("position")
    ahead = position - 1 if isinstance(position, int) and position > 1 else 0
    text = response_text(agent.domain, WAITING_RESPONSE).replace("{ahead}", str(ahead))
    return [{"recipient_id": sender, "text": text}]


def wrapped_store(store: Any) -> Any:
    """The configured tracker store inside Rasa's wrappers (`FailSafeTrackerStore`, and
    `AwaitableTrackerStore` for synchronous ones, keep it as `_tracker_store`)."""
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return store


async def resume_if_paused(agent: Any, sender: str) -> None:
    """No person holds the conversation (the CRM says so), so a pause left in Rasa's tracker by a
    handoff that ended is lifted: the bot answers again instead of staying silent for good.
    A store that can tell whether a conversation is paused without reading it whole is asked
    first (the answer is almost always no)."""
    is_paused = getattr(wrapped_store(agent.tracker_store), "is_paused", None)
    if is_paused is not None and not await is_paused(sender):
        return
    async with agent.lock_store.lock(sender):
        tracker = await agent.tracker_store.retrieve(sender)
        if tracker is not None and tracker.is_paused():
            logger.info("resuming %s: its handoff has ended", sender)
            tracker.update(ConversationResumed())
            # The pause ended its turn without `action_listen`; rules need it to match again.
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
            await agent.tracker_store.save(tracker)


def lost_action(events: Sequence[Any], custom: Collection[str]) -> Optional[str]:
    """The custom action (or form) this turn ended with whose events were lost: it ran last,
    only `action_listen` came after it, and it left nothing behind (Rasa goes on when the
    action server dies mid-call, dropping the action's events)."""
    for event in reversed(events):
        if not isinstance(event, ActionExecuted):
            return None
        if event.action_name != ACTION_LISTEN_NAME:
            return event.action_name if event.action_name in custom else None
    return None


async def _rerun_lost_action(agent: Any, sender: str, output: CollectingOutputChannel) -> bool:
    """Run a lost action once more and go on from it as the turn would have (every action is
    idempotent by its keys); whether one ran. Uses the MessageProcessor's own steps (Rasa 3.6),
    under the conversation's lock like any message."""
    processor = agent.processor
    async with agent.lock_store.lock(sender):
        tracker = await processor.get_tracker(sender)
        custom = set(agent.domain.user_actions) | set(agent.domain.form_names)
        name = lost_action(tracker.events, custom)
        if name is None:
            return False
        logger.warning("the events of %s in %s were lost; running it again", name, sender)
        prediction = PolicyPrediction.for_action_name(agent.domain, name)
        if await processor._run_action(processor._get_action(name), tracker, output, agent.nlg,
                                       prediction):
            await processor._run_prediction_loop(output, tracker)
        await processor.save_tracker(tracker)
    return True


async def never_silent(agent: Any, sender: str, output: CollectingOutputChannel) -> Replies:
    """The turn's replies. When there are none: an action whose events were lost (its server
    restarting) is run again a few times; then, unless a person holds the conversation (paused:
    silence is right there), the domain's apology."""
    for delay in RERUN_DELAYS:
        if output.messages:
            return output.messages
        try:
            await asyncio.sleep(delay)
            if not await _rerun_lost_action(agent, sender, output):
                break
        except Exception:
            logger.exception("running a lost action of %s again failed", sender)
    if output.messages:
        return output.messages
    try:
        tracker = await agent.tracker_store.retrieve(sender)
        if tracker is not None and tracker.is_paused():
            return []
    except Exception:
        logger.exception("could not read the tracker of %s", sender)
    return [{"recipient_id": sender, "text": response_text(agent.domain, NO_REPLY_RESPONSE)}]
