"""The phone-tail regex (a feature and an entity) fires on a tail, never inside an amount or a
date: either would give the same sentence different features depending on how a value is
written (issue: "¥1152" and "2026-02-16" used to read as phone tails)."""

import re
from pathlib import Path

import pytest
import yaml

REGEX_YML = Path(__file__).resolve().parents[2] / "bot" / "data" / "nlu" / "regex.yml"


def phone_tail() -> re.Pattern:
    doc = yaml.safe_load(REGEX_YML.read_text(encoding="utf-8"))
    entry = next(r for r in doc["nlu"] if r.get("regex") == "phone_tail")
    return re.compile(entry["examples"].strip().lstrip("- ").strip())


@pytest.mark.parametrize("text", ["尾号1234", "手机后四位是 0011", "1234", "是5678吧"])
def test_a_tail_is_found(text) -> None:
    assert phone_tail().search(text)


@pytest.mark.parametrize("text", ["优惠券满¥1152能用吗", "满￥2335可以用吗", "我2026-02-16下的单",
                                  "2026/02/16 买的", "1152元", "2026年", "19.99", "KF202611280009"])
def test_amounts_dates_and_order_numbers_are_not_tails(text) -> None:
    assert not phone_tail().search(text)
