"""The trained model's intent never depends on the digits of an order number, amount, date or link.

Each sentence is parsed with 200 random valid values in place; every parse must give the same
intent. (A cancellation with today's order number was once read as an order-status question.)
"""

import asyncio
import logging
import random
from datetime import date, timedelta
from typing import Callable, Dict, Iterator, List

import pytest

from scripts.model import ensure_model

RUNS = 200


def _order_no(rng: random.Random) -> str:
    day = date(2020, 1, 1) + timedelta(days=rng.randrange(16 * 365))
    return f"KF{day:%Y%m%d}{rng.randrange(10000):04d}"


def _amount(rng: random.Random) -> str:
    value = rng.choice([f"{rng.randrange(1, 5000)}",
                        f"{rng.randrange(1, 5000)}.{rng.randrange(100):02d}"])
    return rng.choice([f"{value}元", f"¥{value}", f"￥{value}", f"{value}块", f"{value}块钱"])


def _date(rng: random.Random) -> str:
    day = date(2024, 1, 1) + timedelta(days=rng.randrange(4 * 365))
    return rng.choice([f"{day.month}月{day.day}号", f"{day.month}月{day.day}日", day.isoformat(),
                       f"{day.year}年{day.month}月{day.day}日"])


def _link(rng: random.Random) -> str:
    host = rng.choice(["item.jd.com", "detail.tmall.com", "shop.example.cn", "m.kefu-shop.com"])
    return rng.choice([f"https://{host}/{rng.randrange(10**6, 10**12)}.html",
                       f"https://{host}/item.htm?id={rng.randrange(10**6, 10**12)}",
                       f"{host}/p/{rng.randrange(10**3, 10**8)}"])


VALUES: Dict[str, Callable[[random.Random], str]] = {
    "order": _order_no, "amount": _amount, "date": _date, "link": _link}

SENTENCES = [
    "取消{order}", "{order}到哪了", "帮我查一下{order}的物流", "订单{order}能改地址吗",
    "{order}这单我要退款", "订单{order}的衣服洗一次就掉色了，太差了", "就是{order}这个",
    "退款{amount}什么时候到账", "我付了{amount}怎么还没发货", "优惠券满{amount}能用吗",
    "我{date}下的单怎么还没到", "{date}买的东西坏了，我要投诉", "{date}之前能送到吗",
    "{link} 这个有白色的吗", "{link} 这款还有货吗", "{link}", "{link} 我买的这个质量太差了",
]


@pytest.fixture(scope="module")
def parse() -> Iterator[Callable[[str], str]]:
    """The intent of a text by the project's trained model."""
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings

    configure_logging_and_warnings(logging.ERROR)
    agent = Agent.load(str(ensure_model(progress=lambda message: None)))
    loop = asyncio.new_event_loop()

    def intent(text: str) -> str:
        return loop.run_until_complete(agent.parse_message(text))["intent"]["name"]

    yield intent
    loop.close()


@pytest.mark.parametrize("sentence", SENTENCES)
def test_intent_does_not_depend_on_the_values(parse, sentence: str) -> None:
    kind = next(k for k in VALUES if "{" + k + "}" in sentence)
    rng = random.Random(sentence)
    intents: Dict[str, List[str]] = {}
    for _ in range(RUNS):
        text = sentence.format(**{kind: VALUES[kind](rng)})
        intents.setdefault(parse(text), []).append(text)
    assert len(intents) == 1, {name: texts[:2] for name, texts in intents.items()}
