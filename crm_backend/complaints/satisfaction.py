"""The follow-up answer (step 4): store it once, close a satisfied complaint, reopen an unhappy one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.complaints.rules import FOLLOW_UP_SENT_STATUSES, satisfied
from crm_backend.complaints.store import add_event
from crm_backend.core.errors import NotFound
from crm_backend.core.idempotency import by_key, insert_once
from crm_backend.core.models import Complaint, FollowUp, Handoff, SatisfactionAnswer
from crm_backend.followups.store import cancel_scheduled
from crm_backend.handoffs.store import open_for_conversation, open_handoff
from crm_backend.risk.policy import RiskPolicy
from crm_backend.risk.store import record_risk_signal


@dataclass(frozen=True)
class Answer:
    """A validated satisfaction answer."""

    score: int
    resolved: bool
    comment: Optional[str]
    conversation_id: str
    idempotency_key: str


@dataclass(frozen=True)
class Outcome:
    """The stored answer and, for an unhappy one, the handoff it caused."""

    answer: SatisfactionAnswer
    handoff: Optional[Handoff]
    created: bool


async def sent_follow_up(db: AsyncSession, complaint: Complaint, conversation_id: str) -> FollowUp:
    """The complaint's follow-up that went to `conversation_id`, or 404: only the conversation
    the CRM contacted may see or answer it."""
    stmt = select(FollowUp).where(FollowUp.complaint_id == complaint.id,
                                  FollowUp.conversation_id == conversation_id,
                                  FollowUp.status.in_(FOLLOW_UP_SENT_STATUSES))
    follow_up = (await db.execute(stmt)).scalars().first()
    if follow_up is None:
        raise NotFound("no_follow_up", "没有找到发给本会话的回访")
    return follow_up


async def _repeat(db: AsyncSession, answer: SatisfactionAnswer) -> Outcome:
    """A retried answer: nothing new is written; an unhappy one shows its open handoff."""
    if satisfied(answer.score, bool(answer.resolved)):
        return Outcome(answer, None, False)
    return Outcome(answer, await open_for_conversation(db, answer.conversation_id), False)


async def record_answer(db: AsyncSession, complaint: Complaint, data: Answer, now: datetime,
                        risk: RiskPolicy) -> Outcome:
    """Store the answer once per key and apply it to the complaint; the caller commits.

    Only the conversation the follow-up was sent to may answer (NotFound otherwise)."""
    await sent_follow_up(db, complaint, data.conversation_id)
    key = f"satisfaction:{data.idempotency_key}"
    existing = await by_key(db, SatisfactionAnswer, key)
    if existing is not None:
        return await _repeat(db, existing)
    answer, created = await insert_once(db, SatisfactionAnswer(
        customer_id=complaint.customer_id, complaint_id=complaint.id,
        conversation_id=data.conversation_id, score=data.score, resolved=data.resolved,
        comment=data.comment, idempotency_key=key, created_at=now))
    if not created:
        return await _repeat(db, answer)
    complaint.score = data.score
    verdict = "已解决" if data.resolved else "未解决"
    complaint.follow_up_result = f"{verdict}，满意度 {data.score} 分" + (
        f"，客户意见：{data.comment}" if data.comment else "")
    await cancel_scheduled(db, FollowUp.complaint_id == complaint.id)
    if satisfied(data.score, data.resolved):
        complaint.status, complaint.resolved_at = "closed", now
        add_event(db, complaint, 4, f"回访：问题{verdict}，满意度 {data.score} 分，投诉办结", now,
                  actor="customer")
        return Outcome(answer, None, True)
    complaint.status, complaint.resolved_at = "reopened", None
    add_event(db, complaint, 4, f"回访：问题{verdict}，满意度 {data.score} 分，投诉重新打开并转人工",
              now, actor="customer")
    await record_risk_signal(db, customer_id=complaint.customer_id, signal="low_satisfaction",
                             detail=f"投诉 {complaint.number} 回访 {data.score} 分（{verdict}）",
                             conversation_id=data.conversation_id,
                             idempotency_key=f"{key}:risk", now=now, policy=risk)
    handoff, _ = await open_handoff(
        db, conversation_id=data.conversation_id, customer_id=complaint.customer_id,
        reason=f"投诉 {complaint.number} 回访不满意（{data.score} 分，{verdict}）",
        idempotency_key=f"{key}:handoff", complaint=complaint, now=now)
    return Outcome(answer, handoff, True)
