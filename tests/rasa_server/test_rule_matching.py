"""Rule matching that stops early (bot/rule_matching.py) finds exactly the rules Rasa's own
`RulePolicy._get_possible_keys` finds: the trained model's rules against the states of every
prefix of the project's stories and rules, and of long conversations made of
several of them."""

import json
import random
import tarfile
from typing import Any, Dict, List

import pytest
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import State
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rule_matching import RASAS, possible_keys
from scripts.model import ensure_model

from .project_data import domain_and_conversations


def _trained(name: str) -> Dict[str, Any]:
    """One of the trained RulePolicy's files, read from the project's model archive."""
    with tarfile.open(ensure_model(progress=lambda message: None)) as archive:
        member = next(m for m in archive.getmembers()
                      if "RulePolicy" in m.name and m.name.endswith(f"/{name}"))
        return json.load(archive.extractfile(member))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Any]:
    domain, trackers = domain_and_conversations()
    policy = RulePolicy.create(RulePolicy.get_default_config(),
                               LocalModelStorage(tmp_path_factory.mktemp("rules")),
                               Resource("rules"), ExecutionContext(GraphSchema({}), "test"))
    return {"domain": domain, "trackers": trackers, "policy": policy,
            "lookup": _trained("rule_policy.json")["lookup"],
            "rule_only": _trained("rule_only_data.json")}


def _states(project: Dict[str, Any], tracker: DialogueStateTracker) -> List[State]:
    """The states RulePolicy predicts from (rule-only turns left out, as it asks for them)."""
    return project["domain"].states_for_tracker_history(
        tracker, ignore_rule_only_turns=True, rule_only_data=project["rule_only"])


def _prefixes(tracker: DialogueStateTracker, sender: str) -> List[DialogueStateTracker]:
    grown = DialogueStateTracker(sender, tracker.slots.values())
    prefixes = []
    for event in tracker.events:
        grown.update(event)
        prefixes.append(grown.copy())
    return prefixes


def _compare(project: Dict[str, Any], states: List[State]) -> int:
    """Both matchers on both rule tables; how many rules matched."""
    matched = 0
    for table in (RULES, RULES_FOR_LOOP_UNHAPPY_PATH):
        lookup = project["lookup"][table]
        ours = possible_keys(project["policy"], lookup, states)
        assert ours == RASAS(project["policy"], lookup, states)
        matched += len(ours)
    return matched


def test_every_prefix_of_the_projects_conversations_matches_the_same_rules(project) -> None:
    assert len(project["lookup"][RULES]) > 100
    compared = matched = 0
    for number, story in enumerate(project["trackers"]):
        for tracker in _prefixes(story, f"c{number}"):
            matched += _compare(project, _states(project, tracker))
            compared += 1
    assert compared > 300 and matched > 100


def test_long_conversations_match_the_same_rules(project) -> None:
    rng = random.Random(11)
    stories = [t for t in project["trackers"] if len(t.events) > 4]
    for number in range(30):
        long = DialogueStateTracker(f"long{number}", stories[0].slots.values())
        for story in rng.sample(stories, 6):
            for event in story.events:
                long.update(event)
        states = _states(project, long)
        assert len(states) > 20
        for end in range(len(states) - 8, len(states) + 1):
            _compare(project, states[:end])
