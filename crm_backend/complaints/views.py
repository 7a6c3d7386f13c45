"""Complaints to the JSON shapes of the API (summary for lists, detail with the timeline)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.complaints import rules
from crm_backend.complaints.store import events_of, order_numbers
from crm_backend.core.models import Complaint, ComplaintEvent, FollowUp, Handoff, StaffUser
from crm_backend.core.time import beijing_iso
from crm_backend.core.vocabulary import tier_label
from crm_backend.followups.views import follow_up_json
from crm_backend.handoffs.store import describe as describe_handoff


def summary_json(complaint: Complaint, order_no: Optional[str]) -> Dict[str, Any]:
    """The ComplaintSummary shape."""
    step = complaint.current_step
    return {
        "number": complaint.number,
        "customer_id": complaint.customer_id,
        "order_no": order_no,
        "category": complaint.category,
        "category_label": rules.CATEGORY_LABELS.get(complaint.category, complaint.category),
        "severity": complaint.severity,
        "severity_label": rules.SEVERITY_LABELS.get(complaint.severity, complaint.severity),
        "status": complaint.status,
        "status_label": rules.STATUS_LABELS.get(complaint.status, complaint.status),
        "current_step": rules.step_code(step),
        "current_step_label": rules.step_label(step),
        "customer_tier": complaint.customer_tier,
        "customer_tier_label": tier_label(complaint.customer_tier),
        "channel": complaint.channel,
        "conversation_id": complaint.conversation_id,
        "score": complaint.score,
        "created_at": beijing_iso(complaint.created_at),
        "updated_at": beijing_iso(complaint.updated_at),
    }


def timeline_json(events: List[ComplaintEvent]) -> List[Dict[str, Any]]:
    """The four-step timeline entries, oldest first."""
    return [{"step": rules.step_code(e.step), "step_label": rules.step_label(e.step),
             "occurred_at": beijing_iso(e.occurred_at), "note": e.note, "actor": e.actor,
             "actor_label": rules.ACTOR_LABELS.get(e.actor, e.actor), "staff_id": e.staff_id}
            for e in events]


def offered_json(complaint: Complaint) -> Optional[Dict[str, Any]]:
    """The remedy currently offered (public part), if any."""
    state = complaint.remedy_offered or {}
    offers = state.get("offers") or []
    return offers[-1]["public"] if offers else None


async def latest(db: AsyncSession, model: Any, complaint_id: int) -> Any:
    """The newest row of `model` linked to the complaint."""
    stmt = (select(model).where(model.complaint_id == complaint_id)
            .order_by(model.id.desc()).limit(1))
    return (await db.execute(stmt)).scalar_one_or_none()


async def detail_json(db: AsyncSession, complaint: Complaint) -> Dict[str, Any]:
    """The ComplaintDetail shape: summary, words, timeline, remedy, handler, follow-up, score."""
    order_no = (await order_numbers(db, [complaint.order_id])).get(complaint.order_id)
    body = summary_json(complaint, order_no)
    handler = (await db.get(StaffUser, complaint.handler_staff_id)
               if complaint.handler_staff_id else None)
    handoff = await latest(db, Handoff, complaint.id)
    execution = complaint.remedy_execution
    body.update({
        "customer_words": rules.split_words(complaint.customer_words),
        "expectation": complaint.expectation,
        "timeline": timeline_json(await events_of(db, complaint.id)),
        "remedy_offered": offered_json(complaint),
        "remedy_accepted": complaint.remedy_accepted,
        "remedy_executed": execution["public"] if execution else None,
        "remedy_executed_at": (beijing_iso(complaint.remedy_executed_at)
                               if complaint.remedy_executed_at else None),
        "handler": {"id": handler.id, "name": handler.display_name} if handler else None,
        "handoff": await describe_handoff(db, handoff) if handoff else None,
        "follow_up": follow_up_json(await latest(db, FollowUp, complaint.id)),
        "follow_up_result": complaint.follow_up_result,
        "resolved_at": beijing_iso(complaint.resolved_at) if complaint.resolved_at else None,
    })
    return body
