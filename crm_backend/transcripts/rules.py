"""Who may write what into a transcript, and through which channel."""

from __future__ import annotations

CHANNELS = ("web", "wechat", "rest")

# Authors the channels write; `agent` messages are written by the console (with the staff id).
CHANNEL_AUTHORS = ("customer", "bot", "system")

MAX_TEXT = 20000
MAX_CLIENT_ID = 160
# Messages written in one request (a turn's replies).
MAX_BATCH = 20


# Who wrote a transcript line and which channel it came through, as staff read them.
AUTHOR_LABELS = {"customer": "客户", "bot": "机器人", "agent": "人工客服", "system": "系统"}


CHANNEL_LABELS = {"web": "网页客服", "wechat": "微信公众号", "rest": "接口（客户需自行拉取）"}
