"""Complaint numbers, words, steps and the satisfaction rule as plain functions."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from crm_backend.complaints import rules as complaints

NOON_UTC = datetime(2026, 11, 20, 4, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("taken,expected", [
    ([], "TS202611200001"),
    (["TS202611200001"], "TS202611200002"),
    (["TS202611200007", "TS202611200003"], "TS202611200008"),
    (["TS202611190009"], "TS202611200001"),
])
def test_next_number(taken, expected) -> None:
    assert complaints.next_number(NOON_UTC, taken) == expected


def test_number_uses_the_beijing_day() -> None:
    late_utc = datetime(2026, 11, 20, 17, 0, tzinfo=timezone.utc)
    assert complaints.next_number(late_utc, []) == "TS202611210001"


def test_number_overflow() -> None:
    with pytest.raises(OverflowError):
        complaints.next_number(NOON_UTC, ["TS202611209999"])


@pytest.mark.parametrize("text,ok", [("TS202611200001", True), ("ts202611200001", False),
                                     ("TS2026112000", False), ("KF202611200001", False)])
def test_is_complaint_number(text, ok) -> None:
    assert complaints.is_complaint_number(text) is ok


def test_words_round_trip() -> None:
    stored = complaints.join_words(["第一句\n换行", "  ", "第二句"])
    assert complaints.split_words(stored) == ["第一句 换行", "第二句"]
    assert complaints.split_words(None) == []


@pytest.mark.parametrize("score,resolved,expected", [
    (5, True, True), (3, True, True), (2, True, False), (1, True, False), (5, False, False),
    (3, False, False),
])
def test_satisfied(score, resolved, expected) -> None:
    assert complaints.satisfied(score, resolved) is expected


def test_steps_and_labels() -> None:
    assert [complaints.step_code(s) for s in (1, 2, 3, 4)] == ["vent", "record", "remedy",
                                                               "follow_up"]
    assert [complaints.step_label(s) for s in (1, 2, 3, 4)] == ["倾听", "记录", "方案", "跟踪"]
    assert complaints.CATEGORY_LABELS["delivery"] == "物流延误/破损"


def test_correction_note() -> None:
    note = complaints.correction_note({"category": ("delivery", "price"),
                                       "order_no": (None, "KF202611200001")})
    assert note == "更正：类别 物流延误/破损→价格问题；订单 无→KF202611200001"

