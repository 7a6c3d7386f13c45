"""Reading the business policy TOML files under crm_backend/policy/."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Dict, Mapping


class PolicyError(ValueError):
    """A policy file is missing, not TOML, or holds an unusable value."""


def read_policy(path: Path) -> Dict[str, Any]:
    """The parsed TOML document at `path`, or a PolicyError naming the file."""
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise PolicyError(f"cannot read policy file {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"policy file {path} is not valid TOML: {exc}") from exc


def table(doc: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """A sub-table of a policy document (a PolicyError when absent)."""
    value = doc.get(name)
    if not isinstance(value, Mapping):
        raise PolicyError(f"policy table [{name}] is missing")
    return value


def integer(doc: Mapping[str, Any], name: str, minimum: int = 0) -> int:
    """A whole-number setting of at least `minimum`."""
    value = doc.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise PolicyError(f"policy setting {name} must be an integer >= {minimum}, got {value!r}")
    return value


def number(doc: Mapping[str, Any], name: str) -> float:
    """A non-negative numeric setting."""
    value = doc.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise PolicyError(f"policy setting {name} must be a non-negative number, got {value!r}")
    return float(value)


def per_tier(doc: Mapping[str, Any], name: str, tiers: tuple = ("key", "ordinary", "small")
             ) -> Dict[str, int]:
    """A `[name]` table holding one integer per tier."""
    values = table(doc, name)
    return {tier: integer(values, tier) for tier in tiers if tier in values}
