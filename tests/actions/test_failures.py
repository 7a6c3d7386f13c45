"""Every action path ends in a sentence: a CRM that is down or refuses, or a bug, never means
silence (rasa-sdk would answer 500 and the customer get nothing)."""

from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import crm_client
from bot.actions.complaints import ValidateComplaintForm
from bot.actions.confirmations import ActionConfirm
from bot.actions.crm_client import CRMClient, CRMRejected
from bot.actions.failures import HonestAction
from bot.actions.products import ActionProductInfo
from bot.actions.settings import ActionSettings

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text("utf-8"))
ORDER_NO = "KF202611180009"


def tracker(text: str, slots: Dict[str, Any], intent: str = "inform",
            active_loop: Optional[str] = None, set_now: Optional[Dict[str, Any]] = None) -> Tracker:
    """A conversation whose last message is `text`; `set_now` are slots set in this turn."""
    parse = {"intent": {"name": intent, "confidence": 1.0}, "entities": [], "text": text}
    events: List[Dict[str, Any]] = [
        {"event": "user", "text": text, "parse_data": parse, "timestamp": 1.0}]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (set_now or {}).items()]
    return Tracker("test-sender", {**slots, **(set_now or {})}, parse, events, False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


@pytest.fixture
def crm_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real client, pointed at a port where nothing listens."""
    settings = ActionSettings("http://127.0.0.1:9", "token", 1.0, 0)
    monkeypatch.setattr(crm_client, "make_crm", lambda: CRMClient(settings))


class RefusingCRM(CRMClient):
    """Answers every request with the CRM's 409 refusal and its Chinese reason."""

    def __init__(self) -> None:
        super().__init__(ActionSettings("http://127.0.0.1:9", "token", 1.0, 0))

    async def _request(self, method: str, path: str, **kwargs: Any) -> Optional[Dict[str, Any]]:
        raise CRMRejected(409, {"error": "remedy_not_open", "message": "投诉当前状态为已办结，不能接受方案"})


def said(dispatcher: CollectingDispatcher) -> List[str]:
    return [m.get("response") or m.get("text") for m in dispatcher.messages]


async def test_form_validator_with_the_crm_down_says_so(crm_down) -> None:
    dispatcher = CollectingDispatcher()
    slots = {"customer_id": 1, "requested_slot": "complaint_order_no"}
    events = await ValidateComplaintForm().run(
        dispatcher, tracker(ORDER_NO, slots, active_loop="complaint_form",
                            set_now={"complaint_order_no": ORDER_NO}), DOMAIN)
    assert said(dispatcher) == ["utter_crm_unavailable"] and events == []


async def test_a_refused_confirmation_tells_the_crms_reason(monkeypatch) -> None:
    monkeypatch.setattr(crm_client, "make_crm", RefusingCRM)
    dispatcher = CollectingDispatcher()
    slots = {"customer_id": 1,
             "pending_confirmation": {"kind": "remedy", "number": "TS202611230001"}}
    await ActionConfirm().run(dispatcher, tracker("好的", slots, intent="affirm"), DOMAIN)
    assert said(dispatcher)[-1] == "投诉当前状态为已办结，不能接受方案"


async def test_a_product_question_with_the_crm_down_says_so(crm_down) -> None:
    dispatcher = CollectingDispatcher()
    await ActionProductInfo().run(dispatcher, tracker("羽绒服有货吗", {"product": "羽绒服"}), DOMAIN)
    assert said(dispatcher) == ["utter_crm_unavailable"]


async def test_a_bug_still_ends_in_a_sentence() -> None:
    class Broken(HonestAction):
        def name(self) -> str:
            return "action_broken"

        async def run(self, dispatcher, tracker, domain):
            raise KeyError("a bug")

    dispatcher = CollectingDispatcher()
    assert await Broken().run(dispatcher, tracker("你好", {}), DOMAIN) == []
    assert said(dispatcher) == ["utter_action_failed"]


def test_every_response_named_by_the_wrapper_exists() -> None:
    for name in ("utter_crm_unavailable", "utter_request_refused", "utter_action_failed"):
        assert DOMAIN["responses"][name][0]["text"]
