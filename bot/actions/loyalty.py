"""Points, membership and redemption, all read from and written to the CRM's ledger."""

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import loyalty_replies as replies
from bot.actions.crm_client import CRMClient, CRMRejected
from bot.actions.customer_action import CustomerAction, slot_text
from bot.actions.idempotency import message_key
from bot.actions.inquiry_replies import refused
from bot.actions.pending import ask_confirmation

logger = logging.getLogger(__name__)


class ActionPointsBalance(CustomerAction):
    def name(self) -> Text:
        return "action_points_balance"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int) -> List[EventType]:
        points = await crm.points(customer_id)
        dispatcher.utter_message(
            text=replies.describe_points(points) if points else replies.LOYALTY_UNAVAILABLE)
        return []


class ActionMembership(CustomerAction):
    def name(self) -> Text:
        return "action_membership"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int) -> List[EventType]:
        member = await crm.membership(customer_id)
        dispatcher.utter_message(
            text=replies.describe_membership(member) if member else replies.LOYALTY_UNAVAILABLE)
        return []


def find_reward(rewards: List[Dict[str, Any]], reward_id: str) -> Optional[Dict[str, Any]]:
    return next((r for r in rewards if r.get("id") == reward_id), None)


class ActionRedeemPoints(CustomerAction):
    """The catalogue as buttons; a reward chosen by button or named in words ("换10元无门槛券") is
    confirmed (cost, balance) before redeeming; a value no reward has is said to be missing."""

    def name(self) -> Text:
        return "action_redeem_points"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int) -> List[EventType]:
        events: List[EventType] = [SlotSet("reward_id", None)]
        rewards = await crm.rewards_catalogue()
        points = await crm.points(customer_id)
        balance = int(points["balance"]) if points and points.get("balance") is not None else None
        reward = find_reward(rewards, slot_text(tracker, "reward_id"))
        if reward is None:
            reward, asked = replies.reward_named(rewards, tracker.latest_message.get("text") or "")
            if asked is not None:
                text, buttons = replies.unknown_reward(asked, rewards, balance)
                dispatcher.utter_message(text=text, buttons=buttons)
                return events
        if reward is None or balance is None:
            if balance is None and reward is not None:
                dispatcher.utter_message(text=replies.LOYALTY_UNAVAILABLE)
                return events
            text, buttons = replies.catalogue_reply(rewards, balance)
            dispatcher.utter_message(text=text, buttons=buttons)
            return events
        if balance < int(reward["points_cost"]):
            dispatcher.utter_message(
                text=replies.insufficient(reward["title"], balance, int(reward["points_cost"])))
            return events
        dispatcher.utter_message(text=replies.confirm_redeem(reward, balance),
                                 buttons=replies.CONFIRM_BUTTONS)
        return events + [ask_confirmation("redeem", reward_id=reward["id"], title=reward["title"])]


class RedeemConfirmation:
    """Yes: one ledger entry per message (the key), a coupon back. No: nothing is spent."""

    async def on_yes(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int, pending: Dict[str, Any]) -> List[EventType]:
        reward_id = pending["reward_id"]
        try:
            result = await crm.redeem_points(customer_id, reward_id,
                                             message_key(tracker, "redeem", reward_id))
        except CRMRejected as rejected:
            if rejected.error == "insufficient_points":
                dispatcher.utter_message(text=replies.insufficient(
                    pending.get("title", reward_id), int(rejected.body.get("balance", 0)),
                    int(rejected.body.get("needed", 0))))
            else:
                dispatcher.utter_message(text=refused(rejected.message, "这次兑换没有成功。"))
            return []
        if not result:
            dispatcher.utter_message(text=replies.LOYALTY_UNAVAILABLE)
            return []
        dispatcher.utter_message(text=replies.redeemed(result))
        return []

    async def on_no(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                    customer_id: int, pending: Dict[str, Any]) -> List[EventType]:
        dispatcher.utter_message(text=replies.REDEEM_KEPT)
        return []
