"""Background loops (follow-up scheduler, daily jobs) inside the CRM process, started and stopped
with the app through aiohttp's cleanup_ctx."""

from __future__ import annotations

import asyncio
from typing import AsyncIterator, Coroutine


async def running(loop: Coroutine, name: str) -> AsyncIterator[None]:
    """Run `loop` as a task while the app runs (for a cleanup_ctx), cancel it on shutdown."""
    task = asyncio.create_task(loop, name=name)
    yield
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
