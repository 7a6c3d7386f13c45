"""E-invoices in the database: lookups, a send once per key, and a re-issue once per key that
voids the version before, each checked under the invoice's row lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import List, Optional, Tuple

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from crm_backend.core.errors import Conflict, Invalid, KeyReused, NotFound
from crm_backend.core.idempotency import by_key, insert_once
from crm_backend.core.models import Invoice, InvoiceSend, InvoiceVersion, Order
from crm_backend.core.time import BEIJING
from crm_backend.invoices import rules
from crm_backend.invoices.policy import InvoicePolicy


def _loaded():
    """What every answer about an invoice needs."""
    return (selectinload(Invoice.order).selectinload(Order.items),
            selectinload(Invoice.versions))


async def invoice_of(db: AsyncSession, order_no: str, customer_id: int) -> Invoice:
    """The invoice of the customer's order (404 when the order is not theirs or has none)."""
    order = await db.scalar(select(Order).where(Order.order_no == order_no))
    if order is None or order.customer_id != customer_id:
        raise NotFound("order_not_found", "订单不存在")
    invoice = await db.scalar(select(Invoice).where(Invoice.order_id == order.id)
                              .options(*_loaded()))
    if invoice is None:
        raise NotFound("invoice_not_found", f"订单 {order_no} 没有开具发票")
    return invoice


async def invoices_of(db: AsyncSession, customer_id: int, limit: int) -> List[Invoice]:
    """A customer's invoices, newest order first."""
    stmt = (select(Invoice).join(Order, Order.id == Invoice.order_id)
            .where(Invoice.customer_id == customer_id).options(*_loaded())
            .order_by(Order.created_at.desc(), Invoice.id.desc()).limit(limit))
    return list((await db.execute(stmt)).scalars())


async def _lock(db: AsyncSession, invoice: Invoice) -> None:
    """Hold the invoice's row for this transaction and re-read what the checks use."""
    await db.refresh(invoice, ["status", "version", "reissues", "kind", "title", "tax_no",
                               "email"], with_for_update=True)


async def _sends_today(db: AsyncSession, invoice: Invoice, now: datetime) -> int:
    """How often the invoice was sent since midnight, Beijing time."""
    midnight = datetime.combine(now.astimezone(BEIJING).date(), time.min, tzinfo=BEIJING)
    return int(await db.scalar(select(func.count(InvoiceSend.id))
                               .where(InvoiceSend.invoice_id == invoice.id,
                                      InvoiceSend.sent_at >= midnight)) or 0)


async def send(db: AsyncSession, invoice: Invoice, email: str, idempotency_key: str,
               now: datetime, policy: InvoicePolicy) -> Tuple[InvoiceSend, bool]:
    """Send the current invoice to `email` once per key, within the daily limit."""
    problem = rules.email_problem(email)
    if problem:
        raise Invalid("invalid_request", problem, "email")
    await _lock(db, invoice)
    existing = await by_key(db, InvoiceSend, f"send:{idempotency_key}")
    if existing is not None:
        if existing.invoice_id != invoice.id or existing.email != email:
            raise KeyReused()
        return existing, False
    refusal = rules.send_refusal(invoice.status, await _sends_today(db, invoice, now), policy)
    if refusal:
        raise Conflict(*refusal)
    return await _record_send(db, invoice, email, f"send:{idempotency_key}", now)


async def _record_send(db: AsyncSession, invoice: Invoice, email: str, key: str,
                       now: datetime) -> Tuple[InvoiceSend, bool]:
    """The send row, and the invoice remembering where it went."""
    sent, created = await insert_once(db, InvoiceSend(
        invoice_id=invoice.id, version=invoice.version, email=email, idempotency_key=key,
        sent_at=now))
    if created:
        invoice.email, invoice.sent_at, invoice.updated_at = email, now, now
    return sent, created


@dataclass(frozen=True)
class Details:
    """What a re-issued invoice says."""

    kind: str
    title: str
    tax_no: Optional[str]


async def reissue(db: AsyncSession, invoice: Invoice, details: Details, email: Optional[str],
                  reason: str, idempotency_key: str, now: datetime, policy: InvoicePolicy
                  ) -> Tuple[InvoiceVersion, bool]:
    """Void the current version and issue a new one with the new details, once per key, within
    the policy; the new invoice goes to `email` (or the address it went to before)."""
    tax_no = rules.normalise_tax_no(details.tax_no) if details.tax_no else None
    problem = rules.details_problem(details.kind, details.title, tax_no)
    if problem:
        raise Invalid("invalid_request", problem[1], problem[0])
    if email and rules.email_problem(email):
        raise Invalid("invalid_request", rules.email_problem(email) or "", "email")
    key = f"reissue:{idempotency_key}"
    await _lock(db, invoice)
    existing = await by_key(db, InvoiceVersion, key)
    if existing is not None:
        if existing.invoice_id != invoice.id:
            raise KeyReused()
        return existing, False
    order = await db.get(Order, invoice.order_id)
    assert order is not None
    refusal = rules.reissue_refusal(invoice.status, order.status, invoice.first_issued_at,
                                    invoice.reissues, now, policy)
    if refusal:
        raise Conflict(*refusal)
    tax_no = tax_no if details.kind == "company" else None
    title = details.title.strip()
    if (details.kind, title, tax_no) == (invoice.kind, invoice.title, invoice.tax_no):
        raise Conflict("no_change", "发票信息没有变化，不需要重开；如果是没收到发票，可以让我重新发送到邮箱")
    current = await db.scalar(select(InvoiceVersion).where(
        InvoiceVersion.invoice_id == invoice.id, InvoiceVersion.version == invoice.version))
    if current is not None:
        current.voided_at = now
    version = invoice.version + 1
    row, created = await insert_once(db, InvoiceVersion(
        invoice_id=invoice.id, version=version,
        number=rules.invoice_number(invoice.order_id, version, now), kind=details.kind,
        title=title, tax_no=tax_no, reason=reason, issued_at=now, idempotency_key=key))
    if not created:
        return row, False
    invoice.kind, invoice.title, invoice.tax_no = details.kind, title, tax_no
    invoice.version, invoice.number, invoice.issued_at = version, row.number, now
    invoice.reissues += 1
    invoice.updated_at = now
    target = email or invoice.email
    if target:
        await _record_send(db, invoice, target, f"reissue-send:{idempotency_key}", now)
    return row, True
