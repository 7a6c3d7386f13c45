#!/usr/bin/env bash
# The suite again with the machine's clock moved forward (libfaketime): no test may depend on the
# day it runs. `make test` runs this after the normal pass; a missing faketime stops it loudly.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v faketime >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installing faketime (Debian package) for the clock-ahead test pass"
    apt-get install -y -qq faketime >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null && apt-get install -y -qq faketime >/dev/null; }
  else
    echo "faketime 未安装：请运行 sudo apt-get install faketime 后再运行 make test" >&2
    exit 1
  fi
fi

# Five tests run a model inside the test process (or a child of it) and hold no date logic: the
# dialogue stories (`rasa test core` predicts, it runs no action), the NLU value-invariance and
# FAQ-selector parses, the lean-loading comparison (bot/rasa_memory.py) and the graph runners'
# comparison (bot/graph_runner.py). Under
# libfaketime TensorFlow's threads in those processes can wait on a shifted clock forever (seen:
# `rasa test core` stuck with every thread in a futex wait), so they run in the normal pass only.
# The served bot (Rasa, actions, CRM) does run under the moved clock in the end-to-end tests.
# Each pass has a timeout, so a hang fails the run instead of holding CI; and
# FAKETIME_DONT_FAKE_MONOTONIC is no way out (with libfaketime 0.9.10 time.sleep fails, EINVAL).
DATE_FREE=(--ignore=tests/test_conversation_stories.py --ignore=tests/nlu/test_value_invariance.py
           --ignore=tests/nlu/test_faq_selector.py --ignore=tests/rasa_server/test_rasa_memory.py
           --ignore=tests/rasa_server/test_graph_runner.py)
echo "==> The fast tests with the clock 45 days ahead"
timeout 900 faketime -f "+45d" .venv/bin/python -m pytest -q -p no:cacheprovider "${DATE_FREE[@]}" \
  tests/crm tests/actions tests/nlu tests/architecture
echo "==> The whole suite with the clock 400 days ahead"
timeout 2400 faketime -f "+400d" .venv/bin/python -m pytest -q -p no:cacheprovider "${DATE_FREE[@]}"
