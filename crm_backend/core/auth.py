"""Service-token authentication for everything under /api."""

from __future__ import annotations

import hmac

from aiohttp import web

from crm_backend.core.http import Handler, error_response

SERVICE_TOKEN_KEY = web.AppKey("service_token", str)


def bearer_matches(header: str, expected: str) -> bool:
    """Constant-time check of an `Authorization: Bearer <token>` header."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


@web.middleware
async def service_auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Reject /api requests without the service token with a JSON 401."""
    if request.path == "/api" or request.path.startswith("/api/"):
        header = request.headers.get("Authorization", "")
        if not bearer_matches(header, request.app[SERVICE_TOKEN_KEY]):
            return error_response(401, "unauthorized", "缺少或错误的服务令牌")
    return await handler(request)
