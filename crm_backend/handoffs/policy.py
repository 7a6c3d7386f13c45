"""The queue policy (policy/handoffs.toml): when a waiting handoff returns to the bot, and the
people's service hours."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from typing import Any, Mapping

from crm_backend.core.policy_files import PolicyError, integer, read_policy, table

_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")

# "24:00" closes at the end of the day (service all day long).
END_OF_DAY = "24:00"


@dataclass(frozen=True)
class HandoffPolicy:
    """handoffs.toml: a handoff nobody claimed within `expire_after`, or waiting outside
    `opens`–`closes` (Beijing), returns to the bot; checked every `poll_seconds`."""

    expire_after: timedelta
    poll_seconds: int
    opens: time
    closes: time
    max_points: Mapping[str, int]
    max_coupon_yuan: Mapping[str, int]
    coupon_valid_days: int
    max_refund_yuan: Mapping[str, int]

    def points_limit(self, role: str) -> int:
        """The most points one grant by a person of `role` may give."""
        return self.max_points.get(role, 0)

    def coupon_limit(self, role: str) -> int:
        """The largest coupon (yuan) a person of `role` may issue."""
        return self.max_coupon_yuan.get(role, 0)

    def refund_limit(self, role: str) -> int:
        """The largest refund or price difference (yuan) a person of `role` may carry out."""
        return self.max_refund_yuan.get(role, 0)


def _clock(doc: Mapping[str, Any], name: str) -> time:
    raw = doc.get(name)
    if name == "closes" and raw == END_OF_DAY:
        return time.max
    match = _CLOCK.match(raw) if isinstance(raw, str) else None
    if match is None:
        raise PolicyError(f"policy setting {name} must be a time like \"09:00\", got {raw!r}")
    return time(int(match.group(1)), int(match.group(2)))


def parse_handoff_policy(doc: Mapping[str, Any]) -> HandoffPolicy:
    """Validate a parsed handoffs.toml document."""
    queue = table(doc, "queue")
    hours = table(doc, "service_hours")
    actions = table(doc, "agent_actions")
    policy = HandoffPolicy(expire_after=timedelta(minutes=integer(queue, "expire_after_minutes", 1)),
                           poll_seconds=integer(queue, "poll_seconds", 1),
                           opens=_clock(hours, "opens"), closes=_clock(hours, "closes"),
                           max_points={"agent": integer(actions, "agent_max_points"),
                                       "manager": integer(actions, "manager_max_points")},
                           max_coupon_yuan={"agent": integer(actions, "agent_max_coupon_yuan"),
                                            "manager": integer(actions, "manager_max_coupon_yuan")},
                           coupon_valid_days=integer(actions, "coupon_valid_days", 1),
                           max_refund_yuan={"agent": integer(actions, "agent_max_refund_yuan"),
                                            "manager": integer(actions, "manager_max_refund_yuan")})
    if policy.opens >= policy.closes:
        raise PolicyError("[service_hours] opens must be before closes")
    return policy


def load_handoff_policy(path: Path) -> HandoffPolicy:
    """Read and validate the queue policy file."""
    return parse_handoff_policy(read_policy(path))
