"""Liveness check that also proves the database answers."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import text

from ..responses import json_response
from ..state import session


async def health(request: web.Request) -> web.Response:
    """`{"status": "ok"}` after a successful `SELECT 1`."""
    async with session(request) as db:
        await db.execute(text("SELECT 1"))
    return json_response({"status": "ok"})
