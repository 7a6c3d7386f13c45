"""Carrying out a win-back attempt: the offer written once, the owner alerted, the follow-up
scheduled, all recorded."""

from __future__ import annotations

from datetime import datetime
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.core.errors import KeyReused
from crm_backend.core.idempotency import by_key, insert_once
from crm_backend.core.models import (Customer, FollowUp, Notification, RiskFlag, StaffUser,
                                     WinBackAttempt)
from crm_backend.core.money import fen_to_yuan
from crm_backend.core.vocabulary import tier_label
from crm_backend.followups.store import cancel_scheduled, schedule
from crm_backend.loyalty.policy import RewardsPolicy
from crm_backend.loyalty.store import grant_points, issue_coupon
from crm_backend.risk.policy import RiskPolicy
from crm_backend.risk.store import open_flag, record_risk_signal
from crm_backend.winback.rules import WinBackDecision, decide_winback, follow_up_at

OUTCOMES = ("accepted", "declined", "stayed", "left")


async def _recipient(session: AsyncSession, customer: Customer) -> Optional[StaffUser]:
    """The customer's owner, else the first manager."""
    if customer.owner_staff_id is not None:
        owner = await session.get(StaffUser, customer.owner_staff_id)
        if owner is not None:
            return owner
    stmt = select(StaffUser).where(StaffUser.role == "manager").order_by(StaffUser.id).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


def alert_message(customer: Customer, flag: Optional[RiskFlag], conversation_id: Optional[str]
                  ) -> str:
    """The Chinese alert for the owner of a key customer at risk."""
    reasons = "；".join(flag.reasons) if flag is not None and flag.reasons else "客户表达流失意向"
    where = f"（会话 {conversation_id}）" if conversation_id else ""
    return (f"{tier_label(customer.tier)}{customer.name}（ID {customer.id}）有流失风险：{reasons}。"
            f"已转人工{where}，请立即跟进。")


async def _notify(session: AsyncSession, customer: Customer, conversation_id: Optional[str],
                  now: datetime) -> Notification:
    """Create the alert notification for the owner or a manager."""
    staff = await _recipient(session, customer)
    note = Notification(
        recipient_staff_id=staff.id if staff else None, customer_id=customer.id,
        kind="key_customer_at_risk", conversation_id=conversation_id, status="unread",
        message=alert_message(customer, await open_flag(session, customer.id), conversation_id),
        created_at=now,
    )
    session.add(note)
    await session.flush()
    return note


async def _offer(session: AsyncSession, attempt: WinBackAttempt, decision: WinBackDecision,
                 key: str, now: datetime, policy: RewardsPolicy) -> None:
    """Write the decided coupon or points and describe them on the attempt."""
    offer = decision.offer
    if offer is None:
        return
    reason = f"挽回优惠（{tier_label(decision.tier_used)}）：{offer.title}"
    if offer.kind == "coupon":
        coupon = await issue_coupon(
            session, customer_id=attempt.customer_id, value_fen=offer.value_fen,
            min_spend_fen=offer.min_spend_fen, reason=reason, idempotency_key=key,
            valid_days=offer.valid_days, now=now)
        attempt.coupon_id = coupon.id
        attempt.offer = {"kind": "coupon", "title": offer.title,
                         "value_yuan": fen_to_yuan(offer.value_fen),
                         "min_spend_yuan": fen_to_yuan(offer.min_spend_fen), "code": coupon.code}
    else:
        entry, _created = await grant_points(
            session, customer_id=attempt.customer_id, points=offer.points, reason=reason,
            source="winback", idempotency_key=key, now=now, policy=policy)
        attempt.points_entry_id = entry.id
        attempt.offer = {"kind": "points", "title": offer.title, "points": offer.points}


async def _follow_up(session: AsyncSession, attempt: WinBackAttempt, decision: WinBackDecision,
                     now: datetime, delay_override: Optional[int]) -> None:
    """Schedule the policy's follow-up in the attempt's conversation (none without one)."""
    due = follow_up_at(decision, now, delay_override)
    if due is None or not attempt.conversation_id:
        return
    assert attempt.id is not None and attempt.conversation_id
    await schedule(session, owner={"winback_attempt_id": attempt.id},
                   conversation_id=attempt.conversation_id, due_at=due,
                   key=f"{attempt.idempotency_key}:follow-up", now=now)


async def start_winback(session: AsyncSession, customer: Customer, *, trigger: str,
                        conversation_id: Optional[str], idempotency_key: str,
                        policy: RewardsPolicy, risk: RiskPolicy, detail: str = "",
                        now: datetime,
                        delay_override: Optional[int] = None) -> tuple:
    """Decide by tier and carry out once per key, follow-up included; returns
    (attempt, created?). Caller commits."""
    key = f"winback:{idempotency_key}"
    await session.execute(select(Customer.id).where(Customer.id == customer.id).with_for_update())
    earlier = await by_key(session, WinBackAttempt, key)
    if earlier is not None:
        if earlier.customer_id != customer.id:
            raise KeyReused()
        return earlier, False
    if trigger == "churn_language":
        await record_risk_signal(session, customer_id=customer.id, signal="churn_language",
                                 detail=detail, conversation_id=conversation_id,
                                 idempotency_key=f"{key}:signal", now=now,
                                 policy=risk)
    decision = decide_winback(customer.tier, bool(customer.is_bad_faith), policy)
    attempt = WinBackAttempt(
        customer_id=customer.id, conversation_id=conversation_id, trigger=trigger,
        tier_used=decision.tier_used, bad_faith_used=decision.bad_faith_used,
        action=decision.action, idempotency_key=key, created_at=now,
    )
    await _offer(session, attempt, decision, key, now, policy)
    if decision.alert_staff:
        attempt.notification_id = (await _notify(session, customer, conversation_id, now)).id
    stored, created = await insert_once(session, attempt)
    if created:
        await _follow_up(session, stored, decision, now, delay_override)
    return stored, created


async def record_outcome(session: AsyncSession, attempt: WinBackAttempt, outcome: str,
                         now: datetime) -> bool:
    """How the attempt ended (its scheduled follow-up cancelled); whether anything changed."""
    if attempt.outcome == outcome:
        return False
    attempt.outcome, attempt.outcome_at = outcome, now
    await cancel_scheduled(session, FollowUp.winback_attempt_id == attempt.id)
    return True


async def customer_attempts(session: AsyncSession, customer_id: int,
                            limit: int = 5) -> List[WinBackAttempt]:
    """The customer's win-back attempts, newest first."""
    stmt = (select(WinBackAttempt).where(WinBackAttempt.customer_id == customer_id)
            .order_by(WinBackAttempt.created_at.desc(), WinBackAttempt.id.desc()).limit(limit))
    return list((await session.execute(stmt)).scalars())
