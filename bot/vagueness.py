"""When a customer's message was not understood: the NLU gave up (nlu_fallback), or its intent was
only a guess. Plain functions over Rasa's event dicts, shared by the dialogue policy that offers a
person after two vague messages (Rasa process) and the fallback action (action server)."""

import re
from typing import Any, Dict, List, Optional

FALLBACK_INTENT = "nlu_fallback"

# Words that point at something without naming it ("那个", "你懂的"), and the fillers and particles
# around them: a message made only of these says nothing, however sure the model is about it.
POINTERS = ("那个东西", "这个东西", "那玩意", "这玩意", "那个事", "这个事", "那件事", "这件事", "你懂的",
            "你知道的", "懂吧", "就那样", "那个", "这个", "那啥", "这啥", "东西")
FILLERS = ("怎么说呢", "就是", "哎呀", "哎哟", "emmm", "emm", "em", "嗯嗯", "嗯", "呃", "额", "啊", "哦",
           "噢", "唉", "哎", "诶", "就", "那", "这", "嘛", "呗", "吧", "呢", "呀", "的", "了", "哈")
PUNCTUATION = re.compile(r"[\s，,。.!！?？~～、…:：;；]+")


# Below this confidence the model's intent was a guess (the FallbackClassifier's own bar is lower).
GUESS_BELOW = 0.6


def says_nothing(text: str) -> bool:
    """Only pointers and fillers ("嗯……那个", "就是那个东西啊", "你懂的"); a bare "嗯" or "好" is
    an answer, not this."""
    rest = PUNCTUATION.sub("", text or "").lower()
    if not any(p in rest for p in POINTERS):
        return False
    for word in sorted(POINTERS + FILLERS, key=len, reverse=True):
        rest = rest.replace(word, "")
    return rest == ""


def typed_nothing(text: Optional[str]) -> bool:
    """Typed words that say nothing (a tapped button's payload never counts)."""
    return bool(text) and not text.startswith("/") and says_nothing(text)


def not_understood(event: Dict[str, Any]) -> bool:
    """A user event the NLU gave up on or only guessed at, or whose words say nothing (a tapped
    button is never either)."""
    intent = (event.get("parse_data") or {}).get("intent") or {}
    confidence = intent.get("confidence")
    guessed = isinstance(confidence, (int, float)) and confidence < GUESS_BELOW
    return intent.get("name") == FALLBACK_INTENT or guessed or typed_nothing(event.get("text"))


def user_events(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [e for e in events if e.get("event") == "user"]


def vague_twice(events: List[Dict[str, Any]]) -> bool:
    """The latest user message and the one before were both not understood, whatever the
    model guessed for either."""
    users = user_events(events)
    return len(users) >= 2 and not_understood(users[-1]) and not_understood(users[-2])
