#!/usr/bin/env bash
# Create (or reuse) the virtual environment for requirements.lock and point .venv at it.
# The environment lives outside the repository, in a cache directory keyed by the lock's hash,
# so every clone with the same lock shares one environment and nothing large lands in git.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || {
  echo "Kefu 需要 Python 3.11（当前：$("$PYTHON" --version 2>&1)）。请设置 PYTHON=/path/to/python3.11。" >&2
  exit 1
}

CACHE=${KEFU_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kefu}
LOCK_HASH=$(sha256sum requirements.lock | cut -c1-16)
VENV="$CACHE/venvs/$LOCK_HASH"
mkdir -p "$CACHE/venvs"

exec 9>"$CACHE/venvs/.lock"
flock 9
if [ ! -f "$VENV/.complete" ]; then
  echo "==> Creating the Python environment in $VENV (first run: about 3-5 minutes, ~3 GB)"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade "pip==23.2.1"
  # --no-deps: the lock is complete and exact; --ignore-requires-python: only rasa and
  # rasa-sdk declare <3.11, and they run on 3.11 with the pins in the lock.
  "$VENV/bin/python" -m pip install --no-deps --ignore-requires-python \
    --progress-bar off -r requirements.lock
  "$VENV/bin/python" -c "import rasa, rasa_sdk, spacy, jieba, sqlalchemy, aiohttp, alembic, defusedxml, playwright" 
  touch "$VENV/.complete"
  echo "==> Environment ready"
fi
flock -u 9

ln -sfn "$VENV" .venv

bash scripts/build_widget.sh
