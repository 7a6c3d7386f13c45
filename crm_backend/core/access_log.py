"""Which requests the CRM's access log keeps: people's (staff pages, the widget, WeChat) and
every refused or failed one, but not the service calls the bot makes several times for each
customer message (they are in the transcript and the CRM's own records already)."""

from __future__ import annotations

from aiohttp import web
from aiohttp.web_log import AccessLogger

from crm_backend.core.auth import is_service_api


def is_routine_service_call(path: str, status: int) -> bool:
    """A service-token API call that succeeded (2xx/3xx)."""
    return is_service_api(path) and status < 400


class CRMAccessLogger(AccessLogger):
    """aiohttp's access log without the routine service calls."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if is_routine_service_call(request.path, response.status):
            return
        super().log(request, response, time)
