"""A turn's bot replies as WeChat text: one message for the whole turn, buttons as a numbered
list answered with a number, cut into pieces WeChat accepts when too long."""

from typing import Any, Mapping, Optional, Sequence

from crm_backend.core.vocabulary import PERSON_KEY

MAX_BYTES = 2048
SENTENCE_ENDS = "。！？!?；\n"
COMMAS = "，,、"
# Closing quotes and brackets stay with the sentence they close.
CLOSERS = "”’」』）】》)\"'"
_MAX_CHAR_BYTES = 4


def _text(message: Mapping[str, Any]) -> Optional[str]:
    text = message.get("text")
    custom = message.get("custom")
    if not (isinstance(text, str) and text.strip()) and isinstance(custom, Mapping):
        text = custom.get("text")
    if isinstance(text, str) and text.strip():
        return text.strip()
    return None


def _titles(message: Mapping[str, Any]) -> list[str]:
    """Button titles, one line each, counted like the widget counts buttons."""
    raw = message.get("buttons") or message.get("quick_replies") or []
    titles = []
    for button in raw if isinstance(raw, (list, tuple)) else []:
        if isinstance(button, Mapping) and button.get("title") and button.get("payload"):
            titles.append(" ".join(str(button["title"]).split()))
    return titles


def _is_rating(message: Mapping[str, Any]) -> bool:
    """Buttons that are a 1–5 score (`/rate{…}`): the customer answers with the score itself, so
    they are not numbered (a "1" would mean the first line, 5 points, or 1 point)."""
    raw = message.get("buttons") or message.get("quick_replies") or []
    payloads = [str(b.get("payload") or "") for b in raw if isinstance(b, Mapping)]
    return bool(payloads) and all(p.startswith("/rate") for p in payloads)


RATING_LINE = "直接回复分数（1–5 分，5 分最满意）即可"


def _choice_line(count: int) -> str:
    numbers = [str(n) for n in range(1, count + 1)]
    listed = numbers[0] if count == 1 else "、".join(numbers[:-1]) + " 或 " + numbers[-1]
    return f"回复 {listed} 选择"


def _block(message: Mapping[str, Any]) -> Optional[str]:
    lines = []
    text = _text(message)
    person = message.get(PERSON_KEY)
    if text is not None and isinstance(person, Mapping):
        text = f"【人工客服 {person.get('name') or ''}】".replace(" 】", "】") + text
    if text is not None:
        lines.append(text)
    titles = _titles(message)
    if titles and _is_rating(message):
        lines += titles + [RATING_LINE]
    elif titles:
        lines += [f"{n}. {title}" for n, title in enumerate(titles, start=1)]
        lines.append(_choice_line(len(titles)))
    image = message.get("image")
    if isinstance(image, str) and image.strip().startswith(("https://", "http://")):
        lines.append(image.strip())
    return "\n".join(lines) if lines else None


def render_turn(replies: Sequence[Mapping[str, Any]]) -> str:
    """All of a turn's bot messages as one text, a blank line between messages; "" when none
    has anything to show. Buttons are numbered lines under their message's text."""
    blocks = [_block(message) for message in replies if isinstance(message, Mapping)]
    return "\n\n".join(block for block in blocks if block)


def _fitting(text: str, limit: int) -> list[int]:
    """UTF-8 byte ends of the longest prefix of `text` within `limit` bytes, one per char."""
    ends: list[int] = []
    total = 0
    for char in text[:limit]:
        total += len(char.encode("utf-8", "surrogatepass"))
        if total > limit:
            break
        ends.append(total)
    return ends


def _breaks_after(text: str, index: int, marks: str) -> bool:
    """Whether `text[index]` is one of `marks` ending a clause (ASCII marks only before a space
    or a non-ASCII char, so URLs and numbers like 1,000 stay whole)."""
    char = text[index]
    if char not in marks:
        return False
    if char == "\n" or not char.isascii():
        return True
    following = text[index + 1:index + 2]
    return not following or following.isspace() or not following.isascii()


def _cut(text: str, ends: list[int], limit: int) -> int:
    """Where to cut `text`, whose first len(ends) chars fit: after the last sentence end, else
    comma, else before whitespace, that leaves at least half the limit; else as late as fits."""
    latest = [i for i in range(len(ends) - 1, 0, -1) if ends[i] >= limit // 2]
    for marks in (SENTENCE_ENDS, COMMAS):
        for index in latest:
            if _breaks_after(text, index, marks):
                cut = index + 1
                while cut < len(ends) and text[cut] in CLOSERS:
                    cut += 1
                return cut
    for index in latest:
        if text[index].isspace():
            return index
    return len(ends)


def split_text(text: str, limit: int = MAX_BYTES) -> list[str]:
    """`text` in pieces of at most `limit` UTF-8 bytes, none empty, cut preferably after a
    sentence end, else a comma, else at a char boundary; whitespace at the cuts is dropped."""
    if limit < _MAX_CHAR_BYTES:
        raise ValueError(f"limit must be at least {_MAX_CHAR_BYTES} bytes (one character)")
    pieces = []
    rest = text.strip()
    while rest:
        ends = _fitting(rest, limit)
        if len(ends) == len(rest):
            pieces.append(rest)
            break
        cut = _cut(rest, ends, limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return pieces
