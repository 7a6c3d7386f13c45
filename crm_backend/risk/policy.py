"""The churn-risk policy (policy/risk.toml) as typed, immutable values."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from crm_backend.core.policy_files import PolicyError, integer, number, read_policy, table


@dataclass(frozen=True)
class RiskPolicy:
    """Windows, weights and level thresholds of the risk score."""

    window_days: int = 30
    low_at: int = 20
    medium_at: int = 40
    high_at: int = 70
    scan_raise_at: int = 20
    churn_language: int = 50
    churn_language_max: int = 60
    negative_emotion: int = 15
    negative_emotion_max: int = 30
    complaint: int = 10
    repeated_complaints: int = 30
    repeated_complaints_at: int = 3
    very_low_satisfaction: int = 35
    low_satisfaction: int = 15
    inactivity: int = 25
    inactivity_lookback_days: int = 365
    inactivity_min_orders: int = 3
    inactivity_min_silence_days: int = 60
    inactivity_interval_factor: float = 3.0


def parse_risk_policy(doc: Mapping[str, Any]) -> RiskPolicy:
    """Validate a parsed risk.toml document."""
    levels, weights = table(doc, "levels"), table(doc, "weights")
    inactivity = table(doc, "inactivity")
    policy = RiskPolicy(
        window_days=integer(doc, "window_days", 1),
        low_at=integer(levels, "low", 1),
        medium_at=integer(levels, "medium", 1),
        high_at=integer(levels, "high", 1),
        scan_raise_at=integer(table(doc, "scan"), "raise_at", 1),
        churn_language=integer(weights, "churn_language"),
        churn_language_max=integer(weights, "churn_language_max"),
        negative_emotion=integer(weights, "negative_emotion"),
        negative_emotion_max=integer(weights, "negative_emotion_max"),
        complaint=integer(weights, "complaint"),
        repeated_complaints=integer(weights, "repeated_complaints"),
        repeated_complaints_at=integer(table(doc, "complaints"), "repeated_at", 2),
        very_low_satisfaction=integer(weights, "very_low_satisfaction"),
        low_satisfaction=integer(weights, "low_satisfaction"),
        inactivity=integer(weights, "inactivity"),
        inactivity_lookback_days=integer(inactivity, "lookback_days", 1),
        inactivity_min_orders=integer(inactivity, "min_orders", 2),
        inactivity_min_silence_days=integer(inactivity, "min_silence_days", 1),
        inactivity_interval_factor=number(inactivity, "interval_factor"),
    )
    if not policy.low_at <= policy.medium_at <= policy.high_at:
        raise PolicyError("risk levels must satisfy low <= medium <= high")
    return policy


def load_risk_policy(path: Path) -> RiskPolicy:
    """Read and validate the risk policy file."""
    return parse_risk_policy(read_policy(path))

