"""Handoff priority and when a person takes over, as plain functions."""

from __future__ import annotations

import pytest

from crm_backend.handoffs.rules import handoff_priority, priority_name


@pytest.mark.parametrize("tier,risk,severity,expected", [
    ("key", None, None, "urgent"),
    ("key", "low", "low", "urgent"),
    ("ordinary", "high", None, "urgent"),
    ("small", "high", "low", "urgent"),
    (None, "high", None, "urgent"),
    ("ordinary", "medium", None, "high"),
    ("small", None, "high", "high"),
    ("ordinary", "low", "high", "high"),
    ("ordinary", None, None, "normal"),
    ("small", "low", "medium", "normal"),
    (None, None, None, "normal"),
])
def test_priority(tier, risk, severity, expected) -> None:
    assert handoff_priority(tier, risk, severity) == expected


def test_priority_names_round_trip() -> None:
    assert [priority_name(n) for n in (0, 1, 2)] == ["normal", "high", "urgent"]
