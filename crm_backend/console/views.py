"""The console's rows to JSON."""

from __future__ import annotations

from typing import Any, Dict, Optional

from crm_backend.core.models import CannedReply, HandoffNote
from crm_backend.core.time import beijing_iso


def note_json(note: HandoffNote, staff_name: Optional[str]) -> Dict[str, Any]:
    return {"id": note.id, "text": note.text, "staff_name": staff_name,
            "at": beijing_iso(note.created_at)}


def canned_reply_json(reply: CannedReply) -> Dict[str, Any]:
    return {"id": reply.id, "title": reply.title, "text": reply.text,
            "updated_at": beijing_iso(reply.updated_at)}
