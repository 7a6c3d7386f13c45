"""After-sales requests in the database: lookups with their steps, a request made once per key,
and each step recorded once (a return's refund carried out once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from crm_backend.aftersales import rules
from crm_backend.aftersales.policy import AfterSalesPolicy
from crm_backend.core.errors import Conflict, Invalid, KeyReused, NotFound
from crm_backend.core.idempotency import by_key
from crm_backend.core.models import AfterSalesRequest, AfterSalesStep, Order, OrderItem
from crm_backend.core.time import BEIJING
from crm_backend.orders.store import add_refund, lock_order, owned_order

NUMBER_ATTEMPTS = 5


def _loaded():
    """What every answer about a request needs."""
    return (selectinload(AfterSalesRequest.steps), selectinload(AfterSalesRequest.order),
            selectinload(AfterSalesRequest.item))


async def requests_of(db: AsyncSession, customer_id: int, order_no: Optional[str],
                      open_only: bool, limit: int) -> List[AfterSalesRequest]:
    """A customer's requests, newest first (of one order, or only the open ones)."""
    stmt = (select(AfterSalesRequest).where(AfterSalesRequest.customer_id == customer_id)
            .options(*_loaded())
            .order_by(AfterSalesRequest.created_at.desc(), AfterSalesRequest.id.desc())
            .limit(limit))
    if order_no is not None:
        stmt = stmt.join(Order, Order.id == AfterSalesRequest.order_id).where(
            Order.order_no == order_no)
    if open_only:
        stmt = stmt.where(AfterSalesRequest.status.in_(rules.OPEN_STATUSES))
    return list((await db.execute(stmt)).scalars())


async def request_by_number(db: AsyncSession, number: str,
                            customer_id: Optional[int] = None) -> AfterSalesRequest:
    """The request with this number (the customer's own when `customer_id` is given)."""
    stmt = (select(AfterSalesRequest).where(AfterSalesRequest.number == number)
            .options(*_loaded()))
    found = (await db.execute(stmt)).scalar_one_or_none()
    if found is None or (customer_id is not None and found.customer_id != customer_id):
        raise NotFound("after_sales_not_found", "售后申请不存在")
    return found


def number_prefix(moment: datetime) -> str:
    """`SH` + the Beijing calendar day, e.g. SH20261120."""
    return "SH" + moment.astimezone(BEIJING).strftime("%Y%m%d")


async def _next_number(db: AsyncSession, now: datetime) -> str:
    """The next free request number of the day (4-digit sequence)."""
    prefix = number_prefix(now)
    taken = (await db.execute(select(AfterSalesRequest.number)
                              .where(AfterSalesRequest.number.like(f"{prefix}%")))).scalars()
    used = [int(n[len(prefix):]) for n in taken if n[len(prefix):].isdigit()]
    return f"{prefix}{max(used, default=0) + 1:04d}"


@dataclass(frozen=True)
class NewRequest:
    """A customer's request as the shop sends it."""

    customer_id: int
    order_no: str
    sku: Optional[str]
    kind: str
    reason: str
    idempotency_key: str


def _item(order: Order, sku: Optional[str]) -> Optional[OrderItem]:
    """The order item the request is about (the only one when `sku` is absent)."""
    if sku is None:
        return order.items[0] if len(order.items) == 1 else None
    item = next((i for i in order.items if i.sku == sku), None)
    if item is None:
        raise Invalid("invalid_request", f"订单 {order.order_no} 中没有商品 {sku}", "sku")
    return item


async def _open_for(db: AsyncSession, order: Order, item: Optional[OrderItem]
                    ) -> Optional[AfterSalesRequest]:
    """An open request already made for this item (or for the whole order)."""
    stmt = select(AfterSalesRequest).where(AfterSalesRequest.order_id == order.id,
                                           AfterSalesRequest.status.in_(rules.OPEN_STATUSES))
    return next((r for r in (await db.execute(stmt)).scalars()
                 if item is None or r.order_item_id in (None, item.id)), None)


async def create(db: AsyncSession, data: NewRequest, now: datetime, policy: AfterSalesPolicy
                 ) -> Tuple[AfterSalesRequest, bool]:
    """Make the request once per key, checked under the order's lock: delivered recently
    enough, no open request for the same item. (request, created?)."""
    order = await owned_order(db, data.order_no, data.customer_id)
    await lock_order(db, order)
    existing = await by_key(db, AfterSalesRequest, data.idempotency_key)
    if existing is not None:
        if existing.order_id != order.id or existing.kind != data.kind:
            raise KeyReused()
        return await request_by_number(db, existing.number), False
    refusal = rules.apply_refusal(data.kind, order.status, order.delivered_at, now,
                                  policy.order_statuses, policy.within_days)
    if refusal:
        raise Conflict("cannot_apply", refusal)
    item = _item(order, data.sku)
    open_request = await _open_for(db, order, item)
    if open_request is not None:
        raise Conflict("already_open", f"这件商品已有进行中的售后申请 {open_request.number}"
                       f"（{rules.STATUS_LABELS[open_request.status]}），不能重复申请")
    refund = (item.unit_price_fen * item.quantity if item else order.total_fen)
    for _ in range(NUMBER_ATTEMPTS):
        request = AfterSalesRequest(
            number=await _next_number(db, now), customer_id=order.customer_id,
            order_id=order.id, order_item_id=item.id if item else None, kind=data.kind,
            status="submitted", reason=data.reason,
            refund_fen=refund if data.kind == "return" else None,
            idempotency_key=data.idempotency_key, created_at=now, updated_at=now)
        try:
            async with db.begin_nested():
                db.add(request)
                db.add(AfterSalesStep(request=request, status="submitted",
                                      note=f"{rules.KIND_LABELS[data.kind]}：{data.reason}",
                                      occurred_at=now))
        except IntegrityError:
            winner = await by_key(db, AfterSalesRequest, data.idempotency_key)
            if winner is not None:
                return await request_by_number(db, winner.number), False
            continue
        return request, True
    raise RuntimeError("could not allocate an after-sales number")


@dataclass(frozen=True)
class Step:
    """A step the shop or the warehouse reports."""

    status: str
    note: str
    reject_reason: Optional[str]
    carrier: Optional[str]
    tracking_no: Optional[str]
    idempotency_key: str


def _apply(request: AfterSalesRequest, step: Step) -> None:
    """Write what the step says onto the request."""
    if step.status == "rejected":
        if not step.reject_reason:
            raise Invalid("invalid_request", "驳回时必须填写驳回原因", "reject_reason")
        request.reject_reason = step.reject_reason
    if step.status == "sent_back" and step.tracking_no:
        request.return_tracking_no = step.tracking_no
    if step.status in rules.OUTBOUND:
        if not (step.carrier and step.tracking_no):
            raise Invalid("invalid_request", "寄出时必须填写快递公司和单号", "tracking_no")
        request.outbound_carrier, request.outbound_tracking_no = step.carrier, step.tracking_no


async def advance(db: AsyncSession, request: AfterSalesRequest, step: Step, now: datetime
                  ) -> bool:
    """Record the next step once per key, in order (a return's refunding step refunds the
    item once); True when this call recorded it."""
    key = f"step:{step.idempotency_key}"
    earlier = await by_key(db, AfterSalesStep, key)
    if earlier is not None:
        if earlier.request_id != request.id or earlier.status != step.status:
            raise KeyReused()
        return False
    await db.refresh(request, ["status"], with_for_update=True)
    refusal = rules.transition_refusal(request.kind, request.status, step.status)
    if refusal:
        raise Conflict("invalid_step", refusal)
    if step.status == request.status:
        return False
    _apply(request, step)
    if step.status == "refunding" and request.refund_fen:
        order = await db.get(Order, request.order_id)
        assert order is not None
        await lock_order(db, order)
        await add_refund(db, order, request.refund_fen, f"售后退货退款 {request.number}",
                         f"after-sales:{request.number}", now,
                         full=request.refund_fen >= order.total_fen)
    note = step.note or rules.STATUS_LABELS[step.status]
    if step.status == "rejected":
        note = f"驳回：{step.reject_reason}"
    try:
        async with db.begin_nested():
            db.add(AfterSalesStep(request_id=request.id, status=step.status, note=note[:255],
                                  idempotency_key=key, occurred_at=now))
    except IntegrityError:
        return False
    request.status, request.updated_at = step.status, now
    return True
