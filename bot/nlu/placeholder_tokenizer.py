"""jieba segmentation where order numbers, amounts, dates, links… are one token with a stable lemma.

The featurizers read token lemmas, so "取消KF202612019003" and "取消KF202611180009" give the
same features and the same intent. Token texts and offsets stay the original ones, so entity
extraction (regexes, the shop's EntityRuler) still sees the real values. A greeting in front of
the request and thanks after it are left out (`bot.nlu.request_part`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu import placeholders, request_part
from bot.nlu.placeholders import placeholder_spans
from bot.nlu.request_part import request_span


def _jieba_tokens(text: str, offset: int) -> List[Token]:
    import jieba

    return [Token(word, offset + start) for word, start, _ in jieba.tokenize(text)
            if word.strip()]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=True)
class PlaceholderJiebaTokenizer(JiebaTokenizer):
    """JiebaTokenizer whose value spans (see `bot.nlu.placeholders`) become placeholder tokens."""

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The placeholder rules and the dictionary, so Rasa's training cache never reuses
        tokens made by an older version of either."""
        digest = hashlib.sha256(Path(placeholders.__file__).read_bytes()
                                + Path(request_part.__file__).read_bytes())
        if config.get("dictionary_path"):
            for path in sorted(Path(config["dictionary_path"]).glob("*")):
                digest.update(path.name.encode() + path.read_bytes())
        return digest.hexdigest()

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute)
        if attribute != TEXT:
            return super().tokenize(message, attribute)
        tokens: List[Token] = []
        last = 0
        for span in placeholder_spans(text):
            tokens.extend(_jieba_tokens(text[last:span.start], last))
            tokens.append(Token(text[span.start:span.end], span.start, span.end,
                                lemma=span.placeholder))
            last = span.end
        tokens.extend(_jieba_tokens(text[last:], last))
        start, end = request_span(text)
        kept = [t for t in tokens if t.start >= start and t.end <= end] or tokens
        return self._apply_token_pattern(kept)
