"""The staff console's door: the login page, logging in and out, the (placeholder) home page,
and `GET /api/staff/me` and `GET /api/staff/team` (managers only).

Logging in: the login form carries a token that must equal the pre-login cookie's (so another
site cannot log a browser into an account of its choosing); the password is checked outside the
database transaction (scrypt takes a while), then the login is decided under the account's row
lock (`store.log_in`). Unknown users and wrong passwords get the same answer.
"""

from __future__ import annotations

import asyncio
import hmac
import re
import secrets
from typing import Any, Optional

from aiohttp import web

from crm_backend.core.http import json_response
from crm_backend.core.state import READ_SESSIONS_KEY, SESSIONS_KEY, now, session
from crm_backend.policies import policies
from crm_backend.staff import rules
from crm_backend.staff import store as staff_store
from crm_backend.staff.guard import (LOGIN_PATH, SESSION_COOKIE, current_staff, is_secure,
                                     redirect, render, require_staff, signed_in)
from crm_backend.staff.passwords import check_password
from crm_backend.staff.views import staff_json, team_member_json

# The pre-login cookie whose value the login form must send back.
LOGIN_CSRF_COOKIE = "kefu_staff_login"


LOGIN_CSRF_MAX_AGE = 24 * 3600


TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,128}")


MAX_USERNAME_INPUT = 64


BAD_CREDENTIALS = "账号或密码错误，请检查后重新输入。忘记密码请联系主管重置。"


DISABLED = "该账号已停用，不能登录。如有疑问请联系主管。"


MISSING_FIELDS = "请输入账号和密码。"


LOGIN_EXPIRED = "登录页面已过期或来源无法确认，请重新输入账号和密码登录。"


def _field(form: Any, name: str) -> str:
    """A text field of the posted form ('' when absent or a file)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


async def _login_form(request: web.Request, *, next_path: str, username: str = "",
                      error: Optional[str] = None, notice: Optional[str] = None,
                      status: int = 200) -> web.Response:
    """The login page, with the pre-login token in its form and its cookie."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not TOKEN_SHAPE.fullmatch(token):
        token = secrets.token_urlsafe(32)
    policy = policies(request).staff
    response = await render(request, "login.html", {
        "csrf_token": token, "next": next_path, "username": username, "error": error,
        "notice": notice, "max_failures": policy.max_failures,
        "lockout_minutes": int(policy.lockout.total_seconds() // 60),
    }, status=status)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, path=LOGIN_PATH, max_age=LOGIN_CSRF_MAX_AGE,
                        httponly=True, samesite="Strict", secure=is_secure(request))
    return response


async def login_page(request: web.Request) -> web.Response:
    """`GET /staff/login`: the form, or straight on when already logged in."""
    next_path = rules.safe_next(request.query.get("next"))
    if await current_staff(request) is not None:
        return redirect(next_path)
    notice = "您已安全退出。如需继续工作，请重新登录。" if "logged_out" in request.query else None
    return await _login_form(request, next_path=next_path, notice=notice)


async def login(request: web.Request) -> web.Response:
    """`POST /staff/login`: start a session and go on to `next` (a staff page) or the home page;
    the form again with what to do on any refusal."""
    form = await request.post()
    next_path = rules.safe_next(_field(form, "next"))
    username = _field(form, "username").strip()[:MAX_USERNAME_INPUT]
    password = _field(form, "password")
    expected, sent = request.cookies.get(LOGIN_CSRF_COOKIE, ""), _field(form, "csrf_token")
    if not (expected and sent and hmac.compare_digest(expected.encode(), sent.encode())):
        return await _login_form(request, next_path=next_path, username=username,
                                 error=LOGIN_EXPIRED, status=403)
    if not username or not password:
        return await _login_form(request, next_path=next_path, username=username,
                                 error=MISSING_FIELDS, status=400)
    async with request.app[READ_SESSIONS_KEY]() as db:
        staff = await staff_store.staff_by_username(db, username)
    stored = staff.password_hash if staff is not None else None
    matches, new_hash = await asyncio.to_thread(check_password, password, stored)
    previous = await current_staff(request)
    at = now(request)
    policy = policies(request).staff
    async with request.app[SESSIONS_KEY]() as db:
        result = await staff_store.log_in(
            db, username=username, checked_hash=stored, password_ok=matches, new_hash=new_hash,
            now=at, policy=policy, user_agent=request.headers.get("User-Agent"))
        if result.token is not None and previous is not None:
            await staff_store.end_session(db, previous.session_id, at)
        await db.commit()
    if result.refusal == "locked" and result.locked_until is not None:
        response = await _login_form(request, next_path=next_path, username=username,
                                     error=rules.locked_message(result.locked_until, at),
                                     status=429)
        response.headers["Retry-After"] = str(rules.retry_after_seconds(result.locked_until, at))
        return response
    if result.refusal == "disabled":
        return await _login_form(request, next_path=next_path, username=username,
                                 error=DISABLED, status=403)
    if result.token is None:
        return await _login_form(request, next_path=next_path, username=username,
                                 error=BAD_CREDENTIALS, status=401)
    response = redirect(next_path)
    response.set_cookie(SESSION_COOKIE, result.token, path="/", httponly=True, samesite="Lax",
                        secure=is_secure(request), max_age=int(policy.lifetime.total_seconds()))
    return response


@require_staff()
async def logout(request: web.Request) -> web.Response:
    """`POST /staff/logout` (with the CSRF token): end this session, back to the login page."""
    async with session(request) as db:
        await staff_store.end_session(db, signed_in(request).session_id, now(request))
        await db.commit()
    response = redirect(f"{LOGIN_PATH}?logged_out=1")
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


@require_staff()
async def home(request: web.Request) -> web.Response:
    """`GET /staff/`: the console's home page (for now: who is logged in, and logging out)."""
    policy = policies(request).staff
    return await render(request, "home.html", {
        "nav": "queue",
        "idle_minutes": int(policy.idle_timeout.total_seconds() // 60),
        "lifetime_hours": int(policy.lifetime.total_seconds() // 3600),
    })


async def to_home(request: web.Request) -> web.Response:
    """`GET /staff`: the home page's address has a trailing slash."""
    return redirect("/staff/", status=301)


@require_staff()
async def me(request: web.Request) -> web.Response:
    """`GET /api/staff/me`: the logged-in member."""
    async with session(request) as db:
        staff = await staff_store.staff_by_id(db, signed_in(request).staff_id)
    if staff is None:
        raise web.HTTPUnauthorized()
    return json_response({"staff": staff_json(staff)})


@require_staff("manager")
async def team(request: web.Request) -> web.Response:
    """`GET /api/staff/team` (managers): every account, disabled ones included."""
    async with session(request) as db:
        members = await staff_store.all_staff(db)
    return json_response({"staff": [team_member_json(m) for m in members]})


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_get("/staff", to_home)
    router.add_get(LOGIN_PATH, login_page)
    router.add_post(LOGIN_PATH, login)
    router.add_post("/staff/logout", logout)
    router.add_get("/staff/", home)
    router.add_get("/api/staff/me", me)
    router.add_get("/api/staff/team", team)
