"""The planned graph runner (bot/graph_runner.py) gives what Rasa's dask runner gives: the
project's trained model loaded both ways parses the same messages into the same results and
predicts the same next actions for every prefix of the project's conversations."""

import asyncio
import logging
from typing import Any, Dict, Iterator, List

import pytest
from rasa.core.agent import Agent
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.common import configure_logging_and_warnings

from bot import graph_runner
from bot.graph_runner import PlannedGraphRunner
from scripts.model import ensure_model

from .project_data import domain_and_conversations


MESSAGES = ["你好", "我的快递到哪了", "KF202611180009", "订单 KF202611180009 怎么还没发货",
            "退货政策是怎样的", "你们运费怎么算", "买的东西质量太差了，用一天就坏了", "转人工",
            "我有多少积分", "继续投诉", "嗯……那个", "有37码吗", "谢谢", "asdfgh", "这单我要退款"]


@pytest.fixture(scope="module")
def agents() -> Iterator[Dict[str, Any]]:
    configure_logging_and_warnings(logging.ERROR)
    model = str(ensure_model(progress=lambda message: None))
    stock = Agent.load(model)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("rasa.core.processor.DaskGraphRunner", DaskGraphRunner)
        graph_runner.install()
        planned = Agent.load(model)
    loop = asyncio.new_event_loop()
    yield {"stock": stock, "planned": planned, "loop": loop}
    loop.close()


def test_the_planned_runner_is_the_one_loaded(agents) -> None:
    assert type(agents["stock"].processor.graph_runner) is DaskGraphRunner
    assert type(agents["planned"].processor.graph_runner) is PlannedGraphRunner


def test_messages_parse_the_same(agents) -> None:
    loop = agents["loop"]
    for text in MESSAGES:
        ours = loop.run_until_complete(agents["planned"].parse_message(text))
        theirs = loop.run_until_complete(agents["stock"].parse_message(text))
        assert ours == theirs, text


def _conversations() -> List[DialogueStateTracker]:
    domain, stories = domain_and_conversations()
    prefixes = []
    for number, story in enumerate(stories):
        grown = DialogueStateTracker(f"c{number}", domain.slots)
        for event in story.events:
            grown.update(event)
            prefixes.append(grown.copy())
    return prefixes


def test_next_actions_are_predicted_the_same(agents) -> None:
    compared = 0
    for tracker in _conversations():
        # Each gets its own copy: a prediction clears the tracker's follow-up action.
        ours = agents["planned"].processor._predict_next_with_tracker(tracker.copy())
        theirs = agents["stock"].processor._predict_next_with_tracker(tracker.copy())
        assert (ours.policy_name, ours.probabilities, ours.events, ours.optional_events) == (
            theirs.policy_name, theirs.probabilities, theirs.events, theirs.optional_events)
        compared += 1
    assert compared > 300


@pytest.mark.parametrize("kind", ["planned", "stock"])
def test_an_input_named_like_a_node_is_refused_as_rasa_does(agents, kind) -> None:
    processor = agents[kind].processor
    target = processor.model_metadata.nlu_target
    with pytest.raises(GraphRunError, match="clashes with a node name"):
        processor.graph_runner.run(inputs={"__message__": target}, targets=[target])
