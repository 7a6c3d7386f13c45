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


CLOCK_KEY = web.AppKey("clock", Clock)


def session(request: web.Request) -> AsyncSession:
    """A new database session for this request (use as `async with`)."""
    return request.app[SESSIONS_KEY]()


def now(request: web.Request) -> datetime:
    """The current time by the app's clock."""
    return request.app[CLOCK_KEY].now()
