"""The FAQ response selector runs only for FAQ questions, and answers them as before.

Parsed with the project's trained model: an FAQ question gets its answer's key; an order, points
or complaint message gets no FAQ selection at all (the selector did not run for it).
"""

import asyncio
import logging
from typing import Any, Callable, Dict, Iterator

import pytest

from scripts.model import ensure_model


@pytest.fixture(scope="module")
def parse() -> Iterator[Callable[[str], Dict[str, Any]]]:
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings

    configure_logging_and_warnings(logging.ERROR)
    agent = Agent.load(str(ensure_model(progress=lambda message: None)))
    loop = asyncio.new_event_loop()
    yield lambda text: loop.run_until_complete(agent.parse_message(text))
    loop.close()


@pytest.mark.parametrize("text, key", [
    ("退货政策是怎样的", "faq/return_policy"),
    ("你们运费怎么算", "faq/shipping_fee"),
    ("能开发票吗", "faq/invoice"),
    ("客服几点上班", "faq/service_hours"),
])
def test_faq_questions_get_their_answer(parse, text: str, key: str) -> None:
    result = parse(text)
    assert result["intent"]["name"] == "faq"
    selected = result["response_selector"]["faq"]["response"]["intent_response_key"]
    assert selected == key


@pytest.mark.parametrize("text", ["我的订单到哪了", "我有多少积分", "收到的东西是坏的，我要投诉",
                                  "纯棉圆领T恤还有货吗"])
def test_other_messages_are_not_given_an_faq_answer(parse, text: str) -> None:
    result = parse(text)
    assert result["intent"]["name"] != "faq"
    assert "faq" not in (result.get("response_selector") or {})
