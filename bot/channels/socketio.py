"""Rasa's socket.io channel for the web widget, behind Kefu's gate (`name()` stays "socketio").

Beyond the stock channel: only the shop's allowed origins may connect; the socket really joins
its session's room (Rasa 3.6 calls python-socketio 5's coroutine `enter_room` without awaiting
it, so with `session_persistence` its replies reach nobody); each session request is answered
with the conversation's history from the tracker; a message carries a client id and is handled
once however often it is resent; its ack says whether it was taken, and an oversize, reserved or
malformed message's ack carries the sentence the widget shows under it; and a person's messages (a handoff) keep who
wrote them. With `redis_url` set (several Rasa servers, docs/scale-out.md) the servers share
their rooms through Redis (python-socketio's AsyncRedisManager): a reply or a person's message
emitted on one server reaches the customer's socket on another.
"""

import asyncio
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput
from sanic import Sanic
from socketio import AsyncRedisManager, AsyncServer

from bot.channels import widget_messages
from bot.channels.gate import (Gate, GateConfig, Replies, add_gate_routes, never_silent,
                               response_text)

logger = logging.getLogger(__name__)

# A socket.io packet over this size closes the connection (a message is at most 2,000 chars).
MAX_PACKET_BYTES = 65536

Ack = Dict[str, Any]

# The channel's name in the CRM's transcript.
CHANNEL = "web"


def allowed_origins(raw: Any) -> List[str]:
    """The origins listed in credentials.yml (a list, or one comma-separated string)."""
    items = raw if isinstance(raw, list) else str(raw or "").split(",")
    origins = [str(item).strip().rstrip("/") for item in items if str(item).strip()]
    if not origins or "*" in origins:
        raise ValueError("credentials.yml: the socketio channel needs allowed_origins, the "
                         "shops' page origins (e.g. https://shop.example.com); '*' is refused")
    return origins


class WidgetOutput(CollectingOutputChannel):
    """Sends each reply to the conversation's room as it is made, and keeps it (so the gate
    can tell a turn that said nothing)."""

    def __init__(self, sio: AsyncServer, event: Text) -> None:
        super().__init__()
        self.sio = sio
        self.event = event

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        shown = widget_messages.widget_message(message)
        if shown is None:
            return
        self.messages.append({"recipient_id": recipient_id, **shown})
        await self.sio.emit(self.event, shown, room=recipient_id)


class KefuSocketIOInput(SocketIOInput):
    """Configured in credentials.yml under `bot.channels.socketio.KefuSocketIOInput`."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "KefuSocketIOInput":
        given = dict(credentials or {})
        return cls(GateConfig.from_credentials(given), allowed_origins(given.get("allowed_origins")),
                   user_message_evt=given.get("user_message_evt", "user_uttered"),
                   bot_message_evt=given.get("bot_message_evt", "bot_uttered"),
                   socketio_path=given.get("socketio_path", "/socket.io"),
                   metadata_key=given.get("metadata_key", "customData"),
                   redis_url=str(given.get("redis_url") or ""),
                   redis_channel=str(given.get("redis_channel") or "kefu-socketio"))

    def __init__(self, config: GateConfig, origins: List[str], user_message_evt: Text,
                 bot_message_evt: Text, socketio_path: Text, metadata_key: Text,
                 redis_url: str = "", redis_channel: str = "kefu-socketio") -> None:
        super().__init__(user_message_evt=user_message_evt, bot_message_evt=bot_message_evt,
                         session_persistence=True, socketio_path=socketio_path,
                         metadata_key=metadata_key)
        self.gate = Gate(config)
        self.origins = origins
        self.redis_url, self.redis_channel = redis_url, redis_channel
        self._app: Optional[Sanic] = None

    def get_output_channel(self) -> Optional[WidgetOutput]:
        """For replies sent from outside a turn (a person's message through Rasa's HTTP API)."""
        if self.sio is None:
            return None
        return WidgetOutput(self.sio, self.bot_message_evt)

    def _agent(self) -> Any:
        assert self._app is not None, "the server has not started"
        return self._app.ctx.agent

    async def _events(self, sender: str) -> List[Dict[str, Any]]:
        tracker = await self._agent().tracker_store.retrieve_full_tracker(sender)
        return [] if tracker is None else [event.as_dict() for event in tracker.events]

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> SocketBlueprint:
        manager = (AsyncRedisManager(self.redis_url, channel=self.redis_channel)
                   if self.redis_url else None)
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.origins,
                          max_http_buffer_size=MAX_PACKET_BYTES, client_manager=manager)
        self.sio = sio
        webhook = SocketBlueprint(sio, self.socketio_path, "kefu_socketio_webhook", __name__)

        @webhook.listener("before_server_start")
        async def remember(app: Sanic, *_: Any) -> None:
            self._app = app

        add_gate_routes(webhook, self.gate)

        @sio.on("session_request")
        async def session_request(sid: Text, data: Any) -> None:
            asked = data.get("session_id") if isinstance(data, dict) else None
            session_id = asked if widget_messages.valid_session_id(asked) else uuid.uuid4().hex
            for room in sio.rooms(sid):
                if room != sid:
                    await sio.leave_room(sid, room)
            await sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)
            messages = widget_messages.history(await self._events(session_id))
            await sio.emit("kefu_history", {"session_id": session_id, "messages": messages},
                           room=sid)

        @sio.on(self.user_message_evt)
        async def handle_message(sid: Text, data: Any) -> Ack:
            body = data if isinstance(data, dict) else {}
            sender, text = body.get("session_id"), body.get("message")
            if not widget_messages.valid_session_id(sender):
                sender = None
            refused = self.gate.refusal(sender, text)
            if refused is not None:
                sentence = response_text(self._agent().domain, refused.response)
                return {"status": "refused", "code": refused.code, "text": sentence}
            message_id = body.get("message_id")
            if not widget_messages.valid_message_id(message_id):
                message_id = None
            if sender not in sio.rooms(sid):
                await sio.enter_room(sid, sender)
            key = (sender, "id", message_id) if message_id else (sender, "text", text)

            async def handle() -> Ack:
                if message_id and widget_messages.has_message(await self._events(sender),
                                                              message_id):
                    return {"status": "duplicate"}
                await self._handle(on_new_message, sio, sid, sender, text, message_id,
                                   body.get(self.metadata_key))
                return {"status": "ok"}

            return await asyncio.shield(self.gate.once(key, handle))

        return webhook

    async def _handle(self, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                      sio: AsyncServer, sid: str, sender: str, text: str,
                      message_id: Optional[str], raw_metadata: Any) -> None:
        """One customer message through Rasa; the replies go to the session's room as they are
        made, and the gate's apology when none came."""
        output = WidgetOutput(sio, self.bot_message_evt)
        request = (sio.get_environ(sid) or {}).get("sanic.request")
        source = getattr(request, "remote_addr", None) or getattr(request, "ip", None)

        async def run(metadata: Dict[str, Any]) -> Replies:
            try:
                await on_new_message(UserMessage(text, output, sender, input_channel=self.name(),
                                                 message_id=message_id, metadata=metadata))
            except Exception:
                logger.exception("handling a message of %s failed", sender)
            return await never_silent(self._agent(), sender, output)

        replies = await self.gate.turn(self._agent(), sender, CHANNEL, text, message_id, run,
                                       raw_metadata, source)
        if replies is output.messages:
            return
        for reply in replies:
            shown = widget_messages.widget_message(reply)
            if shown is not None:
                await sio.emit(self.bot_message_evt, shown, room=sender)
