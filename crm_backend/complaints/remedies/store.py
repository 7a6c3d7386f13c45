"""Step 3 in the database: offering remedies, carrying the accepted one out exactly once, refusal."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any, Dict, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from crm_backend.complaints.remedies import rules
from crm_backend.complaints.rules import REMEDY_OPEN_STATUSES, STATUS_LABELS
from crm_backend.complaints.store import add_event, recent_complaint_count
from crm_backend.core.errors import Conflict
from crm_backend.core.models import (Complaint, Customer, FollowUp, Handoff, Order, OrderItem,
                                     Refund, Shipment)
from crm_backend.core.money import fen_to_yuan
from crm_backend.core.time import BEIJING, beijing_iso
from crm_backend.followups.rules import follow_up_due
from crm_backend.followups.store import schedule
from crm_backend.handoffs.store import open_handoff
from crm_backend.loyalty.policy import RewardsPolicy
from crm_backend.loyalty.store import grant_points, issue_coupon
from crm_backend.orders.policy import OrderRules
from crm_backend.orders.situation import complained_situation
from crm_backend.orders.store import add_refund, refunded_fen
from crm_backend.orders.views import order_situation

RESEND_NUMBER_ATTEMPTS = 20


def _offer(remedy: rules.Remedy, order_total: Optional[int]) -> Dict[str, Any]:
    """A stored offer: the policy values and what the customer was told."""
    amount = rules.amount_fen(remedy, order_total)
    public: Dict[str, Any] = {"kind": remedy.kind, "title": rules.title(remedy),
                              "description": rules.description(remedy, amount),
                              "due_days": remedy.due_days}
    if amount is not None:
        public["amount_yuan"] = fen_to_yuan(amount)
    if remedy.kind == "coupon":
        public["amount_yuan"] = fen_to_yuan(remedy.value_fen)
        public["min_spend_yuan"] = fen_to_yuan(remedy.min_spend_fen)
    if remedy.kind == "points":
        public["points"] = remedy.points
    return {"remedy": asdict(remedy), "amount_fen": amount, "public": public}


def _proposal(state: Dict[str, Any], table: rules.RemedyTable) -> Dict[str, Any]:
    """The propose response from the stored state."""
    index = len(state["offers"]) - 1
    return {"remedy": state["offers"][-1]["public"], "tier_used": state["tier_used"],
            "alternatives_left": rules.alternatives_left(index, len(state["options"]),
                                                          state.get("max_alternatives",
                                                                    table.max_alternatives))}


async def _order(db: AsyncSession, complaint: Complaint) -> Optional[Order]:
    """The complaint's order with its items, shipment and scans."""
    if complaint.order_id is None:
        return None
    stmt = (select(Order).where(Order.id == complaint.order_id)
            .options(selectinload(Order.items),
                     selectinload(Order.shipment).selectinload(Shipment.events)))
    return (await db.execute(stmt)).scalar_one_or_none()


def _situation(order: Optional[Order], complaint: Complaint, orders: OrderRules,
               now: datetime) -> Optional[str]:
    """Where the complaint's order really stands, as the remedy rules read it."""
    if order is None:
        return None
    code = order_situation(order, now, orders).code
    return complained_situation(code, complaint.customer_words or "")


async def _first_options(db: AsyncSession, complaint: Complaint, table: rules.RemedyTable,
                         orders: OrderRules, now: datetime) -> Dict[str, Any]:
    """Decide the options from category, severity, current tier, bad faith, history, the
    order's real state and the customer's wishes."""
    customer = await db.get(Customer, complaint.customer_id)
    order = await _order(db, complaint)
    situation = _situation(order, complaint, orders, now)
    history = rules.History(
        recent_complaints=await recent_complaint_count(db, complaint, table.repeat_window_days),
        order_status=order.status if order else None,
        asks_compensation=rules.asks_for_compensation(complaint.expectation),
        order_total_fen=order.total_fen if order else None,
        order_refunded_fen=await refunded_fen(db, order.id) if order else 0,
        situation=situation,
        wishes=rules.wishes(complaint.expectation, complaint.customer_words or ""))
    options = rules.propose_remedies(complaint.category, complaint.severity, customer.tier,
                                     bool(customer.is_bad_faith), history, table)
    return {"options": [asdict(o) for o in options], "tier_used": customer.tier,
            "bad_faith_used": bool(customer.is_bad_faith),
            "repeat_used": history.recent_complaints, "max_alternatives": table.max_alternatives,
            "order_total_fen": order.total_fen if order else None, "situation_used": situation,
            "offers": []}


async def propose(db: AsyncSession, complaint: Complaint, alternative: bool,
                  table: rules.RemedyTable, orders: OrderRules, now: datetime) -> Dict[str, Any]:
    """Offer the first remedy (a repeat returns it again) or the next alternative within policy."""
    state = dict(complaint.remedy_offered or {})
    if state.get("offers") and not alternative:
        return _proposal(state, table)
    if complaint.status not in REMEDY_OPEN_STATUSES:
        raise Conflict("remedy_not_open",
                      f"投诉当前状态为{STATUS_LABELS.get(complaint.status, complaint.status)}，不能再提出方案")
    if not state.get("offers"):
        state = await _first_options(db, complaint, table, orders, now)
    elif rules.alternatives_left(len(state["offers"]) - 1, len(state["options"]),
                                 state["max_alternatives"]) <= 0:
        raise Conflict("no_more_alternatives", "这已经是权限内能提供的全部方案了，可以为您转接人工客服进一步处理")
    remedy = rules.Remedy(**state["options"][len(state["offers"])])
    offer = _offer(remedy, state["order_total_fen"])
    state["offers"] = [*state["offers"], {**offer, "offered_at": beijing_iso(now)}]
    complaint.remedy_offered, complaint.status = state, "remedy_proposed"
    which = "提出备选方案" if len(state["offers"]) > 1 else "提出方案"
    add_event(db, complaint, 3, f"{which}：{offer['public']['title']}——{offer['public']['description']}",
              now, actor="bot")
    return _proposal(state, table)


async def _resend_order_no(db: AsyncSession, now: datetime) -> str:
    """A free order number of today for a replacement order (Conflict when the day is full)."""
    prefix = f"KF{now.astimezone(BEIJING):%Y%m%d}"
    taken = (await db.execute(select(Order.order_no).where(Order.order_no.like(f"{prefix}%")))
             ).scalars()
    sequence = rules.free_resend_sequence(int(no[len(prefix):]) for no in taken
                                          if no[len(prefix):].isdigit())
    if sequence is None:
        raise Conflict("resend_numbers_exhausted",
                       "今天的补发订单号已用完，暂时无法创建补发订单，可以为您转人工客服处理")
    return f"{prefix}{sequence:04d}"


async def _numbered_copy(db: AsyncSession, order: Order, now: datetime) -> Order:
    """The zero-price copy inserted under the next free number; a number another request took
    meanwhile fails inside a SAVEPOINT and the next one is tried."""
    for _ in range(RESEND_NUMBER_ATTEMPTS):
        copy = Order(order_no=await _resend_order_no(db, now), customer_id=order.customer_id,
                     status="pending_shipment", items_total_fen=0, shipping_fen=0,
                     discount_fen=0, total_fen=0, receiver_name=order.receiver_name,
                     receiver_phone=order.receiver_phone, address=order.address,
                     created_at=now, paid_at=now)
        try:
            async with db.begin_nested():
                db.add(copy)
            return copy
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a resend order number")


async def _resend(db: AsyncSession, order: Order, now: datetime) -> Order:
    """A zero-price copy of the order, waiting for shipment."""
    copy = await _numbered_copy(db, order, now)
    for item in order.items:
        db.add(OrderItem(order_id=copy.id, product_id=item.product_id, sku=item.sku,
                         name=item.name, colour=item.colour, size=item.size,
                         quantity=item.quantity, unit_price_fen=0))
    await db.flush()
    return copy


async def _refund(db: AsyncSession, complaint: Complaint, order: Order, amount: int,
                  full: bool, title: str, now: datetime) -> Refund:
    """An approved refund request once per complaint, within what the order's refunds may still
    give back (Conflict when not); a full refund puts the order in refunding."""
    refund, _ = await add_refund(db, order, amount, f"投诉 {complaint.number}：{title}",
                                 f"complaint:{complaint.number}:refund", now, full)
    return refund


async def _compensation_coupon(db: AsyncSession, complaint: Complaint, remedy: rules.Remedy,
                               key: str, reason: str, now: datetime) -> Dict[str, Any]:
    """The remedy's coupon, issued once per complaint."""
    coupon = await issue_coupon(db, customer_id=complaint.customer_id, value_fen=remedy.value_fen,
                                min_spend_fen=remedy.min_spend_fen, reason=reason,
                                idempotency_key=f"{key}:coupon", valid_days=remedy.valid_days,
                                now=now)
    return {"code": coupon.code, "value_yuan": fen_to_yuan(coupon.value_fen),
            "min_spend_yuan": fen_to_yuan(coupon.min_spend_fen),
            "expires_at": beijing_iso(coupon.expires_at)}


async def _carry_out(db: AsyncSession, complaint: Complaint, offer: Dict[str, Any],
                     now: datetime, rewards: RewardsPolicy) -> Dict[str, Any]:
    """The real writes of one remedy; returns the public execution record."""
    remedy, amount = rules.Remedy(**offer["remedy"]), offer["amount_fen"]
    key = f"complaint:{complaint.number}"
    reason = f"投诉 {complaint.number} 补偿"
    public: Dict[str, Any] = {"kind": remedy.kind}
    extra: Dict[str, Any] = {}
    if remedy.kind in rules.ORDER_KINDS:
        order = await _order(db, complaint)
        if order is None:
            raise Conflict("order_required", "该方案需要关联订单，请先补充订单号")
        if remedy.kind == "expedite":
            order.expedited_at = order.expedited_at or now
            public["expedited_order_no"] = order.order_no
            public["coupon"] = await _compensation_coupon(db, complaint, remedy, key, reason, now)
            extra["coupon_code"] = public["coupon"]["code"]
        elif remedy.kind == "resend":
            copy = await _resend(db, order, now)
            public["resend_order_no"] = extra["resend_order_no"] = copy.order_no
        else:
            refund = await _refund(db, complaint, order, amount or 0,
                                   remedy.kind == "refund" and remedy.percent >= 100,
                                   rules.title(remedy), now)
            public["refund"] = {"id": refund.id, "order_no": order.order_no,
                                "amount_yuan": fen_to_yuan(refund.amount_fen),
                                "status": refund.status, "status_label": "退款处理中"}
    elif remedy.kind == "coupon":
        public["coupon"] = await _compensation_coupon(db, complaint, remedy, key, reason, now)
        extra["coupon_code"] = public["coupon"]["code"]
    elif remedy.kind == "points":
        entry, _created = await grant_points(
            db, customer_id=complaint.customer_id, points=remedy.points, reason=reason,
            source="complaint", idempotency_key=f"{key}:points", now=now, policy=rewards)
        public["points"] = {"points": entry.delta, "entry_id": entry.id}
    else:
        handoff, _ = await open_handoff(
            db, conversation_id=complaint.conversation_id or f"complaint-{complaint.number}",
            customer_id=complaint.customer_id, reason=f"投诉 {complaint.number} 需专人处理",
            idempotency_key=f"{key}:escalate", complaint=complaint, now=now)
        public["handoff_id"] = handoff.id
    public["summary"] = rules.execution_summary(remedy, amount, extra.get("resend_order_no"),
                                                extra.get("coupon_code"))
    public["executed_at"] = beijing_iso(now)
    return public


async def _follow_up_of(db: AsyncSession, complaint: Complaint) -> Optional[FollowUp]:
    """The follow-up scheduled when the remedy was accepted."""
    stmt = select(FollowUp).where(FollowUp.idempotency_key == f"complaint:{complaint.number}:follow-up")
    return (await db.execute(stmt)).scalar_one_or_none()


async def accept(db: AsyncSession, complaint: Complaint, idempotency_key: str,
                 table: rules.RemedyTable, delay_override: Optional[int], now: datetime,
                 rewards: RewardsPolicy, staff_id: Optional[int] = None
                 ) -> Tuple[Dict[str, Any], FollowUp, bool]:
    """Carry out the offered remedy once and schedule the follow-up; a repeat returns the same.
    Carried out by the bot, or by the person `staff_id` from the console."""
    if complaint.remedy_execution:
        follow_up = await _follow_up_of(db, complaint)
        return complaint.remedy_execution["public"], follow_up, False
    state = complaint.remedy_offered or {}
    if not state.get("offers"):
        raise Conflict("no_remedy_proposed", "还没有为该投诉提出方案")
    if complaint.status != "remedy_proposed":
        raise Conflict("remedy_not_open",
                      f"投诉当前状态为{STATUS_LABELS.get(complaint.status, complaint.status)}，不能接受方案")
    offer = state["offers"][-1]
    public = await _carry_out(db, complaint, offer, now, rewards)
    complaint.remedy_execution = {"public": public, "idempotency_key": idempotency_key}
    complaint.remedy_accepted, complaint.remedy_executed_at = True, now
    complaint.status = "handed_off" if public["kind"] == "escalate" else "awaiting_follow_up"
    add_event(db, complaint, 3, f"客户接受方案，已执行：{public['summary']}", now,
              actor="bot" if staff_id is None else "agent", staff_id=staff_id)
    due = follow_up_due(now, offer["remedy"]["due_days"], table.follow_up, delay_override)
    follow_up = await schedule(db, owner={"complaint_id": complaint.id},
                               conversation_id=complaint.conversation_id or "", due_at=due,
                               key=f"complaint:{complaint.number}:follow-up", now=now)
    return public, follow_up, True


async def refuse(db: AsyncSession, complaint: Complaint, reason: Optional[str], now: datetime
                 ) -> Handoff:
    """The customer refuses: a person takes over (the same handoff on a repeat)."""
    if complaint.remedy_execution:
        raise Conflict("remedy_already_accepted", "该投诉的方案已接受并执行，如有问题可以转人工客服")
    handoff, created = await open_handoff(
        db, conversation_id=complaint.conversation_id or f"complaint-{complaint.number}",
        customer_id=complaint.customer_id,
        reason=f"投诉 {complaint.number}：客户不接受方案{'（' + reason + '）' if reason else ''}",
        idempotency_key=f"complaint:{complaint.number}:refused", complaint=complaint, now=now)
    if complaint.status != "handed_off":
        complaint.remedy_accepted, complaint.status = False, "handed_off"
        add_event(db, complaint, 3, f"客户不接受方案{'：' + reason if reason else ''}，已转人工客服", now,
                  actor="customer")
    return handoff


def follow_up_brief(follow_up: Optional[FollowUp]) -> Optional[Dict[str, Any]]:
    """{"id", "due_at"} of a follow-up."""
    return None if follow_up is None else {"id": follow_up.id, "due_at": beijing_iso(follow_up.due_at)}


async def person_offer(db: AsyncSession, complaint: Complaint, option: rules.Remedy,
                       note: str, staff_id: int, now: datetime) -> Dict[str, Any]:
    """A person puts one of the policy's options to the customer (one the bot could not
    offer); it is then the open offer that `accept` carries out. Its public shape."""
    if complaint.remedy_execution:
        raise Conflict("remedy_done", "这张投诉的方案已经执行过了")
    order = await _order(db, complaint)
    offer = _offer(option, order.total_fen if order is not None else None)
    state = dict(complaint.remedy_offered or {})
    state["offers"] = [*state.get("offers", []), offer]
    state.setdefault("options", [option.key])
    state.setdefault("tier_used", complaint.customer_tier)
    complaint.remedy_offered = state
    complaint.status = "remedy_proposed"
    add_event(db, complaint, 3, f"{note}：{offer['public']['title']}", now, actor="agent",
              staff_id=staff_id)
    return offer
