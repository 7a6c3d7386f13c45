"""Follow-ups to the JSON shape of the API."""

from __future__ import annotations

from typing import Any, Dict, Optional

from crm_backend.core.models import FollowUp
from crm_backend.core.time import beijing_iso


def follow_up_json(follow_up: Optional[FollowUp]) -> Optional[Dict[str, Any]]:
    """A follow-up (of a complaint or a win-back attempt) as its id, due time and status."""
    if follow_up is None:
        return None
    return {"id": follow_up.id, "due_at": beijing_iso(follow_up.due_at), "status": follow_up.status,
            "fired_at": beijing_iso(follow_up.fired_at) if follow_up.fired_at else None,
            "attempts": follow_up.attempts}
