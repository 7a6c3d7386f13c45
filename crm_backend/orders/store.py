"""Orders in the database: lookups, cancelling and modifying once per key, refunds within the
order's total."""

from __future__ import annotations

from datetime import datetime
from typing import List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from crm_backend.core.errors import Conflict, Invalid, KeyReused, NotFound
from crm_backend.core.idempotency import by_key, insert_once
from crm_backend.core.models import Order, OrderChange, Product, Refund, Shipment
from crm_backend.orders import rules
from crm_backend.orders.policy import OrderRules


async def order_with_customer(session: AsyncSession, order_no: str) -> Optional[Order]:
    """An order with its customer loaded."""
    stmt = select(Order).where(Order.order_no == order_no).options(selectinload(Order.customer))
    return (await session.execute(stmt)).scalar_one_or_none()


async def customer_orders(
    session: AsyncSession, customer_id: int, limit: int, status: Optional[str]
) -> List[Order]:
    """A customer's orders, newest first, with their items."""
    stmt = (
        select(Order)
        .where(Order.customer_id == customer_id)
        .options(selectinload(Order.items))
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(limit)
    )
    if status is not None:
        stmt = stmt.where(Order.status == status)
    return list((await session.execute(stmt)).scalars())


async def order_detail(session: AsyncSession, order_no: str) -> Optional[Order]:
    """An order with items, shipment scans and refunds."""
    stmt = (
        select(Order)
        .where(Order.order_no == order_no)
        .options(
            selectinload(Order.items),
            selectinload(Order.shipment).selectinload(Shipment.events),
            selectinload(Order.refunds),
        )
    )
    return (await session.execute(stmt)).scalar_one_or_none()


class ChangeRefused(Conflict):
    """The order's state forbids the change; the message is the reason the customer hears."""


async def owned_order(db: AsyncSession, order_no: str, customer_id: int) -> Order:
    """The order with items, shipment and refunds, or 404 when missing or someone else's."""
    order = await order_detail(db, order_no)
    if order is None or order.customer_id != customer_id:
        raise NotFound("order_not_found", "订单不存在")
    return order


async def _repeat(db: AsyncSession, key: str, order: Order, kind: str) -> Optional[OrderChange]:
    """The change already made with this key (409 if the key was used for another order)."""
    change = await by_key(db, OrderChange, key)
    if change is not None and (change.order_id != order.id or change.kind != kind):
        raise KeyReused()
    return change


async def refunded_fen(db: AsyncSession, order_id: int) -> int:
    """What the order's refunds give back (every one not rejected)."""
    rows = await db.execute(select(Refund.status, Refund.amount_fen)
                            .where(Refund.order_id == order_id))
    return rules.refunded_fen(rows.all())


async def lock_order(db: AsyncSession, order: Order) -> int:
    """Hold the order's row for this transaction (FOR UPDATE; SQLite's transactions hold the
    write lock from BEGIN), re-read its status and total, and return what its refunds give back."""
    await db.refresh(order, ["status", "total_fen"], with_for_update=True)
    return await refunded_fen(db, order.id)


async def add_refund(db: AsyncSession, order: Order, amount_fen: int, reason: str,
                     idempotency_key: str, now: datetime, full: bool = False
                     ) -> Tuple[Refund, bool]:
    """An approved refund once per key, checked against the order under its lock; a full refund
    puts the order in refunding. Conflict, with nothing written, when the order has no room."""
    refunded = await lock_order(db, order)
    existing = await by_key(db, Refund, idempotency_key)
    if existing is not None:
        return existing, False
    decision = rules.refund_decision(order.order_no, order.status, order.total_fen, refunded,
                                     amount_fen)
    if not decision.allowed:
        raise Conflict(decision.code, decision.reason)
    refund, created = await insert_once(db, Refund(
        order_id=order.id, amount_fen=amount_fen, status="approved", reason=reason,
        idempotency_key=idempotency_key, created_at=now, updated_at=now))
    if created and full:
        order.status = "refunding"
    return refund, created


async def cancel(db: AsyncSession, order: Order, reason: Optional[str], idempotency_key: str,
                 rules_: OrderRules, now: datetime) -> Tuple[Optional[Refund], bool]:
    """Cancel once; a paid order gets a refund of what its refunds have not yet given back.
    Returns (refund, created)."""
    key = f"cancel:{idempotency_key}"
    refunded = await lock_order(db, order)
    if await _repeat(db, key, order, "cancel") is not None:
        return _refund_of(order), False
    decision = rules.cancel_decision(order.status, rules_)
    if not decision.allowed:
        raise ChangeRefused("cannot_cancel", decision.reason)
    change, created = await insert_once(db, OrderChange(
        order_id=order.id, kind="cancel", field="status", old_value=order.status,
        new_value="cancelled", reason=reason, idempotency_key=key, created_at=now))
    if not created:
        return _refund_of(order), False
    refund = None
    amount = rules.refundable_fen(order.total_fen, refunded)
    if decision.refund and amount > 0:
        refund, _ = await add_refund(db, order, amount, f"取消订单{'：' + reason if reason else ''}",
                                     f"cancel-refund:{order.order_no}", now)
        order.refunds.append(refund)
    order.status, order.cancelled_at = "cancelled", now
    return refund, True


def _refund_of(order: Order) -> Optional[Refund]:
    """The refund a cancellation created, if any."""
    return next((r for r in order.refunds if r.idempotency_key == f"cancel-refund:{order.order_no}"),
                None)


async def _spec(db: AsyncSession, order: Order, value: str
                ) -> Tuple[Optional[str], Optional[str]]:
    """The colour and size `value` names for a single-product order (Invalid / ChangeRefused)."""
    if len(order.items) != 1:
        raise ChangeRefused("cannot_modify", "订单包含多件不同商品，请转人工客服修改规格")
    product = await db.get(Product, order.items[0].product_id)
    colour, size = rules.parse_spec(value, product.colours or [], product.sizes or [])
    if colour is None and size is None:
        options = "、".join([*(product.colours or []), *(product.sizes or [])]) or "无"
        raise Invalid("invalid_request", f"没有识别到该商品的颜色或尺码，可选：{options}", "value")
    return colour, size


async def _apply_spec(db: AsyncSession, order: Order, value: str) -> Tuple[str, str]:
    """Change the colour/size of a single-product order; (old, new) descriptions."""
    colour, size = await _spec(db, order, value)
    item = order.items[0]
    old = " ".join(filter(None, [item.colour, item.size]))
    item.colour, item.size = colour or item.colour, size or item.size
    return old, " ".join(filter(None, [item.colour, item.size]))


async def _apply(db: AsyncSession, order: Order, field: str, value: str
                 ) -> Tuple[Optional[str], str]:
    """Write the new value onto the order; (old, new)."""
    if field == "address":
        old, order.address = order.address, value
    elif field == "phone":
        old, order.receiver_phone = order.receiver_phone, value
    elif field == "delivery_time":
        old, order.delivery_time = order.delivery_time, value
    else:
        return await _apply_spec(db, order, value)
    return old, value


async def check_modify(db: AsyncSession, order: Order, field: str, value: str,
                       rules_: OrderRules) -> None:
    """Would this change be accepted? Raises ChangeRefused or Invalid with the reason; writes
    nothing (the bot asks before repeating the change back to the customer)."""
    decision = rules.modify_decision(order.status, field, rules_)
    if not decision.allowed:
        raise ChangeRefused("cannot_modify", decision.reason)
    problem = rules.check_value(field, value)
    if problem:
        raise Invalid("invalid_request", problem, "value")
    if field == "spec":
        await _spec(db, order, value)


async def modify(db: AsyncSession, order: Order, field: str, value: str, idempotency_key: str,
                 rules_: OrderRules, now: datetime) -> bool:
    """Change one field before shipping, once per key; True when this call wrote it."""
    key = f"modify:{idempotency_key}"
    if await _repeat(db, key, order, "modify") is not None:
        return False
    await check_modify(db, order, field, value, rules_)
    old, new = await _apply(db, order, field, value.strip())
    _change, created = await insert_once(db, OrderChange(
        order_id=order.id, kind="modify", field=field, old_value=old, new_value=new,
        idempotency_key=key, created_at=now))
    return created
