"""HTTP plumbing: JSON responses in readable Chinese, API errors and the middleware that turns every failure into one."""

from __future__ import annotations

import functools
import json
import logging
from typing import Any, Awaitable, Callable, Optional

from aiohttp import web

from crm_backend.core.errors import Conflict, DomainError, Invalid, NotFound, TooManyAttempts

log = logging.getLogger(__name__)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


HTTP_ERROR_CODES = {
    400: ("bad_request", "请求格式有误"),
    401: ("unauthorized", "未授权访问"),
    403: ("forbidden", "无权访问"),
    404: ("not_found", "请求的资源不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    413: ("payload_too_large", "请求内容过大"),
}


class ApiError(Exception):
    """An expected failure that becomes a JSON error response."""

    def __init__(self, status: int, code: str, message: str, field: Optional[str] = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def error_response(
    status: int, code: str, message: str, field: Optional[str] = None
) -> web.Response:
    """`{"error", "message"[, "field"]}` with the given HTTP status."""
    body = {"error": code, "message": message}
    if field is not None:
        body["field"] = field
    return json_response(body, status=status)


def bad_request(
    message: str, field: Optional[str] = None, code: str = "invalid_request"
) -> ApiError:
    """A 400 naming the offending field."""
    return ApiError(400, code, message, field)


def not_found(message: str = "请求的资源不存在", code: str = "not_found") -> ApiError:
    """A 404 that says nothing beyond 'not found'."""
    return ApiError(404, code, message)


def domain_status(error: DomainError) -> int:
    """The one mapping of domain errors to HTTP statuses."""
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Invalid):
        return 400
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, TooManyAttempts):
        return 429
    return 422


def domain_error_response(error: DomainError) -> web.Response:
    """The JSON response of a domain error; a 429 also says when to retry (body and header)."""
    if isinstance(error, TooManyAttempts):
        response = json_response({"error": error.code, "message": error.message,
                                  "retry_after_seconds": error.retry_after_seconds}, status=429)
        response.headers["Retry-After"] = str(error.retry_after_seconds)
        return response
    return error_response(domain_status(error), error.code, error.message, error.field)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn ApiError, domain errors, aiohttp HTTP errors and crashes into JSON bodies."""
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(exc.status, exc.code, exc.message, exc.field)
    except DomainError as exc:
        return domain_error_response(exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code, message = HTTP_ERROR_CODES.get(exc.status, ("http_error", exc.reason))
        return error_response(exc.status, code, message)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "服务器内部错误，请稍后重试")


_dumps = functools.partial(json.dumps, ensure_ascii=False)


def json_response(data: Any, status: int = 200) -> web.Response:
    """`application/json; charset=utf-8` response of `data`."""
    return web.json_response(data, status=status, dumps=_dumps)
