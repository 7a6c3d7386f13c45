"""Answers that missed WeChat's 5-second window, sent through the customer-service message API:
the access token comes from the CRM (one per account, shared by every process), a refused token
is refreshed and the message retried once, and every message is recorded in the CRM, sent or
not (quota, 48-hour window, an error), never dropped silently."""

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any, Dict, Optional, Sequence

import aiohttp

logger = logging.getLogger(__name__)

# The token was refused: refresh once and retry once.
REFRESH_ERRCODES = frozenset({40001, 40014, 42001})
# Out of the 48-hour window or out of quota: record, never retry.
FINAL_ERRCODES = frozenset({45015, 45047, 45009})
# Customer-service messages WeChat allows per customer message.
QUOTA_PER_MESSAGE = 5


@dataclass(frozen=True)
class Outcome:
    """What WeChat answered one message (errcode 0: sent)."""

    errcode: Optional[int]
    errmsg: str

    @property
    def sent(self) -> bool:
        return self.errcode == 0


class Deliverer:
    """Sends customer-service messages with a CRM session (`crm`) and WeChat's API base URL."""

    def __init__(self, crm: Any, api_base: str, timeout_seconds: float = 5.0) -> None:
        self._crm = crm
        self.api_base = api_base.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    async def _token(self, stale: Optional[str] = None) -> str:
        body: Dict[str, Any] = {"stale_token": stale} if stale else {}
        async with self._crm().post("/api/wechat/access-token", json=body) as response:
            if response.status != 200:
                raise RuntimeError(f"CRM gave no WeChat access token ({response.status})")
            return str((await response.json())["access_token"])

    async def _post(self, token: str, open_id: str, content: str) -> Outcome:
        payload = json.dumps({"touser": open_id, "msgtype": "text", "text": {"content": content}},
                             ensure_ascii=False).encode("utf-8")
        async with aiohttp.ClientSession(timeout=self.timeout) as http:
            async with http.post(f"{self.api_base}/cgi-bin/message/custom/send",
                                 params={"access_token": token}, data=payload,
                                 headers={"Content-Type": "application/json; charset=utf-8"}
                                 ) as response:
                answer = await response.json(content_type=None)
        code = answer.get("errcode") if isinstance(answer, dict) else None
        return Outcome(code if isinstance(code, int) else None,
                       str(answer.get("errmsg", "")) if isinstance(answer, dict) else "")

    async def send(self, open_id: str, content: str) -> Outcome:
        """One text message; a refused token is refreshed (for every process) and tried once more."""
        try:
            token = await self._token()
            outcome = await self._post(token, open_id, content)
            if outcome.errcode in REFRESH_ERRCODES:
                outcome = await self._post(await self._token(stale=token), open_id, content)
            return outcome
        except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError, ValueError) as error:
            logger.warning("customer-service message to %s failed: %r", open_id, error)
            return Outcome(None, f"unreachable: {error!r}"[:255])

    async def _record(self, open_id: str, key: str, content: str, outcome: Outcome) -> None:
        body = {"open_id": open_id, "inbound_key": key, "content": content,
                "status": "sent" if outcome.sent else "not_sent", "errmsg": outcome.errmsg[:255]}
        if outcome.errcode is not None:
            body["errcode"] = outcome.errcode
        try:
            async with self._crm().post("/api/wechat/deliveries", json=body) as response:
                if response.status != 201:
                    logger.error("CRM did not record a WeChat delivery (%s): %s", response.status,
                                 body)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.error("CRM did not record a WeChat delivery (%r): %s", error, body)

    async def deliver(self, open_id: str, key: str, pieces: Sequence[str],
                      already_used: int = 0) -> int:
        """Send the pieces of one answer in order within the quota; the rest, and everything after
        a final refusal, recorded as not sent. The number sent."""
        sent, stop = 0, None
        for index, piece in enumerate(pieces):
            if stop is None and already_used + index >= QUOTA_PER_MESSAGE:
                stop = Outcome(None, "quota: at most 5 customer-service messages per message")
            outcome = stop or await self.send(open_id, piece)
            await self._record(open_id, key, piece, outcome)
            sent += outcome.sent
            if outcome.errcode in FINAL_ERRCODES:
                stop = outcome
        return sent
