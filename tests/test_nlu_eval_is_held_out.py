"""The NLU evaluation set (tests/nlu_eval) stays held out from the training data (bot/data)."""

import unicodedata
from pathlib import Path

from bench.nlu_eval import load_examples, strip_markup

REPO = Path(__file__).resolve().parent.parent
TRAIN_FILES = sorted((REPO / "bot" / "data").rglob("*.yml"))
EVAL_FILES = sorted((REPO / "tests" / "nlu_eval").glob("*.yml"))
# Intents (retrieval intents at topic level) that must be covered by the evaluation set.
MIN_EVAL = 15
MIN_COMPLAIN = 40


def normalise(text: str) -> str:
    """Lower-case, full-width -> half-width, without whitespace or punctuation/symbols."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if not (ch.isspace()
                                             or unicodedata.category(ch)[0] in "PSZ"))


def test_files_exist():
    assert TRAIN_FILES and EVAL_FILES


def test_no_evaluation_utterance_is_in_the_training_data():
    train = {normalise(t): (t, i) for t, i in load_examples(TRAIN_FILES)}
    leaks = [(t, i, train[normalise(t)]) for t, i in load_examples(EVAL_FILES)
             if normalise(t) in train]
    assert not leaks, "evaluation utterances found in bot/data: " + repr(leaks[:20])


def test_evaluation_set_has_no_duplicates():
    seen, dups = set(), []
    for t, _ in load_examples(EVAL_FILES):
        key = normalise(t)
        if key in seen:
            dups.append(t)
        seen.add(key)
    assert not dups, dups


def test_every_training_intent_is_evaluated():
    train_intents = {i for _, i in load_examples(TRAIN_FILES)}
    counts = {}
    for _, i in load_examples(EVAL_FILES):
        counts[i] = counts.get(i, 0) + 1
    missing = sorted(i for i in train_intents if counts.get(i, 0) < MIN_EVAL)
    assert not missing, f"intents with fewer than {MIN_EVAL} evaluation utterances: {missing}"
    assert counts.get("complain", 0) >= MIN_COMPLAIN
    unknown = sorted(set(counts) - train_intents)
    assert not unknown, f"evaluation intents absent from training data: {unknown}"
    assert sum(counts.values()) >= 320


def test_markup_is_stripped():
    assert normalise(strip_markup("订单 [KF202611150023](order_no) 到哪了？")) \
        == "订单kf202611150023到哪了"
