"""Where is my return, exchange or repair: the steps with their times and what to do next, read
from the CRM's after-sales requests."""

from typing import List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import after_sales_replies as replies
from bot.actions.crm_client import CRMClient
from bot.actions.customer_action import CustomerAction, slot_order_no
from bot.actions.requests import request_text

INTENT = "after_sales_progress"


class ActionAfterSalesProgress(CustomerAction):
    """The request the customer asks about in full; several in brief."""

    def name(self) -> Text:
        return "action_after_sales_progress"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int) -> List[EventType]:
        order_no = slot_order_no(tracker)
        requests = await crm.after_sales(customer_id, order_no)
        if not requests:
            text = (f"订单 {order_no} 没有售后申请。" + replies.NO_AFTER_SALES.split("。", 1)[1]
                    if order_no else replies.NO_AFTER_SALES)
            dispatcher.utter_message(text=text)
            return [SlotSet("order_no", None)]
        said = request_text(tracker, INTENT) or (tracker.latest_message.get("text") or "")
        chosen = replies.requests_in_question(requests, said)
        if not chosen:
            dispatcher.utter_message(text="没有找到这个售后单号，下面是您的售后申请：")
            chosen = requests
        if len(chosen) == 1:
            dispatcher.utter_message(text=replies.describe_request(chosen[0]))
        else:
            dispatcher.utter_message(text=replies.describe_requests(chosen))
        return [SlotSet("order_no", None)]
