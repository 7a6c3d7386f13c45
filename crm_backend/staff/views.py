"""Staff accounts as the API shows them (never a password hash or a session token)."""

from __future__ import annotations

from typing import Any, Dict

from crm_backend.core.models import StaffUser
from crm_backend.core.time import beijing_iso
from crm_backend.staff.rules import ROLE_LABELS


def staff_json(staff: StaffUser) -> Dict[str, Any]:
    """Who a staff member is: id, username, display name and role."""
    return {"id": staff.id, "username": staff.username, "display_name": staff.display_name,
            "role": staff.role}


def team_member_json(staff: StaffUser) -> Dict[str, Any]:
    """One account of the team list a manager sees: who, the role's label, whether it may log
    in, and until when wrong passwords lock it."""
    return {**staff_json(staff),
            "role_label": ROLE_LABELS.get(staff.role, staff.role),
            "disabled": staff.disabled_at is not None,
            "disabled_at": beijing_iso(staff.disabled_at) if staff.disabled_at else None,
            "locked_until": beijing_iso(staff.locked_until) if staff.locked_until else None,
            "created_at": beijing_iso(staff.created_at)}
