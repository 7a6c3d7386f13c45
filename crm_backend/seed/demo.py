"""A listing of demo customers per tier, for people trying the bot."""

from __future__ import annotations

from typing import Dict, List

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import selectinload

from crm_backend.core.db import create_sessionmaker
from crm_backend.core.models import Customer, Order
from crm_backend.core.vocabulary import ORDER_STATUS_LABELS, order_status_label, tier_label

PER_TIER = 4


FEATURED_MAX_ID = 5


ORDERS_PER_CUSTOMER = 3


async def status_examples(engine: AsyncEngine) -> List[Order]:
    """For each order status, the newest order of the lowest-numbered customer having one."""
    sessions = create_sessionmaker(engine)
    examples: List[Order] = []
    async with sessions() as db:
        for status in ORDER_STATUS_LABELS:
            stmt = (
                select(Order)
                .where(Order.status == status)
                .options(selectinload(Order.customer))
                .order_by(Order.customer_id, Order.created_at.desc())
                .limit(1)
            )
            examples.extend((await db.execute(stmt)).scalars())
    return examples


async def demo_customers(engine: AsyncEngine) -> Dict[str, List[Customer]]:
    """Story customers 1-5, bad-faith ones, and a few others with orders per tier."""
    sessions = create_sessionmaker(engine)
    picked: Dict[str, List[Customer]] = {"key": [], "ordinary": [], "small": []}
    async with sessions() as db:
        stmt = select(Customer).options(selectinload(Customer.orders)).order_by(Customer.id)
        for customer in (await db.execute(stmt)).scalars():
            bucket = picked.setdefault(customer.tier, [])
            featured = customer.id <= FEATURED_MAX_ID or customer.is_bad_faith
            if featured or (customer.orders and len(bucket) < PER_TIER):
                bucket.append(customer)
    return picked


def _recent(customer: Customer) -> List[Order]:
    """The customer's newest orders."""
    return sorted(customer.orders, key=lambda o: o.created_at, reverse=True)[:ORDERS_PER_CUSTOMER]


def _orders_text(customer: Customer) -> str:
    """"KF… 已发货, KF… 已签收" or 无订单."""
    orders = _recent(customer)
    if not orders:
        return "无订单"
    return "，".join(f"{o.order_no} {order_status_label(o.status)}" for o in orders)


def render_text(picked: Dict[str, List[Customer]], examples: List[Order]) -> str:
    """Plain listing for the terminal."""
    lines = ["== 各状态示例订单 =="]
    for o in examples:
        who = f"#{o.customer_id} {o.customer.name} 尾号{o.customer.phone[-4:]}"
        lines.append(f"  {order_status_label(o.status)}：{o.order_no}（{who}）")
    for tier, customers in picked.items():
        lines.append(f"== {tier_label(tier)} ({tier}) ==")
        for c in customers:
            flag = " [劣质客户]" if c.is_bad_faith else ""
            lines.append(f"  #{c.id} {c.name} 尾号{c.phone[-4:]}{flag}：{_orders_text(c)}")
    return "\n".join(lines)


def _row(*cells: object) -> str:
    """One Markdown table row."""
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _rule(columns: int) -> str:
    """The Markdown header separator."""
    return "|" + "---|" * columns


def render_markdown(picked: Dict[str, List[Customer]], examples: List[Order]) -> str:
    """Markdown tables of the same listing."""
    lines = ["### 各状态示例订单", "", _row("状态", "订单号", "客户 id", "姓名", "手机尾号"), _rule(5)]
    for o in examples:
        status = f"{order_status_label(o.status)} (`{o.status}`)"
        customer = o.customer
        lines.append(_row(status, o.order_no, o.customer_id, customer.name, customer.phone[-4:]))
    lines.append("")
    for tier, customers in picked.items():
        header = _row("id", "姓名", "手机尾号", "劣质客户", "最近订单")
        lines += [f"### {tier_label(tier)} (`{tier}`)", "", header, _rule(5)]
        for c in customers:
            bad = "是" if c.is_bad_faith else ""
            lines.append(_row(c.id, c.name, c.phone[-4:], bad, _orders_text(c)))
        lines.append("")
    return "\n".join(lines)
