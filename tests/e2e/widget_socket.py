"""A socket.io client speaking the web widget's protocol to the real Rasa server (python-socketio's
own client, Engine.IO 4 like the widget's socket.io-client 4). It polls: python-engineio 4.15's
client needs aiohttp 3.10 for websockets and Rasa pins 3.9 (the server side is unaffected; the
browser tests use websockets)."""

import asyncio
import json
import urllib.request
import uuid
from typing import Any, Dict, List, Optional

import socketio


class WidgetSocket:
    """One widget connection: its session, the history it was sent and the replies since."""

    def __init__(self, url: str, origin: str) -> None:
        self.url, self.origin = url, origin
        self.sio = socketio.AsyncClient(reconnection=False)
        self.session_id: Optional[str] = None
        self.history: Optional[List[Dict[str, Any]]] = None
        self.replies: List[Dict[str, Any]] = []
        self._history_came = asyncio.Event()
        self.sio.on("session_confirm", self._confirmed)
        self.sio.on("kefu_history", self._history)
        self.sio.on("bot_uttered", self._reply)

    async def _confirmed(self, session_id: str) -> None:
        self.session_id = session_id

    async def _history(self, data: Dict[str, Any]) -> None:
        self.history = data["messages"]
        self._history_came.set()

    async def _reply(self, data: Dict[str, Any]) -> None:
        self.replies.append(data)

    async def open(self, session_id: Optional[str] = None,
                   transports: Optional[List[str]] = None) -> "WidgetSocket":
        """Connect from `origin` and ask for the session (a new one when None)."""
        await self.sio.connect(self.url, headers={"Origin": self.origin},
                               transports=transports or ["polling"], wait_timeout=10)
        self._history_came.clear()
        await self.sio.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(self._history_came.wait(), 30)
        return self

    async def send(self, text: str, message_id: Optional[str] = None,
                   token: Optional[str] = None, **extra: Any) -> Dict[str, Any]:
        """Send one message as the widget does; the server's ack (after the bot's replies)."""
        body = {"message": text, "session_id": self.session_id,
                "message_id": message_id or uuid.uuid4().hex,
                "customData": {"customer_token": token} if token else {}, **extra}
        return await self.sio.call("user_uttered", body, timeout=90)

    def reply_text(self) -> str:
        return "\n".join(r.get("text") or "" for r in self.replies)

    async def close(self) -> None:
        """Say goodbye without waiting for the open long-poll to end (up to a ping interval)."""
        eio = self.sio.eio
        loops = [t for t in (eio.read_loop_task, eio.write_loop_task) if t is not None]
        await eio.disconnect(abort=True)
        for task in loops:
            task.cancel()
        await asyncio.gather(*loops, return_exceptions=True)


def person_says(rasa_url: str, api_token: str, session_id: str, name: str, text: str,
                channel: str = "socketio") -> None:
    """A person's message into the conversation the way the agent console sends it: a bot event
    with the person in its metadata, through Rasa's HTTP API and the socket.io output channel."""
    event = [{"event": "bot", "text": text, "metadata": {"kefu_person": {"name": name}}}]
    request = urllib.request.Request(
        f"{rasa_url}/conversations/{session_id}/tracker/events"
        f"?execute_side_effects=true&output_channel={channel}&token={api_token}",
        data=json.dumps(event).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30):
        pass
