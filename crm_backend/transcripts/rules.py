"""Who may write what into a transcript, and through which channel."""

from __future__ import annotations

CHANNELS = ("web", "wechat", "rest")

# Authors the channels write; `agent` messages are written by the console (with the staff id).
CHANNEL_AUTHORS = ("customer", "bot", "system")

MAX_TEXT = 20000
MAX_CLIENT_ID = 160
