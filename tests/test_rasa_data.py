"""`rasa data validate` stays clean (warnings fail it too)."""

import re
import subprocess

from scripts.stack import REPO, VENV_BIN, base_env

INTENT_WITHOUT_EXAMPLES = re.compile(r"The intent '([^']+)' is listed in the domain file, but is not "
                                     r"found in the NLU training data")


def test_training_data_and_domain_validate_cleanly():
    result = subprocess.run(
        [str(VENV_BIN / "rasa"), "data", "validate", "--data", "bot/data", "--domain",
         "domain.yml", "--config", "config.yml", "--fail-on-warnings"],
        cwd=REPO, env=base_env(), capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    without_examples = INTENT_WITHOUT_EXAMPLES.findall(result.stdout + result.stderr)
    assert all(name.startswith("EXTERNAL_") for name in without_examples), without_examples
