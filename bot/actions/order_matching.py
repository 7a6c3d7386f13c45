"""Which of the customer's recent orders a message names by its product ('吹风机那单')."""

import re
from typing import Any, Dict, Iterable, List, Set

CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]{2,}")
LATIN_CJK = re.compile(r"[A-Za-z]{1,3}[\u4e00-\u9fff]")
ITEM_COUNT = re.compile(r"\s*(等\d+件|×\d+)\s*$")
# Pairs of characters that name no product in particular.
GENERIC = {"订单", "商品", "东西", "快递", "包裹", "礼盒", "智能", "加厚", "特级"}


def product_keys(item_summary: str) -> Set[str]:
    """Short pieces of a product name a customer would use for it: 吹风, 耳机, mate, t恤…"""
    name = ITEM_COUNT.sub("", item_summary or "")
    keys: Set[str] = set()
    for run in CJK_RUN.findall(name):
        keys.update(run[i:i + 2] for i in range(len(run) - 1))
    keys.update(word.lower() for word in LATIN_WORD.findall(name))
    keys.update(piece.lower() for piece in LATIN_CJK.findall(name))
    return keys - GENERIC


def orders_mentioned(texts: Iterable[str], orders: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The orders whose product the texts name, in the given order."""
    said = " ".join(texts).lower()
    return [order for order in orders
            if any(key in said for key in product_keys(order.get("item_summary") or ""))]
