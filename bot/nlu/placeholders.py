"""What a message's numbers are, not their digits: spans the intent featurizers see as placeholders.

Order numbers, complaint numbers, phone numbers, amounts, dates, times, links and pasted order
cards change from message to message while the request around them stays the same. Their digits
must not move the intent (a cancellation with today's order number is still a cancellation), so
the tokenizer gives each such span one token whose lemma is a stable placeholder.
"""

from __future__ import annotations

import re
from typing import List, NamedTuple, Pattern, Tuple

ORDER_NO = re.compile(r"[Kk][Ff]\d{12}")
COMPLAINT_NO = re.compile(r"[Tt][Ss]\d{6,14}")

# Hotlines are words, not values: "打12315投诉你们" must keep its signal.
HOTLINES = frozenset({"12315", "12345", "12365"})

_DIGITS = r"\d+(?:\.\d{1,2})?"
# URL characters (RFC 3986, no brackets); a link never ends in the punctuation of the sentence.
_URL_TAIL = r"[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]*[A-Za-z0-9\-_~/#@$&'*+=%]"
_KINDS: Tuple[Tuple[str, Pattern[str]], ...] = (
    # "[订单编号:KF…，订单金额:199.00元，下单时间:…]" as pasted from the shop's order page.
    ("__order_card__", re.compile(r"[\[【]\s*订单(?:编号|号)[^\]】\n]{0,200}[\]】]")),
    ("__url__", re.compile(
        rf"(?i:https?://|www\.){_URL_TAIL}"
        rf"|(?i:[a-z0-9-]+\.)+(?i:com|cn|net|hk|tw)(?![a-z0-9])(?:/{_URL_TAIL})?")),
    ("__order__", ORDER_NO),
    ("__complaint__", COMPLAINT_NO),
    ("__phone__", re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")),
    ("__date__", re.compile(
        r"(?<!\d)\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?:\s*[日号])?"
        r"|(?<!\d)\d{1,2}\s*月\s*\d{1,2}\s*[日号]"
        r"|(?<![\d.])\d{1,2}[/.]\d{1,2}(?=号|日|那天|当天|下单|买|到|发)"
        r"|(?<!\d)\d{4}\s*年(?:\s*\d{1,2}\s*月)?")),
    ("__time__", re.compile(r"(?<!\d)\d{1,2}\s*[:：]\s*\d{2}(?:\s*[:：]\s*\d{2})?(?!\d)")),
    ("__amount__", re.compile(
        rf"[¥￥]\s*{_DIGITS}|(?<![\d.]){_DIGITS}\s*(?:元|块钱|块|rmb|RMB|人民币)")),
    ("__number__", re.compile(r"(?<![\d.])\d{4,}(?![\d.])")),
)


class Span(NamedTuple):
    """A placeholder span: characters [start, end) of the text stand for `placeholder`."""

    start: int
    end: int
    placeholder: str


def placeholder_spans(text: str) -> List[Span]:
    """Non-overlapping placeholder spans of `text`, leftmost first; earlier kinds win a tie."""
    taken: List[Span] = []
    for placeholder, pattern in _KINDS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if start == end or (placeholder == "__number__" and match.group() in HOTLINES):
                continue
            if any(start < other.end and other.start < end for other in taken):
                continue
            taken.append(Span(start, end, placeholder))
    return sorted(taken)


def normalise(text: str) -> str:
    """The text as the intent featurizers see it (for tests and for reading eval errors)."""
    out, last = [], 0
    for span in placeholder_spans(text):
        out.extend((text[last:span.start], f" {span.placeholder} "))
        last = span.end
    out.append(text[last:])
    return "".join(out)
