"""Rasa's REST channel behind Kefu's gate, at the same address (`/webhooks/rest/webhook`).

Unlike the stock channel it needs a `sender`, refuses oversize and reserved messages with a
sentence, never keeps the customer's token, answers a duplicate in flight once, and never
returns an empty reply list.
"""

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.gate import (Gate, GateConfig, Replies, add_gate_routes, never_silent,
                               response_text)

logger = logging.getLogger(__name__)

# The channel's name in the CRM's transcript.
CHANNEL = "rest"

# A REST client cannot be pushed a person's message: it hears that one is on it.
HELD_RESPONSE = "utter_handoff_assigned"


def _body(request: Request) -> Dict[str, Any]:
    """The JSON object sent, or {} for anything else (then refused for what it lacks)."""
    try:
        body = request.json
    except Exception:
        return {}
    return body if isinstance(body, dict) else {}


class KefuRestInput(RestInput):
    """Configured in credentials.yml under `bot.channels.rest.KefuRestInput`."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "KefuRestInput":
        return cls(GateConfig.from_credentials(credentials))

    def __init__(self, config: GateConfig) -> None:
        self.gate = Gate(config)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("kefu_rest_webhook", __name__)

        add_gate_routes(webhook, self.gate)

        @webhook.route("/messages", methods=["GET"])
        async def person_messages(request: Request) -> HTTPResponse:
            """A REST client's pull of what a person wrote to it (`after`: the last id seen)."""
            sender = request.args.get("sender")
            after = request.args.get("after") or "0"
            if self.gate.refusal(sender, "x") is not None or not after.isdigit():
                return response.json({"error": "sender_required",
                                      "text": "请提供 sender（会话 ID），after 为数字"}, status=400)
            messages = await self.gate.person_messages(sender, int(after))
            if messages is None:
                return response.json({"error": "crm_unavailable",
                                      "text": "暂时取不到客服消息，请稍后再试"}, status=503)
            return response.json(messages)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            agent = request.app.ctx.agent
            body = _body(request)
            sender, text = body.get("sender"), body.get("message")
            refused = self.gate.refusal(sender, text)
            if refused is not None:
                return response.json(
                    [{"recipient_id": sender if isinstance(sender, str) else None,
                      "text": response_text(agent.domain, refused.response),
                      "error": refused.code}], status=refused.status)
            source = request.remote_addr or request.ip

            async def run(metadata: Dict[str, Any]) -> Replies:
                collector = CollectingOutputChannel()
                try:
                    await on_new_message(UserMessage(text, collector, sender,
                                                     input_channel=self.name(), metadata=metadata))
                except Exception:
                    logger.exception("handling a message of %s failed", sender)
                return await never_silent(agent, sender, collector)

            async def handle() -> Replies:
                replies = await self.gate.turn(agent, sender, CHANNEL, text, None, run,
                                               body.get("metadata"), source)
                return replies or [{"recipient_id": sender,
                                    "text": response_text(agent.domain, HELD_RESPONSE)}]

            return response.json(await asyncio.shield(self.gate.once((sender, text), handle)))

        return webhook
