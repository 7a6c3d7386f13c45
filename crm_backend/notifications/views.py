"""Notifications to the JSON shape of the API."""

from __future__ import annotations

from typing import Any, Dict, Optional

from crm_backend.core.models import Notification, StaffUser
from crm_backend.core.time import beijing_iso


def note_json(note: Notification, staff: Optional[StaffUser]) -> Dict[str, Any]:
    """One alert with its recipient's username."""
    return {"id": note.id, "recipient": staff.username if staff else None,
            "customer_id": note.customer_id, "kind": note.kind, "message": note.message,
            "conversation_id": note.conversation_id, "status": note.status,
            "created_at": beijing_iso(note.created_at)}
