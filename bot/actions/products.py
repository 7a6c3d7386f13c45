"""Product questions answered from the CRM's catalogue: price, stock, colours, sizes."""

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import crm_client
from bot.actions import inquiry_replies as replies
from bot.actions.failures import HonestAction

logger = logging.getLogger(__name__)

MAX_MATCHES = 5


def _entity(tracker: Tracker, name: str) -> Optional[str]:
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value) if value else None


def best_matches(products: List[Dict[str, Any]], query: str) -> List[Dict[str, Any]]:
    """An exact name match wins over the rest of the search results."""
    exact = [p for p in products if p.get("name") == query]
    return exact[:1] if exact else products


VARIANT_SUFFIXES = ("尺码", "码数", "码", "号", "色系", "颜色", "色", "的")


def _bare(value: str) -> str:
    """A variant as written, without the words around it: "37码"→"37", "黑色的"→"黑", "xl"→"XL"."""
    bare = value.strip().upper()
    changed = True
    while changed:
        changed = False
        for suffix in VARIANT_SUFFIXES:
            if len(bare) > len(suffix) and bare.endswith(suffix):
                bare, changed = bare[:-len(suffix)], True
    return bare


def variant_in(value: str, options: List[str]) -> Optional[str]:
    """The option the customer's "37码" / "黑的" / "xl" means, or None when the product has none."""
    if value in options:
        return value
    wanted = _bare(value)
    return next((option for option in options if _bare(str(option)) == wanted), None)


def variant_note(product: Dict[str, Any], colour: Optional[str], size: Optional[str]) -> str:
    """Whether the colour / size the customer asked about exists for this product, in the
    catalogue's own words (never a "no" for a size the list above it shows)."""
    notes = []
    for asked, options, kind in ((colour, product.get("colours"), "颜色"),
                                 (size, product.get("sizes"), "尺码")):
        if not asked or not options:
            continue
        found = variant_in(asked, [str(o) for o in options])
        notes.append(f"有{found}" if found else
                     f"这款没有{asked}，可选{kind}：{'、'.join(str(o) for o in options)}")
    return f"您问的：{'；'.join(notes)}。" if notes else ""


class ActionProductInfo(HonestAction, Action):
    """No identity needed: the catalogue is public."""

    def name(self) -> Text:
        return "action_product_info"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        query = _entity(tracker, "product") or tracker.get_slot("product")
        if not query:
            dispatcher.utter_message(text=replies.ASK_PRODUCT)
            return []
        async with crm_client.make_crm() as crm:
            products = best_matches(await crm.products(str(query), limit=MAX_MATCHES), str(query))
        if not products:
            dispatcher.utter_message(text=replies.product_not_found(str(query)))
            return [SlotSet("product", None)]
        if len(products) == 1:
            note = variant_note(products[0], _entity(tracker, "colour"), _entity(tracker, "size"))
            text = replies.describe_product(products[0])
            dispatcher.utter_message(text=f"{text}\n{note}" if note else text)
            return [SlotSet("product", products[0]["name"])]
        text, buttons = replies.list_products(products)
        dispatcher.utter_message(text=text, buttons=buttons)
        return []
