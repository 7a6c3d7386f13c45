"""Rasa's calls to the action server over kept-alive connections.

Rasa 3.6's `EndpointConfig.request` opens a new aiohttp session, and with it a new TCP connection
to the action server, for every action it runs, and encodes the call (the whole tracker) with
Python's `json`. `install()` gives each endpoint one session per event loop, kept for the
process's life: its connections are reused (dropped by this side after two idle seconds, before
the action server's five-second keep-alive ends them), and bodies are encoded with ujson (the
same JSON, faster). Requests, responses and errors are Rasa's own: only `session()` changes.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, Optional, Tuple

import aiohttp
import ujson
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

# Idle connections are closed by this side first (Sanic's keep-alive timeout is 5 s).
IDLE_SECONDS = 2.0


class KeptSession:
    """`async with` hands out the kept session and leaves it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *_: Any) -> bool:
        return False


def new_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """A session configured as Rasa's own, with reused connections and ujson bodies."""
    auth = (aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
            if endpoint.basic_auth else None)
    return aiohttp.ClientSession(
        headers=endpoint.headers, auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_SECONDS),
        json_serialize=ujson.dumps)


def kept_session(endpoint: EndpointConfig) -> KeptSession:
    """The endpoint's session for the running event loop, made on first use."""
    loop = asyncio.get_running_loop()
    sessions: Dict[int, Tuple[Any, aiohttp.ClientSession]] = endpoint.__dict__.setdefault(
        "_kept_sessions", {})
    kept: Optional[Tuple[Any, aiohttp.ClientSession]] = sessions.get(id(loop))
    if kept is None or kept[0] is not loop or kept[1].closed:
        kept = (loop, new_session(endpoint))
        sessions[id(loop)] = kept
    return KeptSession(kept[1])


def install() -> None:
    """Make every `EndpointConfig` of this process request through its kept session."""
    EndpointConfig.session = kept_session  # type: ignore[assignment]
