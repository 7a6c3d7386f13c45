"""Once Rasa's agent is loaded, what exists is left out of the collector's passes
(bot/steady_gc.py), and the load's result is Rasa's."""

import gc

import rasa.core.run

from bot import steady_gc


async def test_what_the_load_left_is_frozen_and_its_result_passed_on() -> None:
    gc.unfreeze()
    kept = []

    async def load(model: str, *, endpoints: str) -> str:
        kept.append([[n] for n in range(5000)])
        return f"{model} {endpoints}"

    try:
        assert await steady_gc.freezing(load)("model", endpoints="e") == "model e"
        assert gc.get_freeze_count() >= 5000
    finally:
        gc.unfreeze()


def test_rasas_start_up_is_wrapped(monkeypatch) -> None:
    original = rasa.core.run.load_agent_on_start
    monkeypatch.setattr(rasa.core.run, "load_agent_on_start", original)
    steady_gc.install()
    assert rasa.core.run.load_agent_on_start.__wrapped__ is original
