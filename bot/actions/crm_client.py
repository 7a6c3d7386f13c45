"""A thin async client for the CRM backend's REST API: timeouts, retries, clear failures."""

import asyncio
import logging
from typing import Any, Dict, List, Optional
from urllib.parse import quote

import aiohttp

from bot.actions.settings import ActionSettings

logger = logging.getLogger(__name__)

RETRYABLE_STATUSES = {502, 503, 504}


class CRMUnavailable(Exception):
    """The CRM could not be reached or answered with a server error."""


class CRMRejected(Exception):
    """The CRM refused the request (4xx other than 404); `error` is its code, `body` the rest."""

    def __init__(self, status: int, body: Dict[str, Any]) -> None:
        self.status = status
        self.body = body
        self.error = str(body.get("error", ""))
        self.message = str(body.get("message", ""))
        super().__init__(f"CRM refused the request: {status} {self.error}")


class CRMClient:
    """Use as `async with make_crm() as crm:`; one HTTP session per action run."""

    def __init__(self, settings: ActionSettings) -> None:
        self._settings = settings
        self._session: Optional[aiohttp.ClientSession] = None

    async def __aenter__(self) -> "CRMClient":
        self._session = aiohttp.ClientSession(
            base_url=self._settings.crm_url,
            headers={"Authorization": f"Bearer {self._settings.crm_service_token}"},
            timeout=aiohttp.ClientTimeout(total=self._settings.crm_timeout_seconds),
        )
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        if self._session is not None:
            await self._session.close()

    async def _request(
        self, method: str, path: str, *, json: Any = None, params: Any = None
    ) -> Optional[Dict[str, Any]]:
        """Send one request; None for 404, the JSON body for 2xx, an exception otherwise."""
        assert self._session is not None, "use CRMClient as an async context manager"
        attempts = self._settings.crm_retries + 1
        for attempt in range(1, attempts + 1):
            try:
                async with self._session.request(
                    method, path, json=json, params=params
                ) as response:
                    if response.status in RETRYABLE_STATUSES and attempt < attempts:
                        raise aiohttp.ClientResponseError(
                            response.request_info, (), status=response.status
                        )
                    body = await response.json(content_type=None)
                    if response.status == 404:
                        return None
                    if 400 <= response.status < 500:
                        raise CRMRejected(response.status, body if isinstance(body, dict) else {})
                    if response.status >= 500:
                        raise CRMUnavailable(f"CRM {method} {path}: {response.status}")
                    return body
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                if attempt == attempts:
                    raise CRMUnavailable(f"CRM {method} {path}: {error!r}") from error
                logger.warning("CRM %s %s failed (%r), retrying", method, path, error)
                await asyncio.sleep(0.2 * attempt)
        raise CRMUnavailable(f"CRM {method} {path}: no attempt made")

    async def bind_by_order(self, order_no: str, phone_tail: str, conversation_id: str,
                            source: Optional[str],
                            channel: Optional[str] = None) -> Optional[Dict[str, Any]]:
        """Bind the conversation to the customer who placed `order_no` if their phone ends in
        `phone_tail` (a WeChat conversation's OpenID stays linked); None when they do not match.
        Raises CRMRejected 429 while locked."""
        body: Dict[str, Any] = {"order_no": order_no, "phone_tail": phone_tail,
                                "conversation_id": conversation_id}
        if source:
            body["source"] = source
        if channel:
            body["channel"] = channel
        try:
            answer = await self._request("POST", "/api/identity/bind", json=body)
        except CRMRejected as rejected:
            if rejected.status == 400:
                return None
            raise
        return answer["customer"] if answer else None

    async def bound_customer(self, conversation_id: str) -> Optional[int]:
        """The customer the CRM holds a live binding of this conversation to, else None."""
        body = await self._request("GET", f"/api/identity/bindings/{quote(conversation_id, safe='')}")
        return int(body["binding"]["customer_id"]) if body else None

    async def recent_orders(self, customer_id: int, limit: int = 5) -> List[Dict[str, Any]]:
        body = await self._request(
            "GET", f"/api/customers/{customer_id}/orders", params={"limit": str(limit)}
        )
        return body["orders"] if body else []

    async def order_detail(self, order_no: str, customer_id: int) -> Optional[Dict[str, Any]]:
        """The order if it exists and belongs to `customer_id`, else None."""
        return await self._request(
            "GET", f"/api/orders/{order_no}", params={"customer_id": str(customer_id)}
        )

    async def products(self, query: str, limit: int = 5) -> List[Dict[str, Any]]:
        body = await self._request("GET", "/api/products", params={"q": query, "limit": str(limit)})
        return body["products"] if body else []

    async def cancel_order(self, order_no: str, customer_id: int, reason: str,
                           idempotency_key: str) -> Optional[Dict[str, Any]]:
        """The CRM's answer; raises CRMRejected (409) with a Chinese reason when not allowed."""
        return await self._request("POST", f"/api/orders/{order_no}/cancel", json={
            "customer_id": customer_id, "reason": reason, "idempotency_key": idempotency_key})

    async def modify_order(self, order_no: str, customer_id: int, field: str, value: str,
                           idempotency_key: str) -> Optional[Dict[str, Any]]:
        return await self._request("POST", f"/api/orders/{order_no}/modify", json={
            "customer_id": customer_id, "field": field, "value": value,
            "idempotency_key": idempotency_key})

    async def check_modify(self, order_no: str, customer_id: int, field: str, value: str
                           ) -> Optional[Dict[str, Any]]:
        """Would the CRM accept this change? Raises CRMRejected with its reason when not."""
        return await self._request("POST", f"/api/orders/{order_no}/modify/check", json={
            "customer_id": customer_id, "field": field, "value": value})

    async def points(self, customer_id: int) -> Optional[Dict[str, Any]]:
        return await self._request("GET", f"/api/customers/{customer_id}/points")

    async def membership(self, customer_id: int) -> Optional[Dict[str, Any]]:
        return await self._request("GET", f"/api/customers/{customer_id}/membership")

    async def rewards_catalogue(self) -> List[Dict[str, Any]]:
        body = await self._request("GET", "/api/rewards/catalogue")
        return body["rewards"] if body else []

    async def redeem_points(self, customer_id: int, reward_id: str,
                            idempotency_key: str) -> Optional[Dict[str, Any]]:
        """Raises CRMRejected 409 `insufficient_points` (body has balance/needed)."""
        return await self._request("POST", f"/api/customers/{customer_id}/points/redeem", json={
            "reward_id": reward_id, "idempotency_key": idempotency_key})

    async def winback(self, customer_id: int, conversation_id: str, trigger: str,
                      idempotency_key: str, detail: str = "") -> Optional[Dict[str, Any]]:
        """The attempt the CRM decided by tier (action, offer granted, notification)."""
        return await self._request("POST", f"/api/customers/{customer_id}/winback", json={
            "conversation_id": conversation_id, "trigger": trigger, "detail": detail,
            "idempotency_key": idempotency_key})

    async def winback_attempt(self, attempt_id: int) -> Optional[Dict[str, Any]]:
        """The attempt with its offer, outcome and follow-up; None when it does not exist."""
        return await self._request("GET", f"/api/winback/{attempt_id}")

    async def record_winback_outcome(self, attempt_id: int,
                                     outcome: str) -> Optional[Dict[str, Any]]:
        """Setting the same outcome again changes nothing, so a retried call is safe."""
        return await self._request("PATCH", f"/api/winback/{attempt_id}",
                                   json={"outcome": outcome})

    async def create_handoff(self, conversation_id: str, customer_id: Optional[int], reason: str,
                             idempotency_key: str,
                             complaint_number: Optional[str] = None) -> Dict[str, Any]:
        body = await self._request("POST", "/api/handoffs", json={
            "conversation_id": conversation_id, "customer_id": customer_id, "reason": reason,
            "complaint_number": complaint_number, "idempotency_key": idempotency_key})
        assert body is not None
        return body["handoff"]

    async def record_handoff_satisfaction(self, conversation_id: str,
                                          score: int) -> Optional[Dict[str, Any]]:
        """Keep the 1–5 answer on the conversation's handed-back handoff; None when none waits."""
        body = await self._request("POST", "/api/handoffs/satisfaction", json={
            "conversation_id": conversation_id, "score": score})
        return body["handoff"] if body else None

    async def create_complaint(self, payload: Dict[str, Any]) -> Dict[str, Any]:
        body = await self._request("POST", "/api/complaints", json=payload)
        assert body is not None
        return body["complaint"]

    async def complaints(self, customer_id: int, limit: int = 5) -> List[Dict[str, Any]]:
        body = await self._request("GET", "/api/complaints", params={
            "customer_id": str(customer_id), "limit": str(limit)})
        return body["complaints"] if body else []

    async def complaint(self, number: str, customer_id: int) -> Optional[Dict[str, Any]]:
        """The customer's own complaint; None when it does not exist or is someone else's."""
        body = await self._request("GET", f"/api/complaints/{number}",
                                   params={"customer_id": str(customer_id)})
        return body.get("complaint", body) if body else None

    async def propose_remedy(self, number: str, alternative: bool = False) -> Dict[str, Any]:
        """Raises CRMRejected 409 `no_more_alternatives` when policy has nothing else."""
        body = await self._request("POST", f"/api/complaints/{number}/remedy/propose",
                                   json={"alternative": alternative})
        assert body is not None
        return body

    async def accept_remedy(self, number: str, idempotency_key: str) -> Dict[str, Any]:
        body = await self._request("POST", f"/api/complaints/{number}/remedy/accept",
                                   json={"idempotency_key": idempotency_key})
        assert body is not None
        return body

    async def refuse_remedy(self, number: str, reason: str) -> Dict[str, Any]:
        body = await self._request("POST", f"/api/complaints/{number}/remedy/refuse",
                                   json={"reason": reason})
        assert body is not None
        return body["handoff"]

    async def sent_follow_up(self, number: str, conversation_id: str) -> Optional[Dict[str, Any]]:
        """The complaint whose follow-up the CRM sent to this conversation, else None."""
        body = await self._request("GET", f"/api/complaints/{number}/follow-up",
                                   params={"conversation_id": conversation_id})
        return body["complaint"] if body else None

    async def record_satisfaction(self, number: str, score: int, resolved: bool,
                                  conversation_id: str, idempotency_key: str,
                                  comment: Optional[str] = None) -> Optional[Dict[str, Any]]:
        """None when no follow-up of this complaint was sent to this conversation."""
        return await self._request("POST", f"/api/complaints/{number}/satisfaction", json={
            "score": score, "resolved": resolved, "comment": comment,
            "conversation_id": conversation_id, "idempotency_key": idempotency_key})

    # ---------------------------------------------------------------- after-sales
    async def price_protection_orders(self, customer_id: int) -> List[Dict[str, Any]]:
        """The customer's orders still within a price-protection window, each item checked."""
        body = await self._request("GET", "/api/price-protection",
                                   params={"customer_id": str(customer_id)})
        return body["orders"] if body else []

    async def price_protection_check(self, order_no: str, customer_id: int
                                     ) -> Optional[Dict[str, Any]]:
        """One order's items checked for price protection; None when not the customer's."""
        return await self._request("GET", f"/api/price-protection/{order_no}",
                                   params={"customer_id": str(customer_id)})

    async def claim_price_protection(self, order_no: str, customer_id: int,
                                     idempotency_key: str) -> Optional[Dict[str, Any]]:
        """Refund the difference of every eligible item once; CRMRejected 409 says why not."""
        return await self._request("POST", f"/api/price-protection/{order_no}/claims", json={
            "customer_id": customer_id, "idempotency_key": idempotency_key})

    async def after_sales(self, customer_id: int, order_no: Optional[str] = None
                          ) -> List[Dict[str, Any]]:
        """The customer's return/exchange/repair requests with their steps, newest first."""
        params = {"customer_id": str(customer_id)}
        if order_no:
            params["order_no"] = order_no
        body = await self._request("GET", "/api/after-sales", params=params)
        return body["requests"] if body else []

    async def request_return(self, order_no: str, customer_id: int, reason: str,
                             idempotency_key: str) -> Dict[str, Any]:
        """A return-and-refund request for the order; CRMRejected 409 when policy refuses."""
        return await self._request("POST", "/api/after-sales", json={
            "customer_id": customer_id, "order_no": order_no, "kind": "return", "reason": reason,
            "idempotency_key": idempotency_key})

    async def invoices(self, customer_id: int) -> List[Dict[str, Any]]:
        body = await self._request("GET", "/api/invoices", params={"customer_id": str(customer_id)})
        return body["invoices"] if body else []

    async def invoice(self, order_no: str, customer_id: int) -> Optional[Dict[str, Any]]:
        """The order's invoice; None when the order is not the customer's or has none."""
        return await self._request("GET", f"/api/invoices/{order_no}",
                                   params={"customer_id": str(customer_id)})

    async def send_invoice(self, order_no: str, customer_id: int, email: str,
                           idempotency_key: str) -> Optional[Dict[str, Any]]:
        """Send the e-invoice to `email`; CRMRejected 400 (address) / 409 (limit, not issued)."""
        return await self._request("POST", f"/api/invoices/{order_no}/send", json={
            "customer_id": customer_id, "email": email, "idempotency_key": idempotency_key})

    async def reissue_invoice(self, order_no: str, customer_id: int, kind: str, title: str,
                              tax_no: Optional[str], idempotency_key: str
                              ) -> Optional[Dict[str, Any]]:
        """Re-issue with a new title / tax number; CRMRejected 400 (field) / 409 (policy)."""
        return await self._request("POST", f"/api/invoices/{order_no}/reissue", json={
            "customer_id": customer_id, "kind": kind, "title": title, "tax_no": tax_no,
            "reason": "客户通过在线客服修改发票信息", "idempotency_key": idempotency_key})

    async def appointment_orders(self, customer_id: int) -> List[Dict[str, Any]]:
        """Recent orders that may book a delivery, installation or pick-up, or have booked one."""
        body = await self._request("GET", "/api/appointments",
                                   params={"customer_id": str(customer_id)})
        return body["orders"] if body else []

    async def appointment_options(self, order_no: str, customer_id: int
                                  ) -> Optional[Dict[str, Any]]:
        """What the order may book (with slots) and has booked; None when not the customer's."""
        return await self._request("GET", f"/api/appointments/{order_no}",
                                   params={"customer_id": str(customer_id)})

    async def book_appointment(self, order_no: str, customer_id: int, kind: str, slot: str,
                               idempotency_key: str, change: bool = False
                               ) -> Optional[Dict[str, Any]]:
        """Book (or, with `change`, move) the order's appointment of `kind` to `slot`."""
        path = f"/api/appointments/{order_no}" + ("/change" if change else "")
        return await self._request("POST", path, json={
            "customer_id": customer_id, "kind": kind, "slot": slot,
            "idempotency_key": idempotency_key})


def make_crm() -> CRMClient:
    """The CRM client every action opens, configured from the environment; the one place tests
    replace (`monkeypatch.setattr(crm_client, "make_crm", …)`)."""
    return CRMClient(ActionSettings.from_env())
