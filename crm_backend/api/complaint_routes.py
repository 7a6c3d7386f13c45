"""Routes of the complaint procedure, handoffs, follow-ups and order changes, and the scheduler."""

from __future__ import annotations

from aiohttp import web

from ..followup_runner import start_scheduler, stop_scheduler
from . import complaints, followups, handoffs, order_changes


def add_complaint_routes(app: web.Application) -> None:
    """Register the routes; the follow-up scheduler starts after the database opens and
    stops before it closes."""
    app.on_startup.append(start_scheduler)
    app.on_cleanup.insert(0, stop_scheduler)
    router = app.router
    router.add_post("/api/complaints", complaints.create)
    router.add_get("/api/complaints", complaints.list_complaints)
    router.add_get("/api/complaints/{number}", complaints.get_complaint)
    router.add_patch("/api/complaints/{number}", complaints.correct)
    router.add_post("/api/complaints/{number}/remedy/propose", complaints.propose)
    router.add_post("/api/complaints/{number}/remedy/accept", complaints.accept)
    router.add_post("/api/complaints/{number}/remedy/refuse", complaints.refuse)
    router.add_post("/api/complaints/{number}/satisfaction", complaints.satisfaction)
    router.add_post("/api/handoffs", handoffs.create)
    router.add_get("/api/handoffs", handoffs.list_queue)
    router.add_post("/api/handoffs/{handoff_id}/close", handoffs.close)
    router.add_get("/api/followups/{follow_up_id}", followups.get_follow_up)
    router.add_post("/api/followups/{follow_up_id}/due", followups.set_due)
    router.add_post("/api/followups/run-due", followups.run_due)
    router.add_post("/api/orders/{order_no}/cancel", order_changes.cancel)
    router.add_post("/api/orders/{order_no}/modify", order_changes.modify)
