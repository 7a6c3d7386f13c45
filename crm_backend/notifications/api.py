"""Staff alerts (a key customer at risk, …): listed for the console and marked read."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm_backend.core import body as validation
from crm_backend.core.http import bad_request, json_response, not_found
from crm_backend.core.models import Notification, StaffUser
from crm_backend.core.state import session
from crm_backend.notifications.views import note_json

STATUSES = ("unread", "read")


LIST_LIMIT = 100


async def list_notifications(request: web.Request) -> web.Response:
    """Newest first, optionally for one recipient (username) and one status."""
    username = request.query.get("recipient", "").strip()
    status = request.query.get("status", "").strip()
    if status and status not in STATUSES:
        raise bad_request(f"参数 status 应为 {'/'.join(STATUSES)} 之一", "status")
    stmt = (select(Notification).options(selectinload(Notification.recipient))
            .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(LIST_LIMIT))
    if status:
        stmt = stmt.where(Notification.status == status)
    async with session(request) as db:
        if username:
            staff = (await db.execute(select(StaffUser).where(StaffUser.username == username))
                     ).scalar_one_or_none()
            if staff is None:
                raise not_found("没有这个员工账号", code="staff_not_found")
            stmt = stmt.where(Notification.recipient_staff_id == staff.id)
        notes = list((await db.execute(stmt)).scalars())
        shown = [note_json(n, n.recipient) for n in notes]
    return json_response({"notifications": shown})


async def mark_read(request: web.Request) -> web.Response:
    """Mark one alert read; marking it again changes nothing."""
    note_id = validation.path_id(request.match_info["notification_id"], "id")
    async with session(request) as db:
        note = await db.get(Notification, note_id, options=[selectinload(Notification.recipient)])
        if note is None:
            raise not_found("通知不存在", code="notification_not_found")
        if note.status != "read":
            note.status = "read"
            await db.commit()
        return json_response({"notification": note_json(note, note.recipient)})


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_get("/api/notifications", list_notifications)
    router.add_post("/api/notifications/{notification_id}/read", mark_read)
