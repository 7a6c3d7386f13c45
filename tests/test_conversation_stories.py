"""Conversation tests: `rasa test core` runs the test stories in tests/stories against the model.

Each story labels the user's words with their intent, and Rasa checks every action the dialogue
rules predict from there; custom actions are not executed. Understanding of the words themselves
is measured on the held-out set (bench/nlu_eval.py) and through the REST channel in tests/e2e, so
this test does not break when a retrain moves one borderline phrasing.
"""

import re
import subprocess
from pathlib import Path

from scripts.model import ensure_model
from scripts.stack import REPO, VENV_BIN, base_env

STORIES = REPO / "tests" / "stories"
REPORT_LIMIT = 4000
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def rasa_test_core(model: Path, out: Path, fail_on_errors: bool) -> subprocess.CompletedProcess:
    argv = [str(VENV_BIN / "rasa"), "test", "core", "--stories", str(STORIES),
            "--model", str(model), "--out", str(out), "--no-plot"]
    if fail_on_errors:
        argv.append("--fail-on-prediction-errors")
    return subprocess.run(argv, cwd=REPO, env=base_env(), capture_output=True, text=True,
                          timeout=900)


def failed_stories(out: Path) -> str:
    path = out / "failed_test_stories.yml"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_conversation_stories_pass(tmp_path: Path):
    model = ensure_model()
    assert model.exists(), model

    out = tmp_path / "results"
    result = rasa_test_core(model, out, fail_on_errors=True)
    if result.returncode == 0:
        return

    # With --fail-on-prediction-errors Rasa stops at the first wrong prediction, before writing
    # failed_test_stories.yml; evaluate once more without it to report every failed story.
    report_out = tmp_path / "report"
    rasa_test_core(model, report_out, fail_on_errors=False)
    failed = failed_stories(out) or failed_stories(report_out) or "(no failed_test_stories.yml)"
    raise AssertionError(
        f"rasa test core exited with {result.returncode}.\n"
        f"--- first error ---\n{first_error(result)}\n"
        f"--- failed_test_stories.yml ---\n{failed[:REPORT_LIMIT]}"
    )


def first_error(result: subprocess.CompletedProcess) -> str:
    """The exception Rasa printed (it names the first failed story), else the output's tail."""
    for stream in (result.stdout, result.stderr):
        text = ANSI.sub("", stream)
        start = text.find("WrongPredictionException")
        if start >= 0:
            return text[start:start + REPORT_LIMIT // 2].strip()
    return ANSI.sub("", result.stdout + result.stderr)[-REPORT_LIMIT // 2:]
