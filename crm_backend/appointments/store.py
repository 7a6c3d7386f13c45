"""Appointments in the database: what an order may book and has booked, a booking once per key
and order and kind, and a change once per key, each under the order's row lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Dict, List, Optional, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from crm_backend.appointments import rules
from crm_backend.appointments.policy import AppointmentPolicy
from crm_backend.core.errors import Conflict, Invalid, KeyReused, NotFound
from crm_backend.core.idempotency import by_key, insert_once
from crm_backend.core.models import (AfterSalesRequest, Appointment, AppointmentChange, Order,
                                     Product)
from crm_backend.orders.store import lock_order

RECENT_DAYS = 90


@dataclass(frozen=True)
class OrderOptions:
    """An order, what it may book now (kind → refusal or None) and what it has booked."""

    order: Order
    refusals: Dict[str, Optional[str]]
    booked: List[Appointment]


async def _facts(db: AsyncSession, orders: Sequence[Order]) -> Dict[int, rules.OrderFacts]:
    """The facts of each order (items loaded), in two queries."""
    product_ids = {item.product_id for order in orders for item in order.items}
    products = {p.id: p for p in (await db.execute(
        select(Product).where(Product.id.in_(product_ids)))).scalars()} if product_ids else {}
    statuses: Dict[int, List[str]] = {order.id: [] for order in orders}
    if orders:
        rows = await db.execute(select(AfterSalesRequest.order_id, AfterSalesRequest.status)
                                .where(AfterSalesRequest.order_id.in_(statuses)))
        for order_id, status in rows:
            statuses[order_id].append(status)
    return {order.id: rules.OrderFacts(
        order_no=order.order_no, status=order.status, delivered_at=order.delivered_at,
        bulky=any(products[i.product_id].bulky for i in order.items),
        needs_installation=any(products[i.product_id].needs_installation for i in order.items),
        after_sales_statuses=tuple(statuses[order.id])) for order in orders}


async def options(db: AsyncSession, orders: Sequence[Order], now: datetime,
                  policy: AppointmentPolicy) -> List[OrderOptions]:
    """What each order may book now and what it has booked."""
    facts = await _facts(db, orders)
    booked: Dict[int, List[Appointment]] = {order.id: [] for order in orders}
    if orders:
        rows = await db.execute(select(Appointment).where(Appointment.order_id.in_(booked))
                                .order_by(Appointment.id))
        for appointment in rows.scalars():
            booked[appointment.order_id].append(appointment)
    return [OrderOptions(order, {kind: rules.kind_refusal(kind, facts[order.id], now, policy)
                                 for kind in rules.KIND_LABELS}, booked[order.id])
            for order in orders]


async def customer_orders(db: AsyncSession, customer_id: int, now: datetime) -> List[Order]:
    """The customer's orders of the last 90 days that are not cancelled or refunded."""
    stmt = (select(Order).where(Order.customer_id == customer_id,
                                Order.status.in_(("pending_shipment", "shipped", "delivered")),
                                Order.created_at >= now - timedelta(days=RECENT_DAYS))
            .options(selectinload(Order.items))
            .order_by(Order.created_at.desc(), Order.id.desc()))
    return list((await db.execute(stmt)).scalars())


async def owned_order(db: AsyncSession, order_no: str, customer_id: int) -> Order:
    """The customer's order with its items, or 404."""
    order = await db.scalar(select(Order).where(Order.order_no == order_no)
                            .options(selectinload(Order.items)))
    if order is None or order.customer_id != customer_id:
        raise NotFound("order_not_found", "订单不存在")
    return order


async def _booking(db: AsyncSession, order: Order, kind: str) -> Optional[Appointment]:
    """The order's appointment of `kind`, if any."""
    return await db.scalar(select(Appointment).where(Appointment.order_id == order.id,
                                                     Appointment.kind == kind))


async def _checked(db: AsyncSession, order: Order, kind: str, slot: rules.Slot, now: datetime,
                   policy: AppointmentPolicy) -> None:
    """Conflict when the order may not book `kind`; Invalid when the slot is not offered."""
    (option,) = await options(db, [order], now, policy)
    refusal = option.refusals[kind]
    if refusal:
        raise Conflict("cannot_book", refusal)
    problem = rules.slot_refusal(kind, slot, now, policy)
    if problem:
        raise Invalid("invalid_request", problem, "slot")


async def book(db: AsyncSession, order: Order, kind: str, slot: rules.Slot,
               idempotency_key: str, now: datetime, policy: AppointmentPolicy
               ) -> Tuple[Appointment, bool]:
    """Book the order's `kind` once (one per order and kind); the same key gives back its
    booking, another booking of the same kind is a Conflict naming the booked time."""
    key = f"book:{idempotency_key}"
    await lock_order(db, order)
    existing = await by_key(db, Appointment, key)
    if existing is not None:
        if existing.order_id != order.id or existing.kind != kind:
            raise KeyReused()
        return existing, False
    booked = await _booking(db, order, kind)
    if booked is not None:
        held = rules.Slot(booked.day, booked.time_window)
        raise Conflict("already_booked", f"订单 {order.order_no} 已经预约了{rules.KIND_LABELS[kind]}："
                       f"{held.label}；如需改时间，请说「改约」")
    await _checked(db, order, kind, slot, now, policy)
    return await insert_once(db, Appointment(
        order_id=order.id, customer_id=order.customer_id, kind=kind, day=slot.day,
        time_window=slot.window, status="booked", changes=0, idempotency_key=key,
        created_at=now, updated_at=now))


async def change(db: AsyncSession, order: Order, kind: str, slot: rules.Slot,
                 idempotency_key: str, now: datetime, policy: AppointmentPolicy
                 ) -> Tuple[Appointment, bool]:
    """Move the order's booking of `kind` to another slot once per key, within the policy."""
    key = f"change:{idempotency_key}"
    await lock_order(db, order)
    booked = await _booking(db, order, kind)
    if booked is None:
        raise NotFound("appointment_not_found",
                       f"订单 {order.order_no} 还没有预约{rules.KIND_LABELS[kind]}")
    existing = await by_key(db, AppointmentChange, key)
    if existing is not None:
        if existing.appointment_id != booked.id:
            raise KeyReused()
        return booked, False
    current = rules.Slot(booked.day, booked.time_window)
    if current == slot:
        raise Conflict("no_change", f"已经预约在 {slot.label} 了，不用改")
    refusal = rules.change_refusal(current, booked.changes, now, policy)
    if refusal:
        raise Conflict(*refusal)
    await _checked(db, order, kind, slot, now, policy)
    _change, created = await insert_once(db, AppointmentChange(
        appointment_id=booked.id, old_day=booked.day, old_window=booked.time_window,
        new_day=slot.day, new_window=slot.window, idempotency_key=key, created_at=now))
    if created:
        booked.day, booked.time_window = slot.day, slot.window
        booked.changes += 1
        booked.updated_at = now
    return booked, created
