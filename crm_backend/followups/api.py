"""Follow-ups for tests and demos: move a due time, run one scheduler pass now, inspect one."""

from __future__ import annotations

import aiohttp
from aiohttp import web

from crm_backend.core import body as validation
from crm_backend.core.body import moment
from crm_backend.core.http import ApiError, bad_request, json_response
from crm_backend.core.models import FollowUp
from crm_backend.core.state import CONFIG_KEY, session
from crm_backend.followups.scheduler import CLIENT_KEY, rasa_endpoint, run_app_pass
from crm_backend.followups.views import follow_up_json


async def _follow_up(db, request: web.Request) -> FollowUp:
    """The follow-up in the path, or 404."""
    return await validation.row_in_path(db, FollowUp, request, "follow_up_id", "回访记录不存在",
                                        code="follow_up_not_found")


async def get_follow_up(request: web.Request) -> web.Response:
    """One follow-up with its status, attempts, last error and the bot's answer."""
    async with session(request) as db:
        follow_up = await _follow_up(db, request)
    body = follow_up_json(follow_up)
    body.update(last_error=follow_up.last_error, rasa_response=follow_up.rasa_response)
    return json_response({"follow_up": body})


async def set_due(request: web.Request) -> web.Response:
    """Move a scheduled (or failed) follow-up's due time; it is scheduled again."""
    body = await validation.json_object(request)
    due_at = moment(body.get("due_at"), "due_at")
    if due_at is None:
        raise bad_request("字段 due_at 必须是 ISO 8601 时间", "due_at")
    async with session(request) as db:
        follow_up = await _follow_up(db, request)
        if follow_up.status not in ("scheduled", "failed"):
            raise ApiError(409, "follow_up_not_pending", "该回访已发起或已取消，不能再调整时间")
        follow_up.due_at, follow_up.status = due_at, "scheduled"
        await db.commit()
    return json_response({"follow_up": follow_up_json(follow_up)})


async def run_due(request: web.Request) -> web.Response:
    """One scheduler pass now; what fired (409 when KEFU_RASA_URL is not configured)."""
    if rasa_endpoint(request.app[CONFIG_KEY]) is None:
        raise ApiError(409, "rasa_not_configured", "未配置 KEFU_RASA_URL，无法发起回访")
    client = request.app.get(CLIENT_KEY)
    if client is not None:
        return json_response({"fired": await run_app_pass(request.app, client)})
    async with aiohttp.ClientSession() as own:
        return json_response({"fired": await run_app_pass(request.app, own)})


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_get("/api/followups/{follow_up_id}", get_follow_up)
    router.add_post("/api/followups/{follow_up_id}/due", set_due)
    router.add_post("/api/followups/run-due", run_due)
