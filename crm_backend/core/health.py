"""Liveness check that also proves the database answers."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import text

from crm_backend.core.http import json_response
from crm_backend.core.state import session


async def health(request: web.Request) -> web.Response:
    """`{"status": "ok"}` after a successful `SELECT 1`."""
    async with session(request) as db:
        await db.execute(text("SELECT 1"))
    return json_response({"status": "ok"})


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_get("/health", health)
