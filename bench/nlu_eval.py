"""Held-out NLU evaluation: per-intent P/R/F1, accuracy, macro-F1, key recalls, confusions, latency.

    .venv/bin/python -m bench.nlu_eval                # trains from bot/data + config.yml (temp dir)
    .venv/bin/python -m bench.nlu_eval --model PATH   # evaluates an existing model .tar.gz
    .venv/bin/python -m bench.nlu_eval --seeds 42,7,2024 --only eval_shoppers
                                                      # one training per seed; mean and spread

The evaluation set is tests/nlu_eval/*.yml (written separately from the training data; never
tune it to the model).  Retrieval intents are scored at full granularity (faq/<topic>, from the
ResponseSelector).  A message the FallbackClassifier sends to nlu_fallback counts as an error.
"""

import argparse
import asyncio
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

REPO = Path(__file__).resolve().parent.parent
EVAL_DIR = REPO / "tests" / "nlu_eval"
ENTITY_MARKUP = re.compile(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})")


def strip_markup(text: str) -> str:
    return ENTITY_MARKUP.sub(r"\1", text)


def load_examples(paths) -> List[Tuple[str, str]]:
    """(text without entity markup, intent) for every example in Rasa NLU YAML files."""
    out = []
    for path in paths:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        for block in data.get("nlu", []) or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    out.append((strip_markup(line[2:].strip()), block["intent"]))
    return out


def rasa_env() -> Dict[str, str]:
    env = dict(os.environ)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("RASA_CACHE_DIRECTORY", str(Path.home() / ".cache" / "kefu" / "rasa-cache"))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def seeded_config(seed: int, out_dir: str) -> str:
    """config.yml with every trained component's `random_seed` set to `seed`."""
    config = yaml.safe_load((REPO / "config.yml").read_text(encoding="utf-8"))
    for component in config.get("pipeline", []):
        if "random_seed" in component:
            component["random_seed"] = seed
    path = Path(out_dir) / f"config-{seed}.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return str(path)


def train(out_dir: str, config: str = "config.yml") -> Tuple[str, float]:
    start = time.perf_counter()
    subprocess.run(
        [str(REPO / ".venv" / "bin" / "rasa"), "train", "nlu", "--nlu", "bot/data", "--config",
         config, "--out", out_dir, "--fixed-model-name", "nlu-eval"],
        cwd=REPO, env=rasa_env(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return str(Path(out_dir) / "nlu-eval.tar.gz"), time.perf_counter() - start


def label_of(result: dict) -> str:
    name = (result.get("intent") or {}).get("name") or "None"
    selector = result.get("response_selector") or {}
    if name in selector:
        key = ((selector[name] or {}).get("response") or {}).get("intent_response_key")
        if key:
            return key
    return name


async def parse_all(model: str, texts: List[str]):
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.ERROR)
    configure_structlog(logging.ERROR)
    agent = Agent.load(model)
    await agent.parse_message("你好")  # warm-up
    results, latencies = [], []
    for text in texts:
        t0 = time.perf_counter()
        results.append(await agent.parse_message(text))
        latencies.append((time.perf_counter() - t0) * 1000)
    return results, latencies


def percentile(values: List[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def report(gold: List[str], pred: List[str], texts: List[str], show_errors: bool) -> dict:
    labels = sorted(set(gold))
    tp, fp, fn = Counter(), Counter(), Counter()
    for g, p in zip(gold, pred):
        if g == p:
            tp[g] += 1
        else:
            fn[g] += 1
            fp[p] += 1
    print(f"{'intent':28s} {'prec':>6s} {'recall':>6s} {'f1':>6s} {'n':>4s}")
    f1s = {}
    for lab in labels:
        p = tp[lab] / (tp[lab] + fp[lab]) if tp[lab] + fp[lab] else 0.0
        r = tp[lab] / (tp[lab] + fn[lab]) if tp[lab] + fn[lab] else 0.0
        f1s[lab] = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{lab:28s} {p:6.3f} {r:6.3f} {f1s[lab]:6.3f} {tp[lab] + fn[lab]:4d}")
    acc = sum(tp.values()) / len(gold)

    def recall(lab):
        return tp[lab] / (tp[lab] + fn[lab]) if tp[lab] + fn[lab] else float("nan")

    summary = {
        "accuracy": acc, "macro_f1": statistics.mean(f1s.values()),
        "complain_recall": recall("complain"), "request_human_recall": recall("request_human"),
        "fallbacks": sum(1 for p in pred if p == "nlu_fallback"),
    }
    confusions = Counter((g, p) for g, p in zip(gold, pred) if g != p)
    print("\ntop confusions (gold -> predicted: count)")
    for (g, p), n in confusions.most_common(12):
        print(f"  {g} -> {p}: {n}")
    if show_errors:
        print("\nerrors")
        by_gold = defaultdict(list)
        for t, g, p in zip(texts, gold, pred):
            if g != p:
                by_gold[g].append((t, p))
        for g in sorted(by_gold):
            for t, p in by_gold[g]:
                print(f"  [{g} -> {p}] {t}")
    return summary


def _print_summary(s: dict, train_seconds, latencies: List[float]) -> None:
    print("\nsummary")
    print(f"  accuracy              {s['accuracy']:.3f}")
    print(f"  macro-F1              {s['macro_f1']:.3f}")
    print(f"  complain recall       {s['complain_recall']:.3f}")
    print(f"  request_human recall  {s['request_human_recall']:.3f}")
    print(f"  nlu_fallback answers  {s['fallbacks']}")
    print("  training time         " + (f"{train_seconds:.1f} s" if train_seconds else "n/a (--model)"))
    print(f"  parse latency p50     {percentile(latencies, 0.5):.1f} ms")
    print(f"  parse latency p95     {percentile(latencies, 0.95):.1f} ms")


def _print_spread(per_seed: Dict[int, dict]) -> None:
    """Each figure's mean, standard deviation and range over the seeds."""
    print(f"\nover {len(per_seed)} seeds ({', '.join(map(str, per_seed))})")
    for key in ("accuracy", "macro_f1", "complain_recall", "request_human_recall"):
        values = [s[key] for s in per_seed.values()]
        spread = statistics.stdev(values) if len(values) > 1 else 0.0
        print(f"  {key:22s} mean {statistics.mean(values):.3f}  sd {spread:.3f}  "
              f"min {min(values):.3f}  max {max(values):.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="existing model archive; default: train one into a temp dir")
    ap.add_argument("--errors", action="store_true", help="list every misclassified utterance")
    ap.add_argument("--only", action="append", default=[],
                    help="evaluate only this file of tests/nlu_eval (stem; repeatable)")
    ap.add_argument("--seeds", default="",
                    help="comma-separated training seeds: one training each, then mean and spread")
    args = ap.parse_args()
    os.environ.update(rasa_env())

    paths = [p for p in sorted(EVAL_DIR.glob("*.yml")) if not args.only or p.stem in args.only]
    examples = load_examples(paths)
    texts = [t for t, _ in examples]
    gold = [i for _, i in examples]
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    per_seed: Dict[int, dict] = {}
    with tempfile.TemporaryDirectory(prefix="kefu-nlu-eval-") as tmp:
        for seed in seeds or [None]:
            train_seconds = None
            model = args.model
            if not model:
                config = seeded_config(seed, tmp) if seed is not None else "config.yml"
                print(f"training NLU model from bot/data + config.yml (seed {seed or 'default'}) ...",
                      flush=True)
                model, train_seconds = train(tmp, config)
            results, latencies = asyncio.run(parse_all(model, texts))
            pred = [label_of(r) for r in results]
            print(f"\n{len(texts)} evaluation utterances, {len(set(gold))} intents "
                  f"({', '.join(p.stem for p in paths)})\n")
            summary = report(gold, pred, texts, args.errors)
            _print_summary(summary, train_seconds, latencies)
            if seed is not None:
                per_seed[seed] = summary
    if len(per_seed) > 1:
        _print_spread(per_seed)


if __name__ == "__main__":
    sys.exit(main())
