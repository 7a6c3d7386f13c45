"""Service-token authentication for everything under /api except /api/staff, where the staff
member's login session is the credential instead (staff/guard.py)."""

from __future__ import annotations

import hmac

from aiohttp import web

from crm_backend.core.http import Handler, error_response

SERVICE_TOKEN_KEY = web.AppKey("service_token", str)


STAFF_API_PREFIX = "/api/staff"


def is_staff_api(path: str) -> bool:
    """True for the staff console's API (`/api/staff/…`), which a login session authenticates."""
    return path == STAFF_API_PREFIX or path.startswith(STAFF_API_PREFIX + "/")


def bearer_matches(header: str, expected: str) -> bool:
    """Constant-time check of an `Authorization: Bearer <token>` header."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


def is_service_api(path: str) -> bool:
    """True for the API the service token guards: /api and below, but not the staff's."""
    return (path == "/api" or path.startswith("/api/")) and not is_staff_api(path)


@web.middleware
async def service_auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Reject /api requests without the service token with a JSON 401 (/api/staff is left to
    the staff guard, which refuses it without a login session)."""
    if is_service_api(request.path):
        header = request.headers.get("Authorization", "")
        if not bearer_matches(header, request.app[SERVICE_TOKEN_KEY]):
            return error_response(401, "unauthorized", "缺少或错误的服务令牌")
    return await handler(request)
