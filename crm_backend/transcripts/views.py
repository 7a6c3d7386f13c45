"""Transcript rows to the JSON shapes of the API."""

from __future__ import annotations

from typing import Any, Dict, Optional

from crm_backend.core.models import ConversationMessage
from crm_backend.core.time import beijing_iso


def message_json(row: ConversationMessage, staff_name: Optional[str] = None) -> Dict[str, Any]:
    return {"staff_name": staff_name,"id": row.id, "conversation_id": row.conversation_id, "channel": row.channel,
            "author": row.author, "text": row.text, "buttons": row.buttons or [],
            "message_id": row.client_message_id, "staff_id": row.staff_id,
            "handoff_id": row.handoff_id, "at": beijing_iso(row.created_at)}
