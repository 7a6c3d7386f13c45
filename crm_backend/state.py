"""Typed keys for what the aiohttp application holds (no module-level state)."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import sessionmaker

from .config import CRMConfig

CONFIG_KEY = web.AppKey("config", CRMConfig)
ENGINE_KEY = web.AppKey("engine", AsyncEngine)
SESSIONS_KEY = web.AppKey("sessions", sessionmaker)


def session(request: web.Request) -> AsyncSession:
    """A new database session for this request (use as `async with`)."""
    return request.app[SESSIONS_KEY]()
