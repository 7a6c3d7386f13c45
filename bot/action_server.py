"""The action server: rasa-sdk's app behind a shared-secret check, on the configured interface only.

Rasa sends the secret as `Authorization: Bearer …` (endpoints.yml); any other caller of
`/webhook` or `/actions` gets 401 and no action runs. Errors answer without echoing the tracker,
which may carry what a customer typed.
"""

import hmac
import logging
import socket
import sys
from typing import Optional

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.actions.settings import ActionSettings, InsecureSetting

logger = logging.getLogger(__name__)

OPEN_PATHS = ("/health",)

# Rasa posts the whole tracker; a long conversation is far beyond a chat message's size limit.
TRACKER_MAX_BYTES = 100 * 1024 * 1024


def authorised(header: Optional[str], token: str) -> bool:
    """Whether an Authorization header carries the shared secret (compared in constant time)."""
    expected = f"Bearer {token}".encode()
    return header is not None and hmac.compare_digest(header.encode(), expected)


def build_app(settings: ActionSettings) -> Sanic:
    """rasa-sdk's Sanic app with the secret check and a quiet error handler."""
    app = create_app("bot.actions", cors_origins=[])
    app.config.REQUEST_MAX_SIZE = TRACKER_MAX_BYTES

    @app.middleware("request")
    async def require_secret(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS:
            return None
        if not authorised(request.headers.get("Authorization"), settings.action_token):
            logger.warning("refused %s %s from %s: no valid secret", request.method,
                           request.path, request.ip)
            return response.json({"error": "unauthorized"}, status=401)
        return None

    @app.exception(Exception)
    async def failed(request: Request, exception: Exception) -> HTTPResponse:
        logger.error("action request failed: %s", type(exception).__name__, exc_info=exception)
        return response.json({"error": "action server error"}, status=500)

    return app


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = ActionSettings.from_env()
        settings.check_secrets()
    except InsecureSetting as error:
        print(f"动作服务器未启动：{error}", file=sys.stderr)
        return 2
    app = build_app(settings)
    logger.info("action server on http://%s:%s", settings.host, settings.port)
    if settings.listen_fd is not None:
        # A supervisor holds the listening socket across restarts and hands it over.
        app.run(sock=socket.socket(fileno=settings.listen_fd), workers=1, access_log=False)
    else:
        app.run(settings.host, settings.port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
