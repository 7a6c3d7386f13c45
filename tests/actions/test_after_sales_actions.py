"""The after-sales actions on tracker fixtures with a CRM played in memory: what each asks the
CRM, what it says, and what its yes/no question waits for."""

from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import crm_client
from bot.actions.confirmations import ActionConfirm
from bot.actions.crm_client import CRMClient
from bot.actions.invoices import ActionInvoiceSubmit
from bot.actions.price_protection import ActionPriceProtection
from bot.actions.settings import ActionSettings

ORDER_NO = "KF202611120007"
CHECK = {"order_no": ORDER_NO, "item_summary": "FreeBuds Pro 3 降噪耳机", "eligible": True,
         "eligible_total_yuan": "200.00",
         "items": [{"name": "FreeBuds Pro 3 降噪耳机", "eligible": True, "quantity": 1,
                    "paid_unit_yuan": "1399.00", "lowest_unit_yuan": "1199.00",
                    "lowest_at": "2026-11-17T16:00:00+08:00", "difference_yuan": "200.00",
                    "amount_yuan": "200.00", "reason": "可退"}]}
INVOICE = {"order_no": ORDER_NO, "status": "issued", "email_masked": "su***@example.com",
           "reissues_left": 2}


class FakeCRM(CRMClient):
    """Answers from a table of (method, path) → body and records every request."""

    def __init__(self, answers: Dict[Tuple[str, str], Any]) -> None:
        super().__init__(ActionSettings("http://127.0.0.1:9", "token", 1.0, 0))
        self.answers, self.calls = answers, []

    async def __aenter__(self) -> "FakeCRM":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        return None

    async def _request(self, method: str, path: str, *, json: Any = None,
                       params: Any = None) -> Optional[Dict[str, Any]]:
        self.calls.append((method, path, json))
        return self.answers.get((method, path))


@pytest.fixture
def crm(monkeypatch: pytest.MonkeyPatch) -> FakeCRM:
    fake = FakeCRM({
        ("GET", "/api/price-protection"): {"orders": [CHECK]},
        ("POST", f"/api/price-protection/{ORDER_NO}/claims"): {"refund_total_yuan": "200.00"},
        ("GET", f"/api/invoices/{ORDER_NO}"): INVOICE,
        ("POST", f"/api/invoices/{ORDER_NO}/reissue"): {"invoice": {
            "order_no": ORDER_NO, "title": "杭州小象科技有限公司", "number": "26330000000000034302",
            "email_masked": "su***@example.com"}},
    })
    monkeypatch.setattr(crm_client, "make_crm", lambda: fake)
    return fake


def tracker(text: str, intent: str, slots: Optional[Dict[str, Any]] = None) -> Tracker:
    parse = {"intent": {"name": intent, "confidence": 1.0}, "entities": [], "text": text}
    events: List[Dict[str, Any]] = [{"event": "user", "text": text, "parse_data": parse,
                                     "timestamp": 1.0,
                                     "metadata": {"kefu_identity": {"customer_id": 67}}}]
    return Tracker("test-sender", dict(slots or {}), parse, events, False, None, {},
                   "action_listen")


def pending_of(events: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    return next((e["value"] for e in events if e.get("name") == "pending_confirmation"
                 and e.get("value")), None)


async def test_the_offer_waits_for_a_yes_and_a_short_yes_claims_once(crm: FakeCRM) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionPriceProtection().run(dispatcher, tracker("耳机降价了能保价吗",
                                                                   "price_protection"), {})
    assert "¥200.00" in dispatcher.messages[0]["text"]
    pending = pending_of(events)
    assert pending == {"kind": "price_protection", "order_no": ORDER_NO}
    assert not [c for c in crm.calls if c[0] == "POST"]
    dispatcher = CollectingDispatcher()
    await ActionPriceProtection().run(dispatcher, tracker(
        "申请吧", "price_protection", {"pending_confirmation": pending}), {})
    (claim,) = [c for c in crm.calls if c[0] == "POST"]
    assert claim[1].endswith("/claims") and claim[2]["customer_id"] == 67
    assert "已为订单" in dispatcher.messages[0]["text"]


async def test_a_change_of_title_is_repeated_back_and_a_yes_reissues(crm: FakeCRM) -> None:
    dispatcher = CollectingDispatcher()
    slots = {"invoice_order_no": ORDER_NO, "invoice_operation": "change",
             "invoice_title": "杭州小象科技有限公司", "invoice_tax_no": "91330106MA2B3K7Q0W"}
    events = await ActionInvoiceSubmit().run(dispatcher, tracker("91330106MA2B3K7Q0W", "inform",
                                                                 slots), {})
    assert "确认重开吗" in dispatcher.messages[0]["text"]
    pending = pending_of(events)
    assert pending["kind"] == "invoice_reissue" and pending["invoice_kind"] == "company"
    dispatcher = CollectingDispatcher()
    await ActionConfirm().run(dispatcher, tracker("确认", "affirm",
                                                  {"pending_confirmation": pending}), {})
    (reissue,) = [c for c in crm.calls if c[0] == "POST"]
    assert reissue[2]["kind"] == "company" and reissue[2]["tax_no"] == "91330106MA2B3K7Q0W"
    assert "26330000000000034302" in dispatcher.messages[0]["text"]
