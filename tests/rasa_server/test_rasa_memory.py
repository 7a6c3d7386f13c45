"""Rasa's networks loaded the lean way (bot/rasa_memory.py) answer exactly as Rasa's own loading.

Two processes load the project's trained model, one with Kefu's Rasa server settings and one as
Rasa does, and parse the same held-out messages: intents and FAQ answers are equal, confidences equal
to float rounding, and the lean one holds less memory.
"""

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

from scripts.model import ensure_model
from scripts.stack import REPO, base_env

PARSE = """
import asyncio, json, sys
lean = sys.argv[1] == "lean"
if lean:
    from bot import rasa_memory
    rasa_memory.before_imports()
    rasa_memory.install()
from rasa.core.agent import Agent
from bot.rasa_memory import give_back_memory
agent = Agent.load(sys.argv[2])
give_back_memory()
texts = json.loads(sys.stdin.read())

async def parse_all():
    answers = []
    for text in texts:
        result = await agent.parse_message(text)
        faq = ((result.get("response_selector") or {}).get("faq") or {}).get("response") or {}
        answers.append([result["intent"]["name"], round(result["intent"]["confidence"], 5),
                        faq.get("intent_response_key"), round(faq.get("confidence") or 0, 5)])
    return answers

answers = asyncio.run(parse_all())
rss = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS"))
print(json.dumps({"answers": answers, "rss_kib": rss, "jax": sys.modules.get("jax") is not None}))
"""


def held_out_texts(limit: int = 150) -> List[str]:
    texts = []
    for path in sorted((REPO / "tests" / "nlu_eval").glob("*.yml")):
        texts += [m.group(1).strip() for m in re.finditer(r"^\s+- (?!intent:)(.+)$",
                                                          path.read_text(), re.MULTILINE)]
    return texts[::max(1, len(texts) // limit)][:limit]


def parse_in_process(mode: str, model: Path, texts: List[str]) -> Dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", PARSE, mode, str(model)], cwd=REPO,
                          env=base_env(), input=json.dumps(texts), capture_output=True,
                          text=True, timeout=600, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_lean_loading_answers_exactly_as_rasa_and_holds_less() -> None:
    model = ensure_model(progress=lambda message: None)
    texts = held_out_texts()
    lean = parse_in_process("lean", model, texts)
    stock = parse_in_process("stock", model, texts)
    assert len(texts) >= 100
    # Same intents and FAQ answers; confidences equal but for float rounding (TensorFlow's
    # oneDNN rewrites, off in the lean process, order some sums differently).
    assert [(a[0], a[2]) for a in lean["answers"]] == [(a[0], a[2]) for a in stock["answers"]]
    assert all(abs(a[1] - b[1]) < 1e-4 and abs(a[3] - b[3]) < 1e-4
               for a, b in zip(lean["answers"], stock["answers"]))
    assert {answer[0] for answer in lean["answers"]} >= {"faq", "complain", "order_status"}
    assert not lean["jax"]
    assert lean["rss_kib"] < stock["rss_kib"] - 100 * 1024
