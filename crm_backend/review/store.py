"""The overview's figures as aggregate SQL over indexed time columns, the same on SQLite and
PostgreSQL: counts with GROUP BY, per-day series grouped by the Beijing day, percentiles as
COUNT then ORDER BY … LIMIT 1 OFFSET k. No per-row Python and no query per row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import Float, String, and_, case, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from crm_backend.core.models import (Complaint, ConversationMessage, Coupon, FollowUp, Handoff,
                                     PointsEntry, Refund, RiskFlag, SatisfactionAnswer,
                                     WinBackAttempt)
from crm_backend.core.time import BEIJING
from crm_backend.review import rules
from crm_backend.review.rules import Period

# Core tables, not ORM entities: building these statements stays cheap (no attribute adaption).
MESSAGES = ConversationMessage.__table__
HANDOFFS = Handoff.__table__
ANSWERS = SatisfactionAnswer.__table__

_OFFSET_HOURS = int(BEIJING.utcoffset(None).total_seconds() // 3600)


class beijing_day(FunctionElement):
    """The Beijing calendar day of a stored (naive UTC) timestamp, as 'YYYY-MM-DD' text."""

    type = String()
    name = "beijing_day"
    inherit_cache = True


@compiles(beijing_day, "sqlite")
def _beijing_day_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+{_OFFSET_HOURS} hours')"


@compiles(beijing_day, "postgresql")
def _beijing_day_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return (f"to_char({compiler.process(element.clauses, **kw)} + interval '{_OFFSET_HOURS} hours',"
            f" 'YYYY-MM-DD')")


class beijing_day_start(FunctionElement):
    """00:00 Beijing of the day of a stored timestamp, as a stored (naive UTC) timestamp."""

    type = String()
    name = "beijing_day_start"
    inherit_cache = True


@compiles(beijing_day_start, "sqlite")
def _day_start_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return (f"datetime({compiler.process(element.clauses, **kw)}, '+{_OFFSET_HOURS} hours', "
            f"'start of day', '-{_OFFSET_HOURS} hours')")


@compiles(beijing_day_start, "postgresql")
def _day_start_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return (f"(date_trunc('day', {compiler.process(element.clauses, **kw)} + interval "
            f"'{_OFFSET_HOURS} hours') - interval '{_OFFSET_HOURS} hours')")


class seconds_between(FunctionElement):
    """seconds_between(later, earlier): the seconds from one stored timestamp to another."""

    type = Float()
    name = "seconds_between"
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS DOUBLE PRECISION)"


def within(column: Any, period: Period) -> ColumnElement:
    """`column` falls in the period (start inclusive, end exclusive)."""
    return and_(column >= period.start, column < period.end)


def _day(text: Any) -> date:
    return date.fromisoformat(str(text))


def _int(value: Any) -> int:
    return int(value or 0)


@dataclass(frozen=True)
class ConversationDay:
    """One Beijing day: its conversations, those handed to a person, those a person took part
    in (handed off that day or a person wrote that day)."""

    day: date
    conversations: int
    handed_off: int
    with_person: int


def _tagged(table: Any, period: Period, customer: int, handed: int, person: int,
            *conditions: Any) -> Any:
    """Rows of the period as (day, conversation, is a customer's, is a handoff, is a person's)."""
    return select(beijing_day(table.c.created_at).label("day"),
                  table.c.conversation_id.label("cid"), literal(customer).label("customer"),
                  literal(handed).label("handed"), literal(person).label("person")
                  ).where(within(table.c.created_at, period), *conditions)


async def conversation_days(db: AsyncSession, period: Period) -> List[ConversationDay]:
    """Conversations (conversation id × Beijing day with a customer message) per day, with
    those handed off that day and those a person took part in that day (a handoff or a
    person's message): customer messages, handoffs and persons' messages of the period, each
    read once over its time index, grouped by (day, conversation), then by day."""
    tagged = union_all(
        _tagged(MESSAGES, period, 1, 0, 0, MESSAGES.c.author == "customer"),
        _tagged(HANDOFFS, period, 0, 1, 1),
        _tagged(MESSAGES, period, 0, 0, 1, MESSAGES.c.author == "agent")).subquery()
    per_conversation = (select(tagged.c.day, func.max(tagged.c.handed).label("handed"),
                               func.max(tagged.c.person).label("person"))
                        .group_by(tagged.c.day, tagged.c.cid)
                        .having(func.max(tagged.c.customer) == 1).subquery())
    stmt = (select(per_conversation.c.day, func.count(), func.sum(per_conversation.c.handed),
                   func.sum(per_conversation.c.person))
            .group_by(per_conversation.c.day).order_by(per_conversation.c.day))
    rows = (await db.execute(stmt)).all()
    return [ConversationDay(_day(d), _int(n), _int(h), _int(p)) for d, n, h, p in rows]


@dataclass(frozen=True)
class HandoffCounts:
    """The handoffs opened in a period, by where they stand now."""

    total: int = 0
    waiting: int = 0
    assigned: int = 0
    handed_back: int = 0
    closed_by_person: int = 0
    expired: int = 0
    answered: int = 0


async def handoff_counts(db: AsyncSession, period: Period) -> HandoffCounts:
    """How many handoffs were opened, and how each stands now (one pass)."""
    h = HANDOFFS.c

    def count_if(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    stmt = select(func.count(), count_if(h.status == "waiting"), count_if(h.status == "assigned"),
                  count_if(and_(h.status == "closed", h.handed_back_at.is_not(None))),
                  count_if(and_(h.status == "closed", h.handed_back_at.is_(None))),
                  count_if(h.status == "expired"),
                  count_if(h.first_response_at.is_not(None))
                  ).where(within(h.created_at, period))
    return HandoffCounts(*(_int(v) for v in (await db.execute(stmt)).one()))


@dataclass(frozen=True)
class Spread:
    """How many durations there were, and their median and 90th percentile in seconds."""

    count: int = 0
    p50: Optional[float] = None
    p90: Optional[float] = None


def _conversation_start(h: Any) -> Any:
    """The conversation's first message on the Beijing day of the handoff (the handoff itself
    when the conversation has no message that day)."""
    m = MESSAGES.alias("first_message")
    first = (select(func.min(m.c.created_at))
             .where(m.c.conversation_id == h.c.conversation_id,
                    m.c.created_at >= beijing_day_start(h.c.created_at),
                    m.c.created_at <= h.c.created_at)
             .correlate(h).scalar_subquery())
    return func.coalesce(first, h.c.created_at)


def _duration(key: str, h: Any) -> Tuple[Any, Any]:
    """A handoff duration on the handoffs table `h`: (which handoffs have it, the seconds)."""
    c = h.c
    if key == "first_response":
        return c.first_response_at.is_not(None), seconds_between(c.first_response_at, c.created_at)
    if key == "wait":
        return c.assigned_at.is_not(None), seconds_between(c.assigned_at, c.created_at)
    ended = and_(c.status == "closed", c.closed_at.is_not(None))
    if key == "resolution_agent":
        return ended, seconds_between(c.closed_at, c.created_at)
    return ended, seconds_between(c.closed_at, _conversation_start(h))


async def duration_spreads(db: AsyncSession, period: Period) -> Dict[str, Spread]:
    """Median and P90 of every handoff duration of the handoffs opened in the period: one query
    counts them, one reads the values at the nearest-rank offsets."""
    keys = rules.DURATION_KEYS
    stmt = select(*(func.sum(case((_duration(key, HANDOFFS)[0], 1), else_=0)) for key in keys)
                  ).where(within(HANDOFFS.c.created_at, period))
    counts = dict(zip(keys, (_int(v) for v in (await db.execute(stmt)).one())))
    picks: List[Tuple[str, str]] = []
    columns = []
    for key, count in counts.items():
        for name, percent in rules.PERCENTILES.items():
            offset = rules.percentile_offset(count, percent)
            if offset is None:
                continue
            h = HANDOFFS.alias(f"h_{key}_{name}")
            has, seconds = _duration(key, h)
            columns.append(select(seconds).where(within(h.c.created_at, period), has)
                           .order_by(seconds, h.c.id).limit(1).offset(offset).scalar_subquery())
            picks.append((key, name))
    values: Dict[Tuple[str, str], Optional[float]] = {}
    if columns:
        row = (await db.execute(select(*columns))).one()
        values = {pick: (round(float(v), 3) if v is not None else None)
                  for pick, v in zip(picks, row)}
    return {key: Spread(count, values.get((key, "p50")), values.get((key, "p90")))
            for key, count in counts.items()}


@dataclass(frozen=True)
class CsatDay:
    """Satisfaction answers received on one Beijing day from one source, and the 4–5 ones."""

    source: str
    day: date
    answers: int
    good: int


CSAT_SOURCES = ("handback", "follow_up")


async def csat_days(db: AsyncSession, period: Period) -> List[CsatDay]:
    """Answers per source and day: the score asked after a hand back, and the complaint
    follow-up's score."""
    handback = select(literal("handback").label("source"), Handoff.csat_at.label("at"),
                      Handoff.csat_score.label("score")
                      ).where(Handoff.csat_score.is_not(None), within(Handoff.csat_at, period))
    follow_up = select(literal("follow_up").label("source"),
                       SatisfactionAnswer.created_at.label("at"),
                       SatisfactionAnswer.score.label("score")
                       ).where(within(SatisfactionAnswer.created_at, period))
    answers = union_all(handback, follow_up).subquery()
    day = beijing_day(answers.c.at)
    stmt = (select(answers.c.source, day, func.count(),
                   func.sum(case((answers.c.score >= rules.CSAT_GOOD_FROM, 1), else_=0)))
            .group_by(answers.c.source, day).order_by(day))
    return [CsatDay(str(s), _day(d), _int(n), _int(g))
            for s, d, n, g in (await db.execute(stmt)).all()]


@dataclass(frozen=True)
class Surveys:
    """Satisfaction questions sent in a period per source, and how many were answered."""

    handback_sent: int = 0
    handback_answered: int = 0
    follow_up_sent: int = 0
    follow_up_answered: int = 0

    @property
    def sent(self) -> int:
        return self.handback_sent + self.follow_up_sent

    @property
    def answered(self) -> int:
        return self.handback_answered + self.follow_up_answered


async def surveys(db: AsyncSession, period: Period) -> Surveys:
    """Hand backs (the bot then asks for a score) and complaint follow-ups sent in the period,
    and how many of them have an answer by now."""
    handback = (select(func.count(), func.count(Handoff.csat_score))
                .where(within(Handoff.handed_back_at, period)))
    f = FollowUp
    answered = (select(SatisfactionAnswer.id)
                .where(SatisfactionAnswer.complaint_id == f.complaint_id,
                       SatisfactionAnswer.created_at >= f.fired_at).exists())
    follow_up = (select(func.count(), func.sum(case((answered, 1), else_=0)))
                 .where(f.complaint_id.is_not(None), within(f.fired_at, period)))
    sent, got = (await db.execute(handback)).one()
    f_sent, f_got = (await db.execute(follow_up)).one()
    return Surveys(_int(sent), _int(got), _int(f_sent), _int(f_got))


@dataclass(frozen=True)
class ComplaintGroup:
    """Complaints registered in a period with one category, severity and tier; how many had a
    remedy proposed, accepted, refused."""

    category: str
    severity: str
    tier: str
    count: int
    proposed: int
    accepted: int
    refused: int


async def complaint_groups(db: AsyncSession, period: Period) -> List[ComplaintGroup]:
    """Complaints of the period by category × severity × tier, with their remedies' fate."""
    c = Complaint
    proposed = or_(c.remedy_accepted.is_not(None), c.status == "remedy_proposed")
    stmt = (select(c.category, c.severity, c.customer_tier, func.count(),
                   func.sum(case((proposed, 1), else_=0)),
                   func.sum(case((c.remedy_accepted.is_(True), 1), else_=0)),
                   func.sum(case((c.remedy_accepted.is_(False), 1), else_=0)))
            .where(within(c.created_at, period))
            .group_by(c.category, c.severity, c.customer_tier))
    return [ComplaintGroup(cat, sev, tier, _int(n), _int(p), _int(a), _int(r))
            for cat, sev, tier, n, p, a, r in (await db.execute(stmt)).all()]


async def complaint_days(db: AsyncSession, period: Period) -> Dict[date, int]:
    """Complaints registered per Beijing day."""
    day = beijing_day(Complaint.created_at)
    stmt = (select(day, func.count()).where(within(Complaint.created_at, period))
            .group_by(day))
    return {_day(d): _int(n) for d, n in (await db.execute(stmt)).all()}


# The idempotency keys of the records a complaint's remedy writes (complaints/remedies/store.py):
# complaint:<number>:refund, complaint:<number>:coupon, complaint:<number>:points.
REMEDY_KEYS = {"refund": "complaint:%:refund", "coupon": "complaint:%:coupon",
               "points": "complaint:%:points"}


@dataclass(frozen=True)
class RemedyCost:
    """What the complaints' remedies paid out in a period: refunds, coupons, points."""

    refunds: int = 0
    refund_fen: int = 0
    coupons: int = 0
    coupon_fen: int = 0
    point_grants: int = 0
    points: int = 0


async def remedy_cost(db: AsyncSession, period: Period) -> RemedyCost:
    """The refunds (not rejected), coupons and points the remedies created in the period."""
    refunds = (select(func.count(), func.sum(Refund.amount_fen))
               .where(within(Refund.created_at, period), Refund.status != "rejected",
                      Refund.idempotency_key.like(REMEDY_KEYS["refund"])))
    coupons = (select(func.count(), func.sum(Coupon.value_fen))
               .where(within(Coupon.created_at, period),
                      Coupon.idempotency_key.like(REMEDY_KEYS["coupon"])))
    points = (select(func.count(), func.sum(PointsEntry.delta))
              .where(within(PointsEntry.created_at, period),
                     PointsEntry.idempotency_key.like(REMEDY_KEYS["points"])))
    values: List[int] = []
    for stmt in (refunds, coupons, points):
        values.extend(_int(v) for v in (await db.execute(stmt)).one())
    return RemedyCost(*values)


@dataclass(frozen=True)
class FollowUpAnswers:
    """Complaint follow-up answers received in a period, and the complaints they reopened."""

    answers: int = 0
    reopened: int = 0


async def follow_up_answers(db: AsyncSession, period: Period) -> FollowUpAnswers:
    """Follow-up answers of the period and the distinct complaints an unhappy one reopened."""
    s = SatisfactionAnswer
    reopens = or_(s.resolved.is_not(True), s.score < rules.FOLLOW_UP_CLOSES_FROM)
    stmt = (select(func.count(),
                   func.count(func.distinct(case((reopens, s.complaint_id), else_=None))))
            .where(within(s.created_at, period)))
    answers, reopened = (await db.execute(stmt)).one()
    return FollowUpAnswers(_int(answers), _int(reopened))


@dataclass(frozen=True)
class WinBackGroup:
    """Win-back attempts of a period for one tier with one outcome (None: none yet)."""

    tier: str
    outcome: Optional[str]
    count: int


async def winback_groups(db: AsyncSession, period: Period) -> List[WinBackGroup]:
    """Win-back attempts started in the period by tier and outcome."""
    w = WinBackAttempt
    stmt = (select(w.tier_used, w.outcome, func.count()).where(within(w.created_at, period))
            .group_by(w.tier_used, w.outcome))
    return [WinBackGroup(t, o, _int(n)) for t, o, n in (await db.execute(stmt)).all()]


@dataclass(frozen=True)
class RiskLevels:
    """Open risk flags by level now, and flags raised in the period by level."""

    open_now: Dict[str, int] = field(default_factory=dict)
    raised: Dict[str, int] = field(default_factory=dict)


async def risk_levels(db: AsyncSession, period: Period) -> RiskLevels:
    """Risk flags by level: open now, and raised in the period (one pass)."""
    r = RiskFlag
    stmt = (select(r.level, func.sum(case((r.status == "open", 1), else_=0)),
                   func.sum(case((within(r.created_at, period), 1), else_=0)))
            .where(or_(r.status == "open", within(r.created_at, period))).group_by(r.level))
    rows = (await db.execute(stmt)).all()
    return RiskLevels({lv: _int(o) for lv, o, _ in rows}, {lv: _int(n) for lv, _, n in rows})


@dataclass(frozen=True)
class Figures:
    """Every figure of the overview for one period."""

    period: Period
    days: List[ConversationDay]
    handoffs: HandoffCounts
    spreads: Dict[str, Spread]
    csat: List[CsatDay]
    surveys: Surveys
    complaints: List[ComplaintGroup]
    complaint_days: Dict[date, int]
    remedy_cost: RemedyCost
    follow_ups: FollowUpAnswers
    winback: List[WinBackGroup]
    risk: RiskLevels


async def figures(db: AsyncSession, period: Period) -> Figures:
    """All the overview's figures for `period` (a fixed number of aggregate queries)."""
    return Figures(
        period=period,
        days=await conversation_days(db, period),
        handoffs=await handoff_counts(db, period),
        spreads=await duration_spreads(db, period),
        csat=await csat_days(db, period),
        surveys=await surveys(db, period),
        complaints=await complaint_groups(db, period),
        complaint_days=await complaint_days(db, period),
        remedy_cost=await remedy_cost(db, period),
        follow_ups=await follow_up_answers(db, period),
        winback=await winback_groups(db, period),
        risk=await risk_levels(db, period),
    )
