"""Pull order numbers and phone tails out of free text the way customers type them."""

import re
import unicodedata
from typing import Optional

ORDER_NO = re.compile(r"(?<![0-9A-Za-z])[Kk][Ff]\s*(\d{12})(?!\d)")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
FOUR_DIGITS = re.compile(r"(?<![0-9A-Za-z])(\d{4})(?!\d)")
FULL_WIDTH_LETTERS = str.maketrans("ＫＦｋｆ", "KFkf")


def _ascii_digit(char: str) -> str:
    value = unicodedata.decimal(char, None)
    return str(value) if value is not None else char


def normalise(text: str) -> str:
    """Every decimal digit (full-width '２', Arabic-Indic '٢', …) and the full-width KF to ASCII,
    so 'ＫＦ２０２６…' and 'KF٢٠٢٦…' parse as the CRM writes them."""
    text = text.translate(FULL_WIDTH_LETTERS)
    if text.isascii():
        return text
    return "".join(_ascii_digit(c) if c.isdecimal() else c for c in text)


def extract_order_no(text: str) -> Optional[str]:
    """The first order number in the text, upper-cased ('kf2026…' → 'KF2026…')."""
    match = ORDER_NO.search(normalise(text))
    return f"KF{match.group(1)}" if match else None


def extract_phone_tail(text: str) -> Optional[str]:
    """Four digits standing alone, or the last four of a full mobile number."""
    text = ORDER_NO.sub(" ", normalise(text))
    mobile = MOBILE.search(text)
    if mobile:
        return mobile.group(0)[-4:]
    match = FOUR_DIGITS.search(text)
    return match.group(1) if match else None
