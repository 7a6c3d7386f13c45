"""The garbage collector's full passes leave out what exists once the model is loaded.

The Rasa process holds millions of long-lived objects (TensorFlow, the model, the domain); every
full collection walked all of them, stopping every conversation in the process for about 200 ms
(measured: up to 219 ms per full pass under load), which showed as a tail in response times.
`install()` has Rasa's start-up collect once after loading the agent and freeze what is left
(`gc.freeze`), so later passes look only at objects made while serving.
"""

from __future__ import annotations

import gc
from functools import wraps
from typing import Any, Awaitable, Callable

import rasa.core.run


def freezing(load: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """`load` (Rasa's `load_agent_on_start`), then a full collection and `gc.freeze()`."""

    @wraps(load)
    async def load_then_freeze(*args: Any, **kwargs: Any) -> Any:
        loaded = await load(*args, **kwargs)
        gc.collect()
        gc.freeze()
        return loaded

    return load_then_freeze


def install() -> None:
    """Make Rasa's server freeze the collector's view once its agent is loaded."""
    rasa.core.run.load_agent_on_start = freezing(rasa.core.run.load_agent_on_start)
