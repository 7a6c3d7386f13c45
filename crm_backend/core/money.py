"""Formatting of integer fen (分) amounts."""

from __future__ import annotations


def fen_to_yuan(fen: int) -> str:
    """Exact yuan text with two decimals, e.g. 19900 -> "199.00"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def fen_to_rounded_yuan(fen: int) -> str:
    """Whole yuan with thousands separators for prose, e.g. 1234050 -> "¥12,341"."""
    yuan = (abs(fen) + 50) // 100
    return f"{'-' if fen < 0 else ''}¥{yuan:,}"
