"""Typed keys for what the aiohttp application holds (no module-level state)."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import sessionmaker

from crm_backend.core.clock import Clock
from crm_backend.core.config import CRMConfig

CONFIG_KEY = web.AppKey("config", CRMConfig)


SESSIONS_KEY = web.AppKey("sessions", sessionmaker)


READ_SESSIONS_KEY = web.AppKey("read_sessions", sessionmaker)


READ_METHODS = ("GET", "HEAD")


CLOCK_KEY = web.AppKey("clock", Clock)


def session(request: web.Request) -> AsyncSession:
    """A new database session for this request (use as `async with`); a GET only reads, so it
    gets a session that does not hold SQLite's write lock."""
    sessions = READ_SESSIONS_KEY if request.method in READ_METHODS else SESSIONS_KEY
    return request.app[sessions]()


def now(request: web.Request) -> datetime:
    """The current time by the app's clock."""
    return request.app[CLOCK_KEY].now()
