"""JSON responses with readable UTF-8 Chinese (no \\u escapes)."""

from __future__ import annotations

import functools
import json
from typing import Any

from aiohttp import web

_dumps = functools.partial(json.dumps, ensure_ascii=False)


def json_response(data: Any, status: int = 200) -> web.Response:
    """`application/json; charset=utf-8` response of `data`."""
    return web.json_response(data, status=status, dumps=_dumps)
