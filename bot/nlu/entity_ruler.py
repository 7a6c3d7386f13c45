"""Catalogue-driven entities (product, colour, size, date, amount, complaint_category).

A spaCy blank Chinese pipeline (jieba segmenter, no pretrained model, nothing downloaded) with an
EntityRuler whose patterns live in ``bot/nlu/patterns/*.jsonl``.  Patterns may carry an ``id``;
when present it becomes the entity *value* (e.g. "羽绒服" -> "轻薄羽绒服", "发错货" -> "wrong_item"),
so downstream actions get canonical values.

Regex entities (order_no, phone_tail, phone, complaint_no) stay with RegexEntityExtractor: any span
here that overlaps an entity already extracted by another component is dropped.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (ENTITIES, ENTITY_ATTRIBUTE_END, ENTITY_ATTRIBUTE_START,
                                       ENTITY_ATTRIBUTE_TYPE, ENTITY_ATTRIBUTE_VALUE, EXTRACTOR,
                                       TEXT)
from rasa.shared.nlu.training_data.message import Message

logger = logging.getLogger(__name__)

DEFAULT_PATTERNS_DIR = str(Path(__file__).resolve().parent / "patterns")


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class ShopEntityRuler(GraphComponent):
    """Rule-based entity extraction with spaCy's EntityRuler over jieba tokens."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Directory (or single .jsonl file) with EntityRuler patterns, relative to the cwd
            # or absolute.  Defaults to bot/nlu/patterns next to this module.
            "patterns_path": DEFAULT_PATTERNS_DIR,
            # Entity types this component may emit; None = every label in the patterns.
            "entities": None,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["spacy", "jieba"]

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        self._config = config
        self._name = name
        self._allowed = set(config["entities"]) if config.get("entities") else None
        self._nlp = self._build(config["patterns_path"])

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ShopEntityRuler":
        return cls(config, cls.__name__)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "ShopEntityRuler":
        return cls(config, cls.__name__)

    @staticmethod
    def load_patterns(path: Text) -> List[Dict[Text, Any]]:
        p = Path(path)
        if not p.is_absolute() and not p.exists():
            p = Path(DEFAULT_PATTERNS_DIR).parent.parent.parent / path
        files = sorted(p.glob("*.jsonl")) if p.is_dir() else [p]
        patterns: List[Dict[Text, Any]] = []
        for f in files:
            for lineno, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
                line = line.strip()
                if not line or line.startswith("//"):
                    continue
                try:
                    patterns.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise ValueError(f"{f}:{lineno}: bad pattern: {e}") from e
        return patterns

    def _build(self, patterns_path: Text) -> Any:
        import spacy

        nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
        # Same domain vocabulary as the JiebaTokenizer, so that catalogue words stay whole.
        try:
            import jieba

            dict_dir = Path(DEFAULT_PATTERNS_DIR).parent / "jieba_dict"
            for f in sorted(dict_dir.glob("*.txt")):
                jieba.load_userdict(str(f))
        except Exception as e:  # pragma: no cover - dictionary is an optimisation only
            logger.debug(f"Could not load jieba dictionary: {e}")
        ruler = nlp.add_pipe(
            "entity_ruler", config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True}
        )
        ruler.add_patterns(self.load_patterns(patterns_path))
        return nlp

    def extract(self, text: Text) -> List[Dict[Text, Any]]:
        """Entities for ``text`` as Rasa entity dicts (longest, leftmost spans win)."""
        doc = self._nlp(text)
        out = []
        for ent in doc.ents:
            if self._allowed is not None and ent.label_ not in self._allowed:
                continue
            value = ent.ent_id_ or ent.text
            out.append({
                ENTITY_ATTRIBUTE_TYPE: ent.label_,
                ENTITY_ATTRIBUTE_START: ent.start_char,
                ENTITY_ATTRIBUTE_END: ent.end_char,
                ENTITY_ATTRIBUTE_VALUE: value,
                EXTRACTOR: self._name,
            })
        return out

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            existing = message.get(ENTITIES, []) or []
            taken = [(e[ENTITY_ATTRIBUTE_START], e[ENTITY_ATTRIBUTE_END]) for e in existing
                     if ENTITY_ATTRIBUTE_START in e]
            new = [e for e in self.extract(text)
                   if not any(e[ENTITY_ATTRIBUTE_START] < end and start < e[ENTITY_ATTRIBUTE_END]
                              for start, end in taken)]
            if new:
                message.set(ENTITIES, existing + new, add_to_output=True)
        return messages
