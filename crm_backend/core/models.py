"""SQLAlchemy models for the whole CRM domain (identical on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import (JSON, Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Index,
                        Integer, MetaData, String, Text, UniqueConstraint, false)
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, stored as naive UTC, aware UTC out (same on every database)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        """Normalise an aware datetime to naive UTC before it reaches the driver."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass timezone-aware values")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        """Re-attach the UTC zone to a stored value."""
        return None if value is None else value.replace(tzinfo=timezone.utc)


def _fk(target: str, nullable: bool = False, ondelete: str = "CASCADE") -> Column:
    """Indexed integer foreign key column."""
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True)


class StaffUser(Base):
    """A support agent or manager who logs into the staff console."""

    __tablename__ = "staff_users"
    __table_args__ = (CheckConstraint("role IN ('agent', 'manager')", name="role"),)

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(64), nullable=False)
    role = Column(String(16), nullable=False, default="agent")
    password_hash = Column(String(255), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    disabled_at = Column(UTCDateTime, nullable=True)  # None while the account may log in
    # Wrong passwords since the last successful login or lock; reaching the policy's limit
    # locks the account until `locked_until`.
    failed_logins = Column(Integer, nullable=False, default=0, server_default="0")
    locked_until = Column(UTCDateTime, nullable=True)


class StaffSession(Base):
    """A staff member's login: the browser holds a random token, the database only its SHA-256.
    Live until ended (logout, disabling), idle too long, or past `expires_at`."""

    __tablename__ = "staff_sessions"

    id = Column(Integer, primary_key=True)
    staff_id = _fk("staff_users.id")
    token_hash = Column(String(64), nullable=False, unique=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    last_seen_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)
    ended_at = Column(UTCDateTime, nullable=True)
    user_agent = Column(String(255), nullable=True)

    staff = relationship("StaffUser")


class Customer(Base):
    """One person, whatever channel they come from."""

    __tablename__ = "customers"
    __table_args__ = (CheckConstraint("tier IN ('key', 'ordinary', 'small')", name="tier"),)

    id = Column(Integer, primary_key=True)
    name = Column(String(64), nullable=False)
    phone = Column(String(20), nullable=False, index=True)
    tier = Column(String(16), nullable=False, default="small")
    tier_reason = Column(String(255), nullable=False, default="")
    tier_computed_at = Column(UTCDateTime, nullable=True)
    is_bad_faith = Column(Boolean, nullable=False, default=False)
    bad_faith_reason = Column(String(255), nullable=True)
    bad_faith_marked_by = Column(String(64), nullable=True)
    bad_faith_marked_at = Column(UTCDateTime, nullable=True)
    owner_staff_id = _fk("staff_users.id", nullable=True, ondelete="SET NULL")
    birthday = Column(Date, nullable=True)
    created_at = Column(UTCDateTime, nullable=False)

    owner = relationship("StaffUser")
    identities = relationship("ChannelIdentity", back_populates="customer")
    orders = relationship("Order", back_populates="customer")


class ChannelIdentity(Base):
    """A customer's identity on one channel (WeChat OpenID or web account id)."""

    __tablename__ = "channel_identities"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_channel_identities_channel_external"),
        CheckConstraint("channel IN ('wechat', 'web')", name="channel"),
    )

    id = Column(Integer, primary_key=True)
    customer_id = _fk("customers.id")
    channel = Column(String(16), nullable=False)
    external_id = Column(String(128), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    # WeChat: when the customer unfollowed the account (None while following).
    unsubscribed_at = Column(UTCDateTime, nullable=True)

    customer = relationship("Customer", back_populates="identities")


class Product(Base):
    """A sellable product (SKU) of the shop."""

    __tablename__ = "products"

    id = Column(Integer, primary_key=True)
    sku = Column(String(32), nullable=False, unique=True)
    name = Column(String(128), nullable=False)
    brand = Column(String(64), nullable=False)
    category = Column(String(32), nullable=False, index=True)
    price_fen = Column(Integer, nullable=False)
    stock = Column(Integer, nullable=False, default=0)
    colours = Column(JSON, nullable=False, default=list)
    sizes = Column(JSON, nullable=False, default=list)
    description = Column(Text, nullable=False, default="")
    # 大件 (delivered by appointment) and 需安装 (installed by appointment); docs/after-sales.md.
    bulky = Column(Boolean, nullable=False, default=False, server_default=false())
    needs_installation = Column(Boolean, nullable=False, default=False, server_default=false())


class Order(Base):
    """A customer's order; money in fen, timestamps in UTC."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending_payment', 'pending_shipment', 'shipped', 'delivered', "
            "'cancelled', 'refunding', 'refunded')",
            name="status",
        ),
    )

    id = Column(Integer, primary_key=True)
    order_no = Column(String(14), nullable=False, unique=True)
    customer_id = _fk("customers.id")
    status = Column(String(20), nullable=False, index=True)
    items_total_fen = Column(Integer, nullable=False)
    shipping_fen = Column(Integer, nullable=False, default=0)
    discount_fen = Column(Integer, nullable=False, default=0)
    total_fen = Column(Integer, nullable=False)
    receiver_name = Column(String(64), nullable=False)
    receiver_phone = Column(String(20), nullable=False)
    address = Column(String(255), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, index=True)
    paid_at = Column(UTCDateTime, nullable=True)
    shipped_at = Column(UTCDateTime, nullable=True)
    delivered_at = Column(UTCDateTime, nullable=True)
    cancelled_at = Column(UTCDateTime, nullable=True)
    delivery_time = Column(String(64), nullable=True)
    # When a complaint's remedy asked the warehouse to rush the order out.
    expedited_at = Column(UTCDateTime, nullable=True)

    customer = relationship("Customer", back_populates="orders")
    items = relationship(
        "OrderItem", back_populates="order", order_by="OrderItem.id"
    )
    shipment = relationship("Shipment", back_populates="order", uselist=False)
    refunds = relationship("Refund", back_populates="order", order_by="Refund.id")


class OrderItem(Base):
    """One line of an order, with the price paid at the time."""

    __tablename__ = "order_items"

    id = Column(Integer, primary_key=True)
    order_id = _fk("orders.id")
    product_id = _fk("products.id", ondelete="RESTRICT")
    sku = Column(String(32), nullable=False)
    name = Column(String(128), nullable=False)
    colour = Column(String(32), nullable=True)
    size = Column(String(16), nullable=True)
    quantity = Column(Integer, nullable=False)
    unit_price_fen = Column(Integer, nullable=False)

    order = relationship("Order", back_populates="items")
    product = relationship("Product")


class Shipment(Base):
    """The parcel of an order with a carrier and tracking number."""

    __tablename__ = "shipments"

    id = Column(Integer, primary_key=True)
    order_id = Column(
        Integer, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    carrier = Column(String(32), nullable=False)
    tracking_no = Column(String(32), nullable=False, index=True)
    created_at = Column(UTCDateTime, nullable=False)

    order = relationship("Order", back_populates="shipment")
    events = relationship(
        "TrackingEvent", back_populates="shipment", order_by="TrackingEvent.occurred_at"
    )


class TrackingEvent(Base):
    """One carrier scan of a shipment."""

    __tablename__ = "tracking_events"

    id = Column(Integer, primary_key=True)
    shipment_id = _fk("shipments.id")
    occurred_at = Column(UTCDateTime, nullable=False)
    location = Column(String(64), nullable=False)
    description = Column(String(255), nullable=False)

    shipment = relationship("Shipment", back_populates="events")


class Refund(Base):
    """A refund request for an order and its progress."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint(
            "status IN ('requested', 'approved', 'completed', 'rejected')", name="status"
        ),
    )

    id = Column(Integer, primary_key=True)
    order_id = _fk("orders.id")
    amount_fen = Column(Integer, nullable=False)
    status = Column(String(16), nullable=False)
    reason = Column(String(255), nullable=False)
    idempotency_key = Column(String(128), nullable=True, unique=True)
    created_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)
    completed_at = Column(UTCDateTime, nullable=True)

    order = relationship("Order", back_populates="refunds")


# Columns the complaint log filters on; each has an index with created_at (the log's period).
COMPLAINT_LOG_FILTERS = ("status", "current_step", "category", "severity", "customer_tier",
                         "channel")


class Complaint(Base):
    """A complaint going through the four-step procedure."""

    __tablename__ = "complaints"
    __table_args__ = (
        CheckConstraint("current_step BETWEEN 1 AND 4", name="current_step"),
        CheckConstraint("score IS NULL OR score BETWEEN 1 AND 5", name="score"),
        # The managers' complaint log: a period, newest first, with one filter or none.
        Index("ix_complaints_created_at", "created_at"),
        *(Index(f"ix_complaints_{column}_created_at", column, "created_at")
          for column in COMPLAINT_LOG_FILTERS),
    )

    id = Column(Integer, primary_key=True)
    number = Column(String(20), nullable=False, unique=True)
    customer_id = _fk("customers.id")
    order_id = _fk("orders.id", nullable=True, ondelete="SET NULL")
    customer_tier = Column(String(16), nullable=False)
    category = Column(String(32), nullable=False)
    severity = Column(String(16), nullable=False)
    customer_words = Column(Text, nullable=False, default="")
    expectation = Column(String(255), nullable=True)
    status = Column(String(20), nullable=False, default="open")
    current_step = Column(Integer, nullable=False, default=1)
    channel = Column(String(16), nullable=False)
    conversation_id = Column(String(128), nullable=True, index=True)
    handler_staff_id = _fk("staff_users.id", nullable=True, ondelete="SET NULL")
    remedy_offered = Column(JSON, nullable=True)
    remedy_accepted = Column(Boolean, nullable=True)
    remedy_executed_at = Column(UTCDateTime, nullable=True)
    remedy_execution = Column(JSON, nullable=True)
    follow_up_result = Column(Text, nullable=True)
    score = Column(Integer, nullable=True)
    idempotency_key = Column(String(128), nullable=True, unique=True)
    created_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)
    resolved_at = Column(UTCDateTime, nullable=True)

    events = relationship(
        "ComplaintEvent", back_populates="complaint", order_by="ComplaintEvent.occurred_at"
    )


class ComplaintEvent(Base):
    """A timestamped entry of a complaint's four-step timeline."""

    __tablename__ = "complaint_events"
    __table_args__ = (
        CheckConstraint("step BETWEEN 1 AND 4", name="step"),
        CheckConstraint("actor IN ('customer', 'bot', 'agent', 'system')", name="actor"),
    )

    id = Column(Integer, primary_key=True)
    complaint_id = _fk("complaints.id")
    step = Column(Integer, nullable=False)
    occurred_at = Column(UTCDateTime, nullable=False)
    note = Column(Text, nullable=False, default="")
    # Who acted: the customer, the bot, a person (`staff_id`) or the CRM itself.
    actor = Column(String(16), nullable=False, default="bot", server_default="bot")
    staff_id = _fk("staff_users.id", nullable=True, ondelete="SET NULL")

    complaint = relationship("Complaint", back_populates="events")


class PointsEntry(Base):
    """One grant or redemption in a customer's points ledger."""

    __tablename__ = "points_entries"

    id = Column(Integer, primary_key=True)
    customer_id = _fk("customers.id")
    delta = Column(Integer, nullable=False)
    reason = Column(String(255), nullable=False)
    source = Column(String(32), nullable=False)
    idempotency_key = Column(String(128), nullable=False, unique=True)
    expires_at = Column(UTCDateTime, nullable=True)
    created_at = Column(UTCDateTime, nullable=False)


class Coupon(Base):
    """A coupon issued to a customer."""

    __tablename__ = "coupons"

    id = Column(Integer, primary_key=True)
    customer_id = _fk("customers.id")
    code = Column(String(32), nullable=False, unique=True)
    value_fen = Column(Integer, nullable=False)
    min_spend_fen = Column(Integer, nullable=False, default=0)
    status = Column(String(16), nullable=False, default="active")
    reason = Column(String(255), nullable=False)
    idempotency_key = Column(String(128), nullable=False, unique=True)
    expires_at = Column(UTCDateTime, nullable=False)
    created_at = Column(UTCDateTime, nullable=False)


class RiskFlag(Base):
    """A churn-risk signal raised for a customer, with its reasons."""

    __tablename__ = "risk_flags"

    id = Column(Integer, primary_key=True)
    customer_id = _fk("customers.id")
    score = Column(Integer, nullable=False)
    level = Column(String(16), nullable=False)
    reasons = Column(JSON, nullable=False, default=list)
    status = Column(String(16), nullable=False, default="open")
    created_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)
    resolved_at = Column(UTCDateTime, nullable=True)
    # Who follows the customer up for this flag (the managers' at-risk page), and since when.
    owner_staff_id = _fk("staff_users.id", nullable=True, ondelete="SET NULL")
    owner_assigned_at = Column(UTCDateTime, nullable=True)


class Handoff(Base):
    """A conversation handed over to a person, queued by priority."""

    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    customer_id = _fk("customers.id", nullable=True, ondelete="SET NULL")
    reason = Column(String(255), nullable=False)
    priority = Column(Integer, nullable=False, default=0)
    status = Column(String(16), nullable=False, default="waiting")
    assigned_staff_id = _fk("staff_users.id", nullable=True, ondelete="SET NULL")
    complaint_id = _fk("complaints.id", nullable=True, ondelete="SET NULL")
    idempotency_key = Column(String(128), nullable=True, unique=True)
    created_at = Column(UTCDateTime, nullable=False)
    assigned_at = Column(UTCDateTime, nullable=True)
    closed_at = Column(UTCDateTime, nullable=True)
    # The service metrics (docs/handoff.md): the first person's reply, the hand back to the bot.
    first_response_at = Column(UTCDateTime, nullable=True)
    handed_back_at = Column(UTCDateTime, nullable=True)
    resolution_note = Column(Text, nullable=True)
    # The customer's 1–5 answer when the bot asked after the hand back.
    csat_score = Column(Integer, nullable=True)
    csat_at = Column(UTCDateTime, nullable=True)


class FollowUp(Base):
    """A persistent follow-up in a conversation: step 4 of a complaint, or a win-back attempt's."""

    __tablename__ = "follow_ups"

    id = Column(Integer, primary_key=True)
    complaint_id = _fk("complaints.id", nullable=True)
    winback_attempt_id = _fk("winback_attempts.id", nullable=True)
    conversation_id = Column(String(128), nullable=False)
    due_at = Column(UTCDateTime, nullable=False, index=True)
    status = Column(String(16), nullable=False, default="scheduled")
    fired_at = Column(UTCDateTime, nullable=True)
    # While firing: a follow-up still firing after this moment was cut off (crash) and is retried.
    lease_until = Column(UTCDateTime, nullable=True)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(Text, nullable=True)
    rasa_response = Column(JSON, nullable=True)
    idempotency_key = Column(String(128), nullable=True, unique=True)
    created_at = Column(UTCDateTime, nullable=False)


class SatisfactionAnswer(Base):
    """A 1-5 satisfaction answer for a conversation or complaint."""

    __tablename__ = "satisfaction_answers"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score"),)

    id = Column(Integer, primary_key=True)
    customer_id = _fk("customers.id", nullable=True, ondelete="SET NULL")
    complaint_id = _fk("complaints.id", nullable=True, ondelete="SET NULL")
    conversation_id = Column(String(128), nullable=False, index=True)
    score = Column(Integer, nullable=False)
    resolved = Column(Boolean, nullable=True)
    comment = Column(Text, nullable=True)
    idempotency_key = Column(String(128), nullable=True, unique=True)
    created_at = Column(UTCDateTime, nullable=False)


class TierChange(Base):
    """One tier computation that changed (or first set) a customer's tier, with its reason."""

    __tablename__ = "tier_changes"

    id = Column(Integer, primary_key=True)
    customer_id = _fk("customers.id")
    old_tier = Column(String(16), nullable=True)
    new_tier = Column(String(16), nullable=False)
    reason = Column(String(255), nullable=False)
    computed_at = Column(UTCDateTime, nullable=False)


class RiskSignal(Base):
    """One churn-risk observation (churn words, complaint, low score, silence), recorded once."""

    __tablename__ = "risk_signals"

    id = Column(Integer, primary_key=True)
    customer_id = _fk("customers.id")
    signal = Column(String(32), nullable=False)
    detail = Column(String(255), nullable=False, default="")
    conversation_id = Column(String(128), nullable=True)
    idempotency_key = Column(String(128), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False, index=True)


class Notification(Base):
    """A message for a staff member (e.g. a key customer at risk), shown in the console."""

    __tablename__ = "notifications"

    id = Column(Integer, primary_key=True)
    recipient_staff_id = _fk("staff_users.id", nullable=True, ondelete="SET NULL")
    customer_id = _fk("customers.id", nullable=True, ondelete="SET NULL")
    kind = Column(String(32), nullable=False)
    message = Column(Text, nullable=False)
    conversation_id = Column(String(128), nullable=True)
    status = Column(String(16), nullable=False, default="unread")
    created_at = Column(UTCDateTime, nullable=False)

    recipient = relationship("StaffUser")


class WinBackAttempt(Base):
    """A win-back attempt: the tier it used, the action and offer, and later its outcome."""

    __tablename__ = "winback_attempts"

    id = Column(Integer, primary_key=True)
    customer_id = _fk("customers.id")
    conversation_id = Column(String(128), nullable=True)
    trigger = Column(String(64), nullable=False)
    tier_used = Column(String(16), nullable=False)
    bad_faith_used = Column(Boolean, nullable=False, default=False)
    action = Column(String(32), nullable=False)
    offer = Column(JSON, nullable=True)
    coupon_id = _fk("coupons.id", nullable=True, ondelete="SET NULL")
    points_entry_id = _fk("points_entries.id", nullable=True, ondelete="SET NULL")
    notification_id = _fk("notifications.id", nullable=True, ondelete="SET NULL")
    outcome = Column(String(16), nullable=True)
    outcome_at = Column(UTCDateTime, nullable=True)
    idempotency_key = Column(String(128), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False)

    notification = relationship("Notification")


class OrderChange(Base):
    """A cancellation or a field change of an order made for the customer, written once per key."""

    __tablename__ = "order_changes"
    __table_args__ = (CheckConstraint("kind IN ('cancel', 'modify')", name="kind"),)

    id = Column(Integer, primary_key=True)
    order_id = _fk("orders.id")
    kind = Column(String(16), nullable=False)
    field = Column(String(32), nullable=True)
    old_value = Column(Text, nullable=True)
    new_value = Column(Text, nullable=True)
    reason = Column(String(255), nullable=True)
    idempotency_key = Column(String(128), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False)


class DailyJobRun(Base):
    """One Beijing day's loyalty jobs done (birthday/anniversary points, risk scan); the unique
    day lets exactly one CRM process do them."""

    __tablename__ = "daily_job_runs"

    id = Column(Integer, primary_key=True)
    day = Column(Date, nullable=False, unique=True)
    grants = Column(Integer, nullable=False, default=0)
    flagged = Column(Integer, nullable=False, default=0)  # by the scan of the pass that did it
    finished_at = Column(UTCDateTime, nullable=False)


class IdentityAttempt(Base):
    """One try at proving who a conversation's customer is by order number + phone tail: checked
    and wrong (`no_match`, the failures the limits count), checked and right (`matched`), or
    refused unchecked while locked (`locked`)."""

    __tablename__ = "identity_attempts"
    __table_args__ = (
        CheckConstraint("outcome IN ('matched', 'no_match', 'locked')", name="outcome"),
    )

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    order_no = Column(String(14), nullable=False, index=True)
    source = Column(String(64), nullable=True, index=True)
    outcome = Column(String(16), nullable=False)
    customer_id = _fk("customers.id", nullable=True, ondelete="SET NULL")
    attempted_at = Column(UTCDateTime, nullable=False, index=True)


class IdentitySubject(Base):
    """A conversation, order number or source address that verification attempts are counted
    for; its row is locked while an attempt on it is checked, so parallel guesses queue."""

    __tablename__ = "identity_subjects"
    __table_args__ = (
        UniqueConstraint("scope", "subject", name="uq_identity_subjects_scope_subject"),
        CheckConstraint("scope IN ('conversation', 'order', 'source')", name="scope"),
    )

    id = Column(Integer, primary_key=True)
    scope = Column(String(16), nullable=False)
    subject = Column(String(128), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)


class ConversationBinding(Base):
    """A conversation proven to be a customer's, until `expires_at` (one per conversation; binding
    again replaces it)."""

    __tablename__ = "conversation_bindings"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, unique=True)
    customer_id = _fk("customers.id")
    order_no = Column(String(14), nullable=False)  # the order it was proven with
    bound_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)

    customer = relationship("Customer")


class WeChatInbound(Base):
    """One message or event WeChat delivered, however often it was retried: claimed by the first
    process to see it, then the reply it got and how (passively or through the API)."""

    __tablename__ = "wechat_inbound"
    __table_args__ = (
        CheckConstraint("status IN ('processing', 'answered')", name="status"),
        CheckConstraint("delivery IS NULL OR delivery IN ('passive', 'api', 'none')",
                        name="delivery"),
    )

    id = Column(Integer, primary_key=True)
    dedupe_key = Column(String(160), nullable=False, unique=True)
    open_id = Column(String(128), nullable=False, index=True)
    msg_type = Column(String(32), nullable=False)
    status = Column(String(16), nullable=False)
    delivery = Column(String(16), nullable=True)
    reply = Column(Text, nullable=True)
    received_at = Column(UTCDateTime, nullable=False, index=True)
    answered_at = Column(UTCDateTime, nullable=True)


class WeChatAccessToken(Base):
    """The account's API access token, shared by every process; refreshed under this row's lock."""

    __tablename__ = "wechat_access_tokens"

    app_id = Column(String(64), primary_key=True)
    access_token = Column(String(512), nullable=True)
    expires_at = Column(UTCDateTime, nullable=True)
    fetched_at = Column(UTCDateTime, nullable=True)


class WeChatDelivery(Base):
    """One customer-service message: sent, or kept with the reason it could not be (quota, the
    48-hour window, an API error), so nothing is lost silently."""

    __tablename__ = "wechat_deliveries"
    __table_args__ = (CheckConstraint("status IN ('sent', 'not_sent')", name="status"),)

    id = Column(Integer, primary_key=True)
    open_id = Column(String(128), nullable=False, index=True)
    inbound_key = Column(String(160), nullable=False, index=True)
    content = Column(Text, nullable=False)
    status = Column(String(16), nullable=False)
    errcode = Column(Integer, nullable=True)
    errmsg = Column(String(255), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, index=True)


class ConversationMessage(Base):
    """The transcript of record: every customer message, bot reply and person's message of a
    conversation, with its channel and time, written by the channels (never by the browser)."""

    __tablename__ = "conversation_messages"
    __table_args__ = (
        CheckConstraint("author IN ('customer', 'bot', 'agent', 'system')", name="author"),
        UniqueConstraint("conversation_id", "client_message_id",
                         name="uq_conversation_messages_client_message"),
    )

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    channel = Column(String(16), nullable=False)
    author = Column(String(16), nullable=False)
    text = Column(Text, nullable=False)
    buttons = Column(JSON, nullable=True)
    client_message_id = Column(String(160), nullable=True)
    staff_id = _fk("staff_users.id", nullable=True, ondelete="SET NULL")
    handoff_id = _fk("handoffs.id", nullable=True, ondelete="SET NULL")
    created_at = Column(UTCDateTime, nullable=False, index=True)


class HandoffNote(Base):
    """A private note on a handed-off conversation: seen by the staff, never by the customer."""

    __tablename__ = "handoff_notes"

    id = Column(Integer, primary_key=True)
    handoff_id = _fk("handoffs.id")
    staff_id = _fk("staff_users.id", nullable=True, ondelete="SET NULL")
    text = Column(Text, nullable=False)
    created_at = Column(UTCDateTime, nullable=False)


class CannedReply(Base):
    """A ready-made reply the agents pick in the console; managers write and edit them."""

    __tablename__ = "canned_replies"

    id = Column(Integer, primary_key=True)
    title = Column(String(64), nullable=False)
    text = Column(Text, nullable=False)
    updated_by = _fk("staff_users.id", nullable=True, ondelete="SET NULL")
    updated_at = Column(UTCDateTime, nullable=False)
    removed_at = Column(UTCDateTime, nullable=True)


class PriceChange(Base):
    """A product's price from `changed_at` on (the catalogue's price history, used for 价保)."""

    __tablename__ = "price_changes"

    id = Column(Integer, primary_key=True)
    product_id = _fk("products.id")
    old_price_fen = Column(Integer, nullable=False)
    price_fen = Column(Integer, nullable=False)
    reason = Column(String(255), nullable=False, default="")
    idempotency_key = Column(String(128), nullable=True, unique=True)
    changed_at = Column(UTCDateTime, nullable=False, index=True)


class PriceProtectionClaim(Base):
    """A price-protection refund of one order item: the difference paid back once (one claim per
    item; `request_key` is the caller's key, shared by the items of one request)."""

    __tablename__ = "price_protection_claims"

    id = Column(Integer, primary_key=True)
    order_id = _fk("orders.id")
    order_item_id = Column(Integer, ForeignKey("order_items.id", ondelete="CASCADE"),
                           nullable=False, unique=True)
    customer_id = _fk("customers.id")
    paid_unit_fen = Column(Integer, nullable=False)
    lowest_unit_fen = Column(Integer, nullable=False)
    quantity = Column(Integer, nullable=False)
    amount_fen = Column(Integer, nullable=False)
    refund_id = _fk("refunds.id", nullable=True, ondelete="SET NULL")
    request_key = Column(String(128), nullable=False, index=True)
    idempotency_key = Column(String(160), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False)

    refund = relationship("Refund")


class AfterSalesRequest(Base):
    """A return, exchange or repair request of an order item and where it stands."""

    __tablename__ = "after_sales_requests"
    __table_args__ = (
        CheckConstraint("kind IN ('return', 'exchange', 'repair')", name="kind"),
    )

    id = Column(Integer, primary_key=True)
    number = Column(String(20), nullable=False, unique=True)
    customer_id = _fk("customers.id")
    order_id = _fk("orders.id")
    order_item_id = _fk("order_items.id", nullable=True, ondelete="SET NULL")
    kind = Column(String(16), nullable=False)
    status = Column(String(20), nullable=False, index=True)
    reason = Column(String(255), nullable=False)
    reject_reason = Column(String(255), nullable=True)
    refund_fen = Column(Integer, nullable=True)
    return_tracking_no = Column(String(32), nullable=True)
    outbound_carrier = Column(String(32), nullable=True)
    outbound_tracking_no = Column(String(32), nullable=True)
    idempotency_key = Column(String(128), nullable=True, unique=True)
    created_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)

    steps = relationship("AfterSalesStep", back_populates="request",
                         order_by=lambda: [AfterSalesStep.occurred_at, AfterSalesStep.id])
    order = relationship("Order")
    item = relationship("OrderItem")


class AfterSalesStep(Base):
    """One step of an after-sales request (已提交, 审核通过, 商家已收货, …) with its time."""

    __tablename__ = "after_sales_steps"

    id = Column(Integer, primary_key=True)
    request_id = _fk("after_sales_requests.id")
    status = Column(String(20), nullable=False)
    note = Column(String(255), nullable=False, default="")
    idempotency_key = Column(String(128), nullable=True, unique=True)
    occurred_at = Column(UTCDateTime, nullable=False)

    request = relationship("AfterSalesRequest", back_populates="steps")


class Invoice(Base):
    """The e-invoice of an order as it stands now (its issued versions in InvoiceVersion)."""

    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint("kind IN ('personal', 'company')", name="kind"),
        CheckConstraint("status IN ('pending', 'issued', 'voided')", name="status"),
    )

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False,
                      unique=True)
    customer_id = _fk("customers.id")
    kind = Column(String(16), nullable=False)
    title = Column(String(128), nullable=False)
    tax_no = Column(String(18), nullable=True)
    status = Column(String(16), nullable=False)
    number = Column(String(20), nullable=True)
    version = Column(Integer, nullable=False, default=0)
    reissues = Column(Integer, nullable=False, default=0)
    amount_fen = Column(Integer, nullable=False)
    email = Column(String(254), nullable=True)
    first_issued_at = Column(UTCDateTime, nullable=True)
    issued_at = Column(UTCDateTime, nullable=True)
    sent_at = Column(UTCDateTime, nullable=True)
    created_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)

    order = relationship("Order")
    versions = relationship("InvoiceVersion", back_populates="invoice",
                            order_by="InvoiceVersion.version")


class InvoiceVersion(Base):
    """One issued e-invoice of an order: the first, or a re-issue that voided the one before."""

    __tablename__ = "invoice_versions"
    __table_args__ = (
        UniqueConstraint("invoice_id", "version", name="uq_invoice_versions_invoice_version"),
    )

    id = Column(Integer, primary_key=True)
    invoice_id = _fk("invoices.id")
    version = Column(Integer, nullable=False)
    number = Column(String(20), nullable=False, unique=True)
    kind = Column(String(16), nullable=False)
    title = Column(String(128), nullable=False)
    tax_no = Column(String(18), nullable=True)
    reason = Column(String(255), nullable=False, default="")
    issued_at = Column(UTCDateTime, nullable=False)
    voided_at = Column(UTCDateTime, nullable=True)
    idempotency_key = Column(String(128), nullable=True, unique=True)

    invoice = relationship("Invoice", back_populates="versions")


class InvoiceSend(Base):
    """An e-invoice sent to an email address, once per key."""

    __tablename__ = "invoice_sends"

    id = Column(Integer, primary_key=True)
    invoice_id = _fk("invoices.id")
    version = Column(Integer, nullable=False)
    email = Column(String(254), nullable=False)
    idempotency_key = Column(String(128), nullable=False, unique=True)
    sent_at = Column(UTCDateTime, nullable=False, index=True)


class Appointment(Base):
    """A delivery, installation or return pick-up time booked for an order: one per order and
    kind (a change moves it; the moves are in AppointmentChange)."""

    __tablename__ = "appointments"
    __table_args__ = (
        UniqueConstraint("order_id", "kind", name="uq_appointments_order_kind"),
        CheckConstraint("kind IN ('delivery', 'installation', 'pickup')", name="kind"),
    )

    id = Column(Integer, primary_key=True)
    order_id = _fk("orders.id")
    customer_id = _fk("customers.id")
    kind = Column(String(16), nullable=False)
    day = Column(Date, nullable=False)
    time_window = Column(String(16), nullable=False)
    status = Column(String(16), nullable=False, default="booked")
    changes = Column(Integer, nullable=False, default=0)
    idempotency_key = Column(String(128), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)


class AppointmentChange(Base):
    """An appointment moved to another day or time window, once per key."""

    __tablename__ = "appointment_changes"

    id = Column(Integer, primary_key=True)
    appointment_id = _fk("appointments.id")
    old_day = Column(Date, nullable=False)
    old_window = Column(String(16), nullable=False)
    new_day = Column(Date, nullable=False)
    new_window = Column(String(16), nullable=False)
    idempotency_key = Column(String(128), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False)


# The managers' overview (crm_backend/review): its aggregates range over these time columns.
REVIEW_INDEXES = (
    Index("ix_conversation_messages_author_created", ConversationMessage.author,
          ConversationMessage.created_at, ConversationMessage.conversation_id),
    Index("ix_conversation_messages_conversation_created", ConversationMessage.conversation_id,
          ConversationMessage.created_at),
    Index("ix_handoffs_created_at", Handoff.created_at),
    Index("ix_handoffs_handed_back_at", Handoff.handed_back_at),
    Index("ix_handoffs_csat_at", Handoff.csat_at),
    Index("ix_complaints_review", Complaint.created_at, Complaint.category, Complaint.severity,
          Complaint.customer_tier, Complaint.status, Complaint.remedy_accepted),
    Index("ix_satisfaction_answers_created_at", SatisfactionAnswer.created_at),
    Index("ix_follow_ups_fired_at", FollowUp.fired_at),
    Index("ix_refunds_created_at", Refund.created_at),
    Index("ix_coupons_created_at", Coupon.created_at),
    Index("ix_points_entries_created_at", PointsEntry.created_at),
    Index("ix_winback_attempts_created_at", WinBackAttempt.created_at),
)


# The managers' at-risk page (crm_backend/at_risk): a customer's latest own message in each of
# their conversations (one index seek each), latest order and complaint, open complaints.
AT_RISK_INDEXES = (
    Index("ix_conversation_messages_conversation_author_created",
          ConversationMessage.conversation_id, ConversationMessage.author,
          ConversationMessage.created_at),
    Index("ix_orders_customer_created", Order.customer_id, Order.created_at),
    Index("ix_complaints_customer_status_created", Complaint.customer_id, Complaint.status,
          Complaint.created_at, Complaint.number),
)
