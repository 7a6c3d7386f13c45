"""The CRM owns the vocabulary (the bot imports its label tables): the codes the bot's buttons send
must be the CRM's, and every order number the bot reads must be one the CRM accepts."""

import random
import re

import pytest
import yaml

from bot.actions.parsing import extract_order_no
from bot.nlu.placeholders import ORDER_NO
from scripts.stack import REPO
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def served(stack: RunningStack) -> dict:
    return stack.crm("/api/vocabulary")


def test_complaint_questions_offer_the_crms_codes(served: dict) -> None:
    """The category and severity buttons of domain.yml send codes the CRM knows."""
    domain = yaml.safe_load((REPO / "domain.yml").read_text(encoding="utf-8"))
    for slot, codes in (("complaint_category", served["complaint_categories"]),
                        ("complaint_severity", served["complaint_severities"]),
                        ("complaint_expectation", served["complaint_wishes"])):
        buttons = [b for r in domain["responses"].get(f"utter_ask_{slot}", [])
                   for b in r.get("buttons", [])]
        offered = {re.search(rf'"{slot}":\s*"(\w+)"', b["payload"]).group(1) for b in buttons}
        assert offered and offered <= set(codes), slot


def test_the_bot_reads_order_numbers_as_the_crm_writes_them(served: dict) -> None:
    crm = re.compile(served["order_no_pattern"])
    regex_yml = yaml.safe_load((REPO / "bot/data/nlu/regex.yml").read_text(encoding="utf-8"))
    nlu = next(r for r in regex_yml["nlu"] if r.get("regex") == "order_no")
    nlu_pattern = re.compile(nlu["examples"].strip().lstrip("- ").strip())
    rng = random.Random(7)
    for _ in range(200):
        number = "KF" + "".join(rng.choice("0123456789") for _ in range(12))
        assert crm.fullmatch(number)
        assert extract_order_no(f"查一下{number}") == number
        assert ORDER_NO.fullmatch(number) and nlu_pattern.fullmatch(number)
    for wrong in ("KF12345678901", "KF1234567890123", "TS202611200001"):
        assert not crm.fullmatch(wrong) and extract_order_no(wrong) is None
