"""Rule matching that stops once the rules are decided, not at the conversation's start.

Rasa 3.6's `RulePolicy._get_possible_keys` filters the rules against every state of the
conversation, newest first; a rule older than its own length always passes, so once the states
are older than every rule still in the running (Kefu's rules are at most 3 states long) the
rest of a long conversation changes nothing, yet each of them was checked against each rule
left, with the rule parsed again from its JSON key. `install()` replaces it with the same filter,
step for step, that stops there (or when no rule is left) and parses each rule once per policy.
"""

from __future__ import annotations

import json
from typing import Dict, List, Set, Text, Tuple

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import State

RASAS = RulePolicy._get_possible_keys

# Where a policy keeps its parsed rules (rule key -> its states, newest first).
PARSED = "_kefu_rules_newest_first"


def _newest_first(policy: RulePolicy, key: Text) -> Tuple[State, ...]:
    parsed: Dict[Text, Tuple[State, ...]] = policy.__dict__.setdefault(PARSED, {})
    states = parsed.get(key)
    if states is None:
        states = parsed[key] = tuple(reversed(json.loads(key)))
    return states


def _applicable(policy: RulePolicy, rule_state: State, state: State) -> bool:
    """`RulePolicy._is_rule_applicable` for a rule state at the same distance as `state`."""
    rule_previous_action = rule_state.get(PREVIOUS_ACTION)
    current_previous_action = state.get(PREVIOUS_ACTION)
    if not rule_previous_action and not current_previous_action:
        return True
    if not rule_previous_action or not current_previous_action:
        return False
    return policy._does_rule_match_state(rule_state, state)


def possible_keys(policy: RulePolicy, lookup: Dict[Text, Text], states: List[State]) -> Set[Text]:
    """The keys of `lookup` whose rules match the conversation's `states` (Rasa's result)."""
    rules = {key: _newest_first(policy, key) for key in lookup}
    remaining = list(rules)
    for distance, state in enumerate(reversed(states)):
        if not any(len(rules[key]) > distance for key in remaining):
            break
        remaining = [key for key in remaining if len(rules[key]) <= distance
                     or _applicable(policy, rules[key][distance], state)]
    return set(remaining)


def install() -> None:
    """Make every RulePolicy match rules this way."""
    RulePolicy._get_possible_keys = possible_keys  # type: ignore[assignment]

