"""Where is my complaint: one by number (only the customer's own), or their recent ones."""

from typing import List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import inquiry_replies as replies
from bot.actions.crm_client import CRMClient
from bot.actions.customer_action import CustomerAction, slot_text

RECENT = 5


class ActionComplaintStatus(CustomerAction):
    def name(self) -> Text:
        return "action_complaint_status"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int) -> List[EventType]:
        number = slot_text(tracker, "complaint_no").strip().upper()
        if number:
            complaint = await crm.complaint(number, customer_id)
            if complaint is None:
                dispatcher.utter_message(text=replies.complaint_not_found(number))
            else:
                dispatcher.utter_message(text=replies.describe_complaint(complaint))
            return [SlotSet("complaint_no", None)]
        complaints = await crm.complaints(customer_id, limit=RECENT)
        if not complaints:
            dispatcher.utter_message(text=replies.NO_COMPLAINTS)
        elif len(complaints) == 1:
            dispatcher.utter_message(text=replies.describe_complaint(complaints[0]))
        else:
            dispatcher.utter_message(
                text="您最近有几条投诉记录，想查哪一条？点选或直接发投诉单号（TS 开头）：",
                buttons=[replies.complaint_button(c) for c in complaints])
        return []
