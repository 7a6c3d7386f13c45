"""Kefu's Rasa server: Rasa's own command line with Kefu's speed-ups installed first.

    python -m bot.rasa_server run --model … --endpoints endpoints.yml …  (the arguments of `rasa`)

scripts/stack.py starts Rasa this way for `make run`, the tests and the benchmarks. What it
installs changes how fast Rasa works and how much memory it holds, never what it does
(bot/action_validation.py, bot/dialogue_states.py, bot/endpoint_sessions.py, bot/graph_runner.py,
bot/rasa_memory.py, bot/rule_matching.py, bot/steady_gc.py, bot/tracker_copy.py).
Everything it imports comes after `rasa_memory.before_imports()`, which TensorFlow must follow.
"""

from bot import rasa_memory

rasa_memory.before_imports()

from bot import (action_validation, dialogue_states, endpoint_sessions,  # noqa: E402
                 graph_runner, rule_matching, steady_gc, tracker_copy)


def main() -> None:
    """Install the speed-ups, then run Rasa's command line on this process's arguments."""
    action_validation.install()
    dialogue_states.install()
    endpoint_sessions.install()
    graph_runner.install()
    rasa_memory.install()
    rule_matching.install()
    steady_gc.install()
    tracker_copy.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
