"""WeChat's token endpoint, asked by the CRM on behalf of every channel process."""

from __future__ import annotations

import asyncio
from typing import Tuple

import aiohttp


class WeChatUnavailable(Exception):
    """WeChat did not give a token: unreachable, or an error code (in the message)."""


async def fetch_stable_token(api_base: str, app_id: str, secret: str,
                             timeout_seconds: float = 5.0) -> Tuple[str, int]:
    """(access_token, expires_in) from `POST {api_base}/cgi-bin/stable_token`."""
    body = {"grant_type": "client_credential", "appid": app_id, "secret": secret,
            "force_refresh": False}
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout_seconds)) as http:
            async with http.post(f"{api_base}/cgi-bin/stable_token", json=body) as response:
                answer = await response.json(content_type=None)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        raise WeChatUnavailable(f"stable_token unreachable: {error!r}") from error
    token = answer.get("access_token") if isinstance(answer, dict) else None
    if not isinstance(token, str) or not token:
        code = answer.get("errcode") if isinstance(answer, dict) else None
        raise WeChatUnavailable(f"stable_token refused: errcode {code}")
    return token, int(answer.get("expires_in") or 7200)
