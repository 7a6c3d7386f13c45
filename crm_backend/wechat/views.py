"""WeChat rows to the JSON shapes of the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, Optional

from crm_backend.core.models import WeChatDelivery, WeChatInbound
from crm_backend.core.time import beijing_iso


def iso(value: Optional[datetime]) -> Optional[str]:
    return None if value is None else beijing_iso(value)


def inbound_json(row: WeChatInbound) -> Dict[str, Any]:
    return {"key": row.dedupe_key, "open_id": row.open_id, "msg_type": row.msg_type,
            "status": row.status, "delivery": row.delivery, "reply": row.reply,
            "received_at": iso(row.received_at), "answered_at": iso(row.answered_at)}


def delivery_json(row: WeChatDelivery) -> Dict[str, Any]:
    return {"id": row.id, "open_id": row.open_id, "inbound_key": row.inbound_key,
            "content": row.content, "status": row.status, "errcode": row.errcode,
            "errmsg": row.errmsg, "created_at": iso(row.created_at)}
