"""The WeChat Official Account channel (`wechat`) at `/webhooks/wechat/webhook`.

Every request's `signature` (and in safe mode its `msg_signature`) is checked before the body is
parsed; XML goes through defusedxml; a message is claimed in the CRM by its MsgId (events: sender
and time), so WeChat's retries, whichever process they reach, get one answer; an answer ready
within the passive window is the reply, a later one goes out through the customer-service API;
the OpenID, once proven by order number + phone tail, stays linked to its customer.
"""

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Mapping, Optional, Set, Text

import aiohttp
from rasa.core.channels.channel import (CollectingOutputChannel, InputChannel, OutputChannel,
                                        UserMessage)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import trust
from bot.channels.gate import (Gate, GateConfig, Replies, add_gate_routes, never_silent,
                               response_text)
from bot.channels.wechat import crypto, messages, render
from bot.channels.wechat.delivery import Deliverer
from bot.channels.wechat.messages import Inbound

logger = logging.getLogger(__name__)

WELCOME = "utter_wechat_welcome"
TEXT_ONLY = "utter_wechat_text_only"
BUSY = "utter_crm_unavailable"

# Menu buttons (CLICK events) and the intent each one asks: the keys a shop gives its menu.
MENU_INTENTS: Mapping[str, str] = {
    "KEFU_ORDER_STATUS": "/order_status",
    "KEFU_REFUND_STATUS": "/refund_status",
    "KEFU_POINTS": "/points_balance",
    "KEFU_MEMBERSHIP": "/membership",
    "KEFU_COMPLAIN": "/complain",
    "KEFU_HUMAN": "/request_human",
}

SUCCESS = "success"


@dataclass(frozen=True)
class WeChatConfig:
    """The channel's credentials.yml section (its values come from WECHAT_* variables)."""

    app_id: str
    token: str
    encoding_aes_key: str
    api_base: str
    passive_reply_seconds: float = 4.0
    max_body_bytes: int = 16384

    @classmethod
    def from_credentials(cls, given: Mapping[str, Any]) -> "WeChatConfig":
        missing = [name for name in ("app_id", "app_secret", "token", "encoding_aes_key",
                                     "api_base") if not given.get(name)]
        if missing:
            raise ValueError(f"credentials.yml: the wechat channel needs {', '.join(missing)}")
        return cls(app_id=str(given["app_id"]), token=str(given["token"]),
                   encoding_aes_key=str(given["encoding_aes_key"]),
                   api_base=str(given["api_base"]).rstrip("/"),
                   passive_reply_seconds=float(given.get("passive_reply_seconds", 4.0)),
                   max_body_bytes=int(given.get("max_body_bytes", 16384)))


@dataclass(frozen=True)
class Turn:
    """What to do with one message: text for Rasa, or a fixed response, or nothing."""

    text: Optional[str] = None
    response: Optional[str] = None


def turn_for(inbound: Inbound) -> Turn:
    """Text and recognised voice go to Rasa; a follow is welcomed; a menu button asks its intent;
    other media get the domain's 'text only' sentence; other events need no answer."""
    kind = inbound.msg_type
    if kind == "text" and inbound.content and inbound.content.strip():
        return Turn(text=inbound.content)
    if kind == "voice" and inbound.recognition and inbound.recognition.strip():
        return Turn(text=inbound.recognition)
    if kind == "event":
        event = (inbound.event or "").lower()
        if event == "subscribe":
            return Turn(response=WELCOME)
        if event == "click":
            intent = MENU_INTENTS.get(inbound.event_key or "")
            return Turn(text=intent) if intent else Turn(response=WELCOME)
        return Turn()
    return Turn(response=TEXT_ONLY)


class WeChatOutput(OutputChannel):
    """Messages sent outside a customer's turn (a follow-up the CRM triggers, a person's reply):
    through the customer-service API, recorded like every other delivery."""

    def __init__(self, deliverer: Deliverer) -> None:
        self.deliverer = deliverer

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        pieces = render.split_text(render.render_turn([message]))
        if pieces:
            await self.deliverer.deliver(recipient_id, f"out:{int(time.time() * 1000)}", pieces)


class WeChatInput(InputChannel):
    """Configured in credentials.yml under `bot.channels.wechat.channel.WeChatInput`."""

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeChatInput":
        given = dict(credentials or {})
        return cls(WeChatConfig.from_credentials(given), GateConfig.from_credentials(given))

    def __init__(self, config: WeChatConfig, gate: GateConfig) -> None:
        self.config = config
        self.crypto = crypto.WeChatCrypto(config.token, config.encoding_aes_key, config.app_id)
        self.gate = Gate(gate)
        self.deliverer = Deliverer(self.gate.crm, config.api_base)
        self._tasks: Set["asyncio.Task[Any]"] = set()

    def get_output_channel(self) -> WeChatOutput:
        """For the CRM's follow-ups and a person's replies through Rasa's HTTP API."""
        return WeChatOutput(self.deliverer)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("kefu_wechat_webhook", __name__)
        add_gate_routes(webhook, self.gate)

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            q = request.args
            if not crypto.signature_ok(q.get("signature"), self.config.token,
                                       q.get("timestamp") or "", q.get("nonce") or ""):
                return response.text("forbidden", status=403)
            return response.text(q.get("echostr") or "")

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self._receive(request, on_new_message)

        return webhook

    async def _receive(self, request: Request,
                       on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        q = request.args
        timestamp, nonce = q.get("timestamp") or "", q.get("nonce") or ""
        if len(request.body or b"") > self.config.max_body_bytes:
            return response.text("payload too large", status=413)
        if not timestamp.isdigit() or not nonce or not crypto.signature_ok(
                q.get("signature"), self.config.token, timestamp, nonce):
            return response.text("forbidden", status=403)
        safe = q.get("encrypt_type") == "aes"
        try:
            if safe:
                encrypt, _ = messages.parse_envelope(request.body)
                self.crypto.check_message(q.get("msg_signature"), timestamp, nonce, encrypt)
                inbound = messages.parse_message(self.crypto.decrypt(encrypt))
            else:
                inbound = messages.parse_message(request.body)
        except crypto.InvalidSignature:
            return response.text("forbidden", status=403)
        except (messages.MalformedMessage, crypto.InvalidPayload) as error:
            logger.warning("malformed WeChat body refused: %s", error)
            return response.text("bad request", status=400)

        reply = await self._answer(request.app.ctx.agent, inbound, on_new_message)
        if reply is None:
            return response.text(SUCCESS)
        xml = messages.text_reply(inbound.from_user, inbound.to_user, int(time.time()), reply)
        if not safe:
            return response.text(xml, content_type="application/xml")
        encrypted = self.crypto.encrypt(xml.encode("utf-8"))
        return response.text(messages.encrypted_reply(
            encrypted, crypto.signature(self.config.token, timestamp, nonce, encrypted),
            timestamp, nonce), content_type="application/xml")

    async def _crm_json(self, method: str, path: str, **kwargs: Any) -> Optional[Dict[str, Any]]:
        """The CRM's JSON answer (with `status`), or None when it could not be asked."""
        try:
            async with self.gate.crm().request(method, path, **kwargs) as answer:
                body = await answer.json(content_type=None)
                return {"status": answer.status, **(body if isinstance(body, dict) else {})}
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            logger.warning("CRM %s %s failed: %r", method, path, error)
            return None

    async def _answer(self, agent: Any, inbound: Inbound,
                      on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Optional[str]:
        """The passive reply's text, or None to acknowledge with `success`."""
        claim = await self._crm_json("POST", "/api/wechat/inbound", json={
            "key": inbound.dedupe_key, "open_id": inbound.from_user, "msg_type": inbound.msg_type})
        if claim is None or claim["status"] not in (200, 201):
            return response_text(agent.domain, BUSY)
        if claim["status"] == 200:
            stored = claim.get("inbound") or {}
            logger.info("WeChat retry of %s (%s)", inbound.dedupe_key, stored.get("status"))
            return stored.get("reply") if stored.get("delivery") == "passive" else None
        event = (inbound.event or "").lower()
        if event in ("subscribe", "unsubscribe"):
            await self._crm_json("POST", "/api/wechat/subscription", json={
                "open_id": inbound.from_user, "subscribed": event == "subscribe"})
        turn = turn_for(inbound)
        if turn.response is not None:
            if turn.response == TEXT_ONLY:
                logger.info("WeChat %s message from %s answered with text only", inbound.msg_type,
                            inbound.from_user)
            return await self._reply_now(inbound, [response_text(agent.domain, turn.response)])
        if turn.text is None:
            await self._record(inbound, None, "none")
            return None
        task = asyncio.ensure_future(self._run_turn(agent, inbound, turn.text, on_new_message))
        try:
            pieces = await asyncio.wait_for(asyncio.shield(task), self.config.passive_reply_seconds)
        except asyncio.TimeoutError:
            self._later(self._deliver_when_done(inbound, task))
            return None
        return await self._reply_now(inbound, pieces)

    async def _reply_now(self, inbound: Inbound, pieces: Any) -> Optional[str]:
        """The first piece as the passive reply; any further piece through the API. Nothing when
        the turn said nothing (a person holds the conversation)."""
        if not pieces:
            await self._record(inbound, None, "none")
            return None
        first, rest = pieces[0], list(pieces[1:])
        await self._record(inbound, first, "passive")
        if rest:
            self._later(self.deliverer.deliver(inbound.from_user, inbound.dedupe_key, rest))
        return first

    async def _run_turn(self, agent: Any, inbound: Inbound, text: str,
                        on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Any:
        """One Rasa turn for the OpenID; its replies as WeChat-sized texts."""
        open_id = inbound.from_user

        async def run(_: Dict[str, Any]) -> Replies:
            # A WeChat message carries no token: who writes is the OpenID's link in the CRM.
            metadata = trust.trusted_metadata(None, None, await self._linked_claim(open_id))
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(text, collector, open_id,
                                                 input_channel=self.name(), metadata=metadata,
                                                 message_id=inbound.msg_id))
            except Exception:
                logger.exception("handling a WeChat message of %s failed", open_id)
            return await never_silent(agent, open_id, collector)

        replies = await self.gate.turn(agent, open_id, self.name(), text, inbound.dedupe_key, run)
        return render.split_text(render.render_turn(replies)) or []

    async def _linked_claim(self, open_id: str) -> Optional[Dict[str, Any]]:
        """The CRM's customer for a linked OpenID; None when not linked; unverified when the
        CRM could not say (the actions then say the system is busy)."""
        answer = await self._crm_json("GET", f"/api/wechat/identities/{open_id}")
        if answer is None or answer["status"] not in (200, 404):
            return dict(trust.UNVERIFIED)
        if answer["status"] == 404:
            return None
        return {"customer_id": int(answer["customer"]["id"])}

    async def _deliver_when_done(self, inbound: Inbound, task: "asyncio.Task[Any]") -> None:
        """A turn that missed the passive window: its answer through the customer-service API."""
        pieces = await task
        if not pieces:
            await self._record(inbound, None, "none")
            return
        await self._record(inbound, "\n".join(pieces), "api")
        await self.deliverer.deliver(inbound.from_user, inbound.dedupe_key, pieces)

    async def _record(self, inbound: Inbound, reply: Optional[str], delivery: str) -> None:
        body: Dict[str, Any] = {"key": inbound.dedupe_key, "delivery": delivery}
        if reply:
            body["reply"] = reply
        if await self._crm_json("POST", "/api/wechat/inbound/answer", json=body) is None:
            logger.error("CRM did not record the answer to %s", inbound.dedupe_key)

    def _later(self, work: Awaitable[Any]) -> None:
        """Run `work` after the response, keeping a reference until it ends."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
