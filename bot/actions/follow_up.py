"""Step 4: the CRM triggers a follow-up; ask whether it was solved and for a 1–5 score."""

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ConversationPaused, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import complaint_text as ct
from bot.actions import crm_client
from bot.actions.crm_client import CRMUnavailable
from bot.actions.failures import HonestAction

logger = logging.getLogger(__name__)


def remedy_done_text(complaint: Dict[Text, Any]) -> Text:
    """'此前已为您…。' from the executed remedy's summary, or nothing when none was carried out."""
    executed = complaint.get("remedy_executed") or {}
    summary = executed.get("summary") if isinstance(executed, dict) else None
    return f"此前{summary}。" if summary else ""


NO_FOLLOW_UP = [FollowupAction("action_listen")]


class ActionFollowUpStart(HonestAction, Action):
    """Opens the follow-up of the complaint named by the trigger, only if the CRM sent that
    follow-up to this very conversation (a typed `/EXTERNAL_follow_up{…}` opens nothing)."""

    def name(self) -> Text:
        return "action_follow_up_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        number = next(tracker.get_latest_entity_values("complaint_no"), None)
        if not number:
            return NO_FOLLOW_UP
        try:
            async with crm_client.make_crm() as crm:
                complaint = await crm.sent_follow_up(str(number), tracker.sender_id)
        except CRMUnavailable:
            logger.exception("CRM unavailable when starting follow-up %s", number)
            return NO_FOLLOW_UP
        if complaint is None:
            logger.warning("follow-up of %s was not sent to conversation %s", number,
                           tracker.sender_id)
            return NO_FOLLOW_UP
        label = complaint.get("category_label") or ""
        done = remedy_done_text(complaint)
        dispatcher.utter_message(
            text=f"您好，我是小福，来回访您的投诉 {number}{f'（{label}）' if label else ''}。{done}"
        )
        return [SlotSet("follow_up_complaint", str(number)), SlotSet("follow_up_resolved", None),
                SlotSet("follow_up_score", None)]


class ValidateFollowUpForm(HonestAction, FormValidationAction):
    def name(self) -> Text:
        return "validate_follow_up_form"

    async def extract_follow_up_resolved(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                         domain: DomainDict) -> Dict[Text, Any]:
        """Reads '还没解决' / '已经好了' from the words when the intent alone did not say it."""
        if tracker.get_slot("requested_slot") != "follow_up_resolved":
            return {}
        resolved = ct.parse_resolved(tracker.latest_message.get("text") or "")
        return {} if resolved is None else {"follow_up_resolved": resolved}

    def validate_follow_up_score(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        score = ct.parse_score(str(value or ""))
        if score is None:
            dispatcher.utter_message(response="utter_ask_follow_up_score_again")
            return {"follow_up_score": None}
        return {"follow_up_score": str(score)}


class ActionFollowUpRecord(HonestAction, Action):
    """Stores the answer: a good one closes the complaint, a bad one reopens it for a person."""

    def name(self) -> Text:
        return "action_follow_up_record"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        number = tracker.get_slot("follow_up_complaint")
        score = int(tracker.get_slot("follow_up_score") or 0)
        resolved = bool(tracker.get_slot("follow_up_resolved"))
        events: List[EventType] = [SlotSet("follow_up_complaint", None),
                                   SlotSet("follow_up_resolved", None),
                                   SlotSet("follow_up_score", None)]
        try:
            async with crm_client.make_crm() as crm:
                result = await crm.record_satisfaction(
                    number, score=score, resolved=resolved, conversation_id=tracker.sender_id,
                    idempotency_key=f"{number}:follow-up",
                )
        except CRMUnavailable:
            logger.exception("CRM unavailable when recording follow-up of %s", number)
            dispatcher.utter_message(response="utter_crm_unavailable")
            return events
        if result is None:
            dispatcher.utter_message(response="utter_follow_up_gone")
            return events
        status = (result.get("complaint") or {}).get("status")
        if status == "closed":
            dispatcher.utter_message(text=f"感谢您的评价（{score} 分）！投诉 {number} 已办结，祝您生活愉快😊")
            return events
        dispatcher.utter_message(
            text=f"非常抱歉问题还没有让您满意。投诉 {number} 已重新打开，并已转给人工客服优先跟进，请稍候。"
        )
        return events + [ConversationPaused()]
