"""Answers to 'which order?' typed instead of tapped: '1', '第二个', '吹风机那个', or the number.

The offer is read back from the buttons of the bot's last message, so an answer only counts right
after the question; the `order_choice_offered` slot merely lets the dialogue rules route here.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.customer_action import customer_actions
from bot.actions.failures import HonestAction
from bot.actions.fallback import ActionFallback
from bot.actions.order_matching import orders_mentioned
from bot.actions.parsing import extract_order_no
from bot.actions.products import ActionProductInfo

# True once a 'which order?' question was asked: rules then send a bare number, an order number or
# an unclear message to action_answer_choice, which checks the bot's last message. It is never
# reset, so the rule that ran the action also predicts the end of the turn.
OFFER_SLOT = "order_choice_offered"
# What the offered buttons would have done when tapped.
PURPOSE_ACTIONS = {"order_status": "action_order_status", "modify_order": "action_modify_order",
                   "cancel_order": "action_cancel_order",
                   "price_protection": "action_price_protection",
                   "invoice_request": "action_invoice_request",
                   "book_appointment": "action_book_appointment",
                   "request_refund": "action_request_refund"}
NOT_PICKED = "没对上您说的是哪一笔😅 请点选下面的订单，回复序号（比如「1」）或直接发订单号："

ORDER_BUTTON = re.compile(r'^/(\w+)\{"order_no":"(KF\d{12})"\}$')
TITLE_STATUS = re.compile(r"^KF\d{12}\s*|（[^（）]*）$")
NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
            "九": 9}
ORDINAL_ANYWHERE = re.compile(r"第\s*([1-9一二两三四五六七八九])\s*(?:个|单|笔|条|项|行)?")
ORDINAL_ALONE = re.compile(r"^(?:就|选|要|是)?\s*([1-9])\s*(?:个|单|笔|吧|啊|呀)?$")
LAST = re.compile(r"最后(?:一|那|这)?(?:个|单|笔|条)|最下面")
PUNCTUATION = re.compile(r"[\s，。！？,.!?~～、]+")


@dataclass(frozen=True)
class OrderOffer:
    """The orders the bot offered as buttons, in order, and the intent their buttons send."""

    intent: str
    orders: List[Dict[str, str]]
    buttons: List[Dict[str, Any]] = field(default_factory=list)


def _user_index(events: List[Dict[str, Any]]) -> int:
    return max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)


def _last_turn_bot_events(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The bot's messages between the previous user message and the latest one, newest first."""
    latest = _user_index(events)
    previous = _user_index(events[:latest]) if latest > 0 else -1
    return [e for e in reversed(events[previous + 1:latest]) if e.get("event") == "bot"]


REWARD_BUTTON = re.compile(r'^/redeem_points\{"reward_id":"([\w-]+)"\}$')


def offered_rewards(events: List[Dict[str, Any]]) -> List[str]:
    """The reward ids the bot's last message offered as buttons, in order (empty if none)."""
    for event in _last_turn_bot_events(events):
        buttons = (event.get("data") or {}).get("buttons") or []
        ids = [m.group(1) for m in (REWARD_BUTTON.match(str(b.get("payload") or ""))
                                    for b in buttons) if m]
        if ids:
            return ids
    return []


def offered_orders(events: List[Dict[str, Any]]) -> Optional[OrderOffer]:
    """The 'which order?' buttons of the bot's messages right before the latest user message."""
    for event in _last_turn_bot_events(events):
        buttons = (event.get("data") or {}).get("buttons") or []
        matches = [ORDER_BUTTON.match(str(b.get("payload") or "")) for b in buttons]
        orders = [{"order_no": m.group(2), "item_summary": TITLE_STATUS.sub("", str(b.get("title")))}
                  for m, b in zip(matches, buttons) if m]
        if orders:
            intent = next(m.group(1) for m in matches if m)
            return OrderOffer(intent, orders, buttons)
    return None


def ordinal(text: str, count: int) -> Optional[int]:
    """The 0-based position '1' / '第二个' / '最后一个' points at, if within `count`."""
    plain = PUNCTUATION.sub("", unicodedata.normalize("NFKC", text))
    position = None
    found = ORDINAL_ANYWHERE.search(plain) or ORDINAL_ALONE.match(plain)
    if found:
        raw = found.group(1)
        position = NUMERALS.get(raw) or int(raw)
    elif LAST.search(plain):
        position = count
    if position is None or not 1 <= position <= count:
        return None
    return position - 1


def chosen_order(text: str, offer: OrderOffer) -> Optional[str]:
    """The offered order the answer picks: by number, by position, or by naming its product."""
    order_no = extract_order_no(text)
    numbers = [o["order_no"] for o in offer.orders]
    if order_no in numbers:
        return order_no
    position = ordinal(text, len(numbers))
    if position is not None:
        return numbers[position]
    named = orders_mentioned([text], offer.orders)
    return named[0]["order_no"] if len(named) == 1 else None


def picked_text(order_no: str, orders: List[Dict[str, str]]) -> str:
    """'好的，是订单 KF…（戴森吹风机 HD15）。' — which order the bot took the answer to mean."""
    summary = next((o["item_summary"] for o in orders if o["order_no"] == order_no), "")
    return f"好的，是订单 {order_no}（{summary}）。" if summary else f"好的，是订单 {order_no}。"


def offer_orders(dispatcher: CollectingDispatcher, text: str,
                 buttons: List[Dict[str, Any]]) -> EventType:
    """Ask 'which order?' with a button per order; the event marks the question as open."""
    dispatcher.utter_message(text=text, buttons=buttons)
    return SlotSet(OFFER_SLOT, True)


async def run_in_turn(action: Action, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: Dict[Text, Any], **slots: Any) -> List[EventType]:
    """Run `action` as part of this action, seeing `slots` already set, so the rule that ran this
    action also ends the turn (a follow-up action would leave the next step unpredicted)."""
    view = tracker.copy()
    view.slots.update(slots)
    return [SlotSet(name, value) for name, value in slots.items()] + list(
        await action.run(dispatcher, view, domain))


async def answer_offer(dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: Dict[Text, Any]) -> Optional[List[EventType]]:
    """Do what the tapped button would have done, or ask again; None when no order was offered."""
    offer = offered_orders(tracker.events)
    if offer is None or offer.intent not in PURPOSE_ACTIONS:
        return None
    text = tracker.latest_message.get("text") or ""
    picked = chosen_order(text, offer) or extract_order_no(text)
    if picked is None:
        return [offer_orders(dispatcher, NOT_PICKED, offer.buttons)]
    if offer.intent != "order_status":
        dispatcher.utter_message(text=picked_text(picked, offer.orders))
    action = customer_actions()[PURPOSE_ACTIONS[offer.intent]]
    return await run_in_turn(action, dispatcher, tracker, domain, order_no=picked)


async def answer_reward_offer(dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: Dict[Text, Any]) -> Optional[List[EventType]]:
    """Right after the reward list, '第一个' or '10元那个' picks a reward (the redemption asks to
    confirm, or lists the rewards again); None when no reward was offered."""
    rewards = offered_rewards(tracker.events)
    if not rewards:
        return None
    position = ordinal(tracker.latest_message.get("text") or "", len(rewards))
    slots = {"reward_id": rewards[position]} if position is not None else {}
    return await run_in_turn(customer_actions()["action_redeem_points"], dispatcher, tracker,
                             domain, **slots)


def names_an_order(tracker: Tracker) -> bool:
    """The message carries an order number or a phone tail (what `inform` answers with)."""
    text = tracker.latest_message.get("text") or ""
    entities = {e.get("entity") for e in tracker.latest_message.get("entities") or []}
    return extract_order_no(text) is not None or bool(entities & {"order_no", "phone_tail"})


def names_a_variant(tracker: Tracker) -> bool:
    """The message names a colour or a size ("黑色呢", "37码"): about the product just discussed."""
    entities = {e.get("entity") for e in tracker.latest_message.get("entities") or []}
    return bool(entities & {"colour", "size"})


class ActionAnswerChoice(HonestAction, Action):
    """A typed answer right after 'which order?' or the reward list; an order number by itself is
    an order question; a colour or size alone asks about the product just discussed; anything
    else is what the message means by itself — never the list of recent orders for a message
    that names none."""

    def name(self) -> Text:
        return "action_answer_choice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        events = await answer_offer(dispatcher, tracker, domain)
        if events is None:
            events = await answer_reward_offer(dispatcher, tracker, domain)
        if events is not None:
            return events
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "rate":
            dispatcher.utter_message(response="utter_thanks_for_rating")
            return []
        if intent == "inform" and names_an_order(tracker):
            return await run_in_turn(customer_actions()["action_order_status"], dispatcher,
                                     tracker, domain)
        if names_a_variant(tracker) and tracker.get_slot("product"):
            return list(await ActionProductInfo().run(dispatcher, tracker, domain))
        return list(await ActionFallback().run(dispatcher, tracker, domain))
