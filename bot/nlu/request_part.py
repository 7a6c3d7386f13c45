"""The part of a message that carries the request: a greeting in front ("你好，在吗，…", "亲，…")
and thanks at the end ("…，谢谢") do not decide what the customer wants.

The tokenizer leaves those words out of the features when something else remains, so "你好 我的
快递到哪了" reads as the question it is, while "你好" alone is still a greeting. Plain functions.
"""

from __future__ import annotations

import re
from typing import Tuple

# Greetings that open a message whatever follows them ("你好我要退款").
OPENERS = ("你们好", "你好呀", "你好啊", "你好", "您好", "哈喽", "hello", "hi", "嗨", "在吗", "在么",
           "在不在", "有人在吗", "有人吗", "请问一下", "请问", "打扰一下", "打扰了", "早上好", "中午好",
           "下午好", "晚上好", "喂")
# Words that greet only when a pause or another greeting follows ("亲，…" but not "亲自…",
# "客服你好" but not "客服态度差").
ADDRESSES = ("亲爱的", "亲亲", "亲", "老板", "掌柜的", "客服", "小姐姐", "小哥哥", "小哥", "美女",
             "宝宝")
CLOSERS = ("谢谢啦", "谢谢你", "谢谢了", "谢谢", "谢啦", "多谢", "麻烦了", "麻烦你了", "辛苦了", "拜托了",
           "感谢")
PAUSE = re.compile(r"[\s，,。.!！?？~～、…:：;；]+")
PARTICLES = re.compile(r"[呀啊哈吖呢哦噢嘛]+")
# What must remain for the greeting (2 characters: "退款") or the thanks (4: "好的谢谢" stays whole)
# to be left out.
MIN_REST = 2
MIN_REST_BEFORE_THANKS = 4


def _opener_at(text: str, at: int) -> int:
    """End of a greeting word starting at `at`, or -1."""
    lowered = text[at:].lower()
    for word in OPENERS:
        if lowered.startswith(word):
            return at + len(word)
    for word in ADDRESSES:
        if lowered.startswith(word):
            end = at + len(word)
            rest = text[end:]
            if not rest or PAUSE.match(rest) or PARTICLES.match(rest) or _opener_at(text, end) > 0:
                return end
    return -1


def greeting_end(text: str) -> int:
    """Where the greeting in front of the request ends (0: there is none)."""
    at = 0
    while True:
        pause = PAUSE.match(text, at)
        at = pause.end() if pause else at
        end = _opener_at(text, at)
        if end < 0:
            break
        particles = PARTICLES.match(text, end)
        at = particles.end() if particles else end
    return at


def thanks_start(text: str) -> int:
    """Where the thanks after the request begin (len(text): there are none)."""
    stripped = PAUSE.sub(lambda m: " " * len(m.group()), text).rstrip()
    for word in CLOSERS:
        for tail in (word, word + "啦", word + "哈"):
            if stripped.endswith(tail):
                return len(stripped) - len(tail)
    return len(text)


def request_span(text: str) -> Tuple[int, int]:
    """(start, end) of the request inside `text`; the whole text when nothing else would remain."""
    start, end = greeting_end(text), thanks_start(text)
    if start > 0 and len(PAUSE.sub("", text[start:end])) < MIN_REST:
        start = 0
    if end < len(text) and len(PAUSE.sub("", text[start:end])) < MIN_REST_BEFORE_THANKS:
        end = len(text)
    return start, end
