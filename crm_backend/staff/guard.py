"""Who is logged in to the staff console, and what they may do.

`staff_guard_middleware` stands in front of every staff page (`/staff/…`) and the staff API
(`/api/staff/…`, which takes no service token): without a live session a page redirects to the
login page (`?next=` the page) and the API answers 401; a request that changes something
(POST/PUT/PATCH/DELETE) must carry the session's CSRF token (form field `csrf_token` or header
`X-CSRF-Token`), else 403. Only the login page itself is open. `require_staff(role)` adds the
role a handler needs (403 otherwise) and does the same checks for a handler outside those paths.
Handlers read the member with `signed_in(request)`; templates get `staff` and `csrf_token`.
"""

from __future__ import annotations

import functools
import hmac
from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional

import aiohttp_jinja2
import jinja2
from aiohttp import web
from yarl import URL

from crm_backend.core.auth import is_staff_api
from crm_backend.core.http import Handler, error_response
from crm_backend.core.state import READ_SESSIONS_KEY, SESSIONS_KEY, now
from crm_backend.policies import policies
from crm_backend.staff import rules
from crm_backend.staff import store as staff_store

SESSION_COOKIE = "kefu_staff"


CSRF_FIELD = "csrf_token"


CSRF_HEADER = "X-CSRF-Token"


LOGIN_PATH = "/staff/login"


STAFF_PAGES = "/staff/"


# Paths of the staff area open to anyone: the login page (its form has its own CSRF check).
PUBLIC_PATHS = frozenset({LOGIN_PATH})


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


# The request key holding the logged-in member (None when anonymous), set once looked up.
STAFF_REQUEST_KEY = "kefu_staff"


# Staff pages hold personal data and CSRF tokens: never cached, never framed, scripts only from
# the CRM itself (the console's own file; no inline script, so injected markup cannot run).
PAGE_HEADERS = (
    ("Cache-Control", "no-store"),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy", "default-src 'none'; script-src 'self'; connect-src 'self'; "
                                "style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'"),
)


@dataclass(frozen=True)
class SignedIn:
    """The staff member behind a request and the session they are using."""

    staff_id: int
    username: str
    display_name: str
    role: str
    session_id: int
    csrf_token: str

    @property
    def role_label(self) -> str:
        """The role in Chinese (客服 / 主管)."""
        return rules.ROLE_LABELS.get(self.role, self.role)


def in_staff_area(path: str) -> bool:
    """True for the staff pages and the staff API."""
    return path.startswith(STAFF_PAGES) or is_staff_api(path)


def wants_json(request: web.Request) -> bool:
    """API requests get JSON answers, pages get pages and redirects."""
    return request.path.startswith("/api/")


def is_secure(request: web.Request) -> bool:
    """The browser reached us over https (directly or through a proxy that says so)."""
    return request.secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"


def staff_or_none(request: web.Request) -> Optional[SignedIn]:
    """The member logged in on this request, once the guard has looked (None when anonymous)."""
    return request.get(STAFF_REQUEST_KEY)


def signed_in(request: web.Request) -> SignedIn:
    """The member of a request the guard let through (a guarded handler always has one)."""
    member = staff_or_none(request)
    if member is None:
        raise RuntimeError(f"{request.path} is not behind the staff guard")
    return member


async def current_staff(request: web.Request) -> Optional[SignedIn]:
    """The member whose live session the request's cookie names (None when anonymous),
    looked up once per request; a session's last request time is written at most once a
    minute."""
    if STAFF_REQUEST_KEY in request:
        return request[STAFF_REQUEST_KEY]
    request[STAFF_REQUEST_KEY] = None
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    at = now(request)
    async with request.app[READ_SESSIONS_KEY]() as db:
        row = await staff_store.live_session(db, token, at, policies(request).staff)
    if row is None:
        return None
    if rules.needs_touch(row.last_seen_at, at):
        async with request.app[SESSIONS_KEY]() as db:
            await staff_store.touch_session(db, row.id, at)
            await db.commit()
    member = SignedIn(staff_id=row.staff.id, username=row.staff.username,
                      display_name=row.staff.display_name, role=row.staff.role,
                      session_id=row.id, csrf_token=row.csrf_token)
    request[STAFF_REQUEST_KEY] = member
    return member


async def _sent_csrf(request: web.Request) -> str:
    """The CSRF token the request carries: the header, else the form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        value = (await request.post()).get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def csrf_ok(request: web.Request, expected: str) -> bool:
    """True when the request carries `expected` (compared in constant time)."""
    sent = await _sent_csrf(request)
    return bool(sent) and hmac.compare_digest(sent.encode(), expected.encode())


async def template_context(request: web.Request) -> Dict[str, Any]:
    """What every staff template may use: the member (or None) and their CSRF token."""
    member = staff_or_none(request)
    return {"staff": member, "csrf_token": member.csrf_token if member else ""}


async def render(request: web.Request, template: str, context: Mapping[str, Any],
                 status: int = 200) -> web.Response:
    """A staff page from `template`, with the member and CSRF token, and headers that keep it
    out of caches and frames."""
    merged = {**await template_context(request), **context}
    response = aiohttp_jinja2.render_template(template, request, merged, status=status)
    response.headers.extend(PAGE_HEADERS)
    return response


def redirect(location: str, status: int = 303) -> web.Response:
    """A redirect (303 by default: after a form, the browser follows with GET)."""
    return web.Response(status=status, headers={"Location": location,
                                                "Cache-Control": "no-store"})


def login_url(next_path: Optional[str] = None) -> str:
    """The login page, returning to `next_path` afterwards when it is a staff page."""
    if next_path is None or rules.safe_next(next_path) == rules.HOME:
        return LOGIN_PATH
    return str(URL(LOGIN_PATH).with_query(next=next_path))


def _anonymous(request: web.Request) -> web.Response:
    """No live session: 401 for the API, the login page (coming back here) for a page; a stale
    cookie is dropped."""
    if wants_json(request):
        response = error_response(401, "not_logged_in", "请先登录客服工作台后再试")
    else:
        back = request.path_qs if request.method in ("GET", "HEAD") else None
        response = redirect(login_url(back), status=302 if back else 303)
    if SESSION_COOKIE in request.cookies:
        response.del_cookie(SESSION_COOKIE, path="/")
    return response


async def _forbidden(request: web.Request, code: str, message: str) -> web.Response:
    """A 403 as JSON for the API, as a page saying what to do for a page."""
    if wants_json(request):
        return error_response(403, code, message)
    return await render(request, "forbidden.html", {"message": message}, status=403)


def _csrf_message() -> str:
    """What a request without the session's CSRF token is told."""
    return "页面已过期或请求来源无法确认，操作没有执行。请回到工作台刷新页面后重试。"


async def check(request: web.Request, role: str) -> Optional[web.Response]:
    """None when the request may go on with `role`; otherwise the refusal to send: 401 or the
    login page without a live session, 403 without the session's CSRF token on a change, 403
    for a role that may not."""
    member = await current_staff(request)
    if member is None:
        return _anonymous(request)
    if request.method in UNSAFE_METHODS and not await csrf_ok(request, member.csrf_token):
        return await _forbidden(request, "csrf_failed", _csrf_message())
    if not rules.role_allows(member.role, role):
        needed = rules.ROLE_LABELS[role]
        return await _forbidden(
            request, "forbidden",
            f"您当前的账号（{member.role_label}）没有权限进行此操作，需要{needed}账号。"
            f"如确需使用，请联系主管。")
    return None


@web.middleware
async def staff_guard_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Everything under /staff/ and /api/staff/ except the login page needs a live session, and
    the session's CSRF token on a change."""
    if in_staff_area(request.path) and request.path not in PUBLIC_PATHS:
        refusal = await check(request, "agent")
        if refusal is not None:
            return refusal
    return await handler(request)


def require_staff(role: str = "agent") -> Callable[[Handler], Handler]:
    """A handler only a logged-in member with `role` (or a higher one) may reach; anonymous
    callers, changes without the CSRF token and lesser roles are refused as the guard does."""
    if role not in rules.ROLES:
        raise ValueError(f"unknown staff role {role!r}")

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            refusal = await check(request, role)
            if refusal is not None:
                return refusal
            return await handler(request)

        return guarded

    return decorate


def setup_templates(app: web.Application) -> None:
    """The staff pages' Jinja2 environment (autoescaped), with `staff` and `csrf_token` in every
    template's context."""
    aiohttp_jinja2.setup(app, loader=jinja2.PackageLoader("crm_backend.staff", "templates"),
                         autoescape=True, context_processors=[template_context])
