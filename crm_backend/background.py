"""Stopping the CRM's background loops (follow-up scheduler, daily jobs) on cleanup."""

from __future__ import annotations

import asyncio

from aiohttp import web


async def cancel_task(app: web.Application, key: web.AppKey) -> None:
    """Cancel the task stored under `key`, if one was started, and wait until it has stopped."""
    task = app.get(key)
    if task is None:
        return
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
