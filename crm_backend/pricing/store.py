"""Price history and price-protection claims in the database: a product's price changes, the
verdict on each item of an order, and the difference refunded once per item under the order's
lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Dict, List, Optional, Sequence, Set, Tuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from crm_backend.core.errors import Conflict, Invalid, KeyReused, NotFound
from crm_backend.core.idempotency import by_key, insert_once
from crm_backend.core.models import (AfterSalesRequest, Order, OrderItem, PriceChange,
                                     PriceProtectionClaim, Product)
from crm_backend.orders.store import add_refund, lock_order
from crm_backend.pricing import rules
from crm_backend.pricing.policy import PriceProtectionPolicy

Changes = Dict[int, List[Tuple[int, datetime]]]


@dataclass(frozen=True)
class ItemCheck:
    """One order item with its product, its verdict and its claim if one was made."""

    item: OrderItem
    product: Product
    verdict: rules.Eligibility
    claim: Optional[PriceProtectionClaim]


@dataclass(frozen=True)
class OrderCheck:
    """Every item of one order checked for price protection."""

    order: Order
    items: List[ItemCheck]

    @property
    def eligible_fen(self) -> int:
        """What a claim of every eligible item would refund."""
        return sum(check.verdict.amount_fen for check in self.items if check.verdict.eligible)


async def product_by_sku(db: AsyncSession, sku: str) -> Product:
    """The product with this SKU, or NotFound."""
    product = await db.scalar(select(Product).where(Product.sku == sku))
    if product is None:
        raise NotFound("product_not_found", "商品不存在")
    return product


async def _changes(db: AsyncSession, product_ids: Set[int], after: datetime) -> Changes:
    """Every price change of these products after `after`, by product."""
    found: Changes = {product_id: [] for product_id in product_ids}
    if not product_ids:
        return found
    rows = await db.execute(select(PriceChange.product_id, PriceChange.price_fen,
                                   PriceChange.changed_at)
                            .where(PriceChange.product_id.in_(product_ids),
                                   PriceChange.changed_at > after))
    for product_id, price, at in rows:
        found[product_id].append((price, at))
    return found


async def _claims(db: AsyncSession, item_ids: Set[int]) -> Dict[int, PriceProtectionClaim]:
    """The claims made for these order items, by item."""
    if not item_ids:
        return {}
    rows = await db.execute(select(PriceProtectionClaim)
                            .where(PriceProtectionClaim.order_item_id.in_(item_ids))
                            .options(selectinload(PriceProtectionClaim.refund)))
    return {claim.order_item_id: claim for claim in rows.scalars()}


async def _returned(db: AsyncSession, order_ids: Set[int]) -> Set[Tuple[int, Optional[int]]]:
    """(order id, item id or None for the whole order) of return requests not rejected."""
    if not order_ids:
        return set()
    rows = await db.execute(select(AfterSalesRequest.order_id, AfterSalesRequest.order_item_id)
                            .where(AfterSalesRequest.order_id.in_(order_ids),
                                   AfterSalesRequest.kind == "return",
                                   AfterSalesRequest.status != "rejected"))
    return {(order_id, item_id) for order_id, item_id in rows}


async def check_orders(db: AsyncSession, orders: Sequence[Order], now: datetime,
                       policy: PriceProtectionPolicy) -> List[OrderCheck]:
    """The verdict on every item of these orders (items loaded), in four queries."""
    items = [item for order in orders for item in order.items]
    product_ids = {item.product_id for item in items}
    products = {p.id: p for p in (await db.execute(
        select(Product).where(Product.id.in_(product_ids)))).scalars()} if product_ids else {}
    paid = [order.paid_at for order in orders if order.paid_at is not None]
    changes = await _changes(db, product_ids, min(paid)) if paid else {}
    claims = await _claims(db, {item.id for item in items})
    returned = await _returned(db, {order.id for order in orders})
    checks = []
    for order in orders:
        checked = []
        for item in order.items:
            claim = claims.get(item.id)
            product = products[item.product_id]
            facts = rules.ItemFacts(
                name=item.name, category=product.category, quantity=item.quantity,
                paid_unit_fen=item.unit_price_fen,
                claimed_at=claim.created_at if claim else None,
                claimed_fen=claim.amount_fen if claim else 0,
                returned=(order.id, item.id) in returned or (order.id, None) in returned)
            verdict = rules.decide(order.order_no, order.status, order.paid_at, facts,
                                   changes.get(item.product_id, []), now, policy)
            checked.append(ItemCheck(item, product, verdict, claim))
        checks.append(OrderCheck(order, checked))
    return checks


async def candidate_orders(db: AsyncSession, customer_id: int, now: datetime,
                           policy: PriceProtectionPolicy, limit: int) -> List[Order]:
    """The customer's paid, open orders whose longest window has not closed, newest first."""
    longest = max([policy.default_days, *policy.category_days.values()])
    stmt = (select(Order).where(Order.customer_id == customer_id,
                                Order.status.in_(policy.order_statuses),
                                Order.paid_at >= now - timedelta(days=longest))
            .options(selectinload(Order.items))
            .order_by(Order.paid_at.desc(), Order.id.desc()).limit(limit))
    return list((await db.execute(stmt)).scalars())


async def _repeat(db: AsyncSession, order: Order, request_key: str, sku: Optional[str]
                  ) -> List[PriceProtectionClaim]:
    """The claims an earlier request with this key made (409 if it was for something else)."""
    rows = await db.execute(select(PriceProtectionClaim)
                            .where(PriceProtectionClaim.request_key == request_key)
                            .options(selectinload(PriceProtectionClaim.refund)))
    claims = list(rows.scalars())
    if any(claim.order_id != order.id for claim in claims):
        raise KeyReused()
    if claims and sku is not None:
        skus = {item.id: item.sku for item in order.items}
        if any(skus.get(claim.order_item_id) != sku for claim in claims):
            raise KeyReused()
    return claims


def _targets(order: Order, sku: Optional[str]) -> List[OrderItem]:
    """The items a claim is for: the one with `sku`, or all of them."""
    if sku is None:
        return list(order.items)
    chosen = [item for item in order.items if item.sku == sku]
    if not chosen:
        raise Invalid("invalid_request", f"订单 {order.order_no} 中没有商品 {sku}", "sku")
    return chosen


async def claim(db: AsyncSession, order: Order, sku: Optional[str], request_key: str,
                now: datetime, policy: PriceProtectionPolicy
                ) -> Tuple[List[PriceProtectionClaim], bool]:
    """Refund the difference of every eligible item (or the one with `sku`) once, checked under
    the order's lock; (claims, created?). The same key gives back what it made; Conflict with
    the reason, and nothing written, when no item may claim."""
    await lock_order(db, order)
    earlier = await _repeat(db, order, request_key, sku)
    if earlier:
        return earlier, False
    targets = _targets(order, sku)
    (check,) = await check_orders(db, [order], now, policy)
    verdicts = [(c.item.sku, c.verdict) for c in check.items if c.item in targets]
    eligible = [c for c in check.items if c.item in targets and c.verdict.eligible]
    if not eligible:
        raise Conflict(*rules.refusal_of(verdicts))
    made = []
    for item_check in eligible:
        item, verdict = item_check.item, item_check.verdict
        assert verdict.lowest_fen is not None
        refund, _ = await add_refund(db, order, verdict.amount_fen,
                                     f"价保退差价：{item.name}",
                                     f"price-protection:{item.id}", now)
        row, _ = await insert_once(db, PriceProtectionClaim(
            order_id=order.id, order_item_id=item.id, customer_id=order.customer_id,
            paid_unit_fen=item.unit_price_fen, lowest_unit_fen=verdict.lowest_fen,
            quantity=item.quantity, amount_fen=verdict.amount_fen, refund_id=refund.id,
            request_key=request_key, idempotency_key=f"{request_key}#{item.id}",
            created_at=now))
        row.refund = refund
        made.append(row)
    return made, True


async def record_price_change(db: AsyncSession, product: Product, price_fen: int, reason: str,
                              idempotency_key: str, at: datetime) -> Tuple[PriceChange, bool]:
    """Set the product's price from `at` on, once per key (the catalogue price follows the
    newest change); (change, created?)."""
    existing = await by_key(db, PriceChange, idempotency_key)
    if existing is not None:
        if existing.product_id != product.id or existing.price_fen != price_fen:
            raise KeyReused()
        return existing, False
    await db.refresh(product, ["price_fen"], with_for_update=True)
    latest = await db.scalar(select(PriceChange.changed_at)
                             .where(PriceChange.product_id == product.id)
                             .order_by(PriceChange.changed_at.desc()).limit(1))
    change, created = await insert_once(db, PriceChange(
        product_id=product.id, old_price_fen=product.price_fen, price_fen=price_fen,
        reason=reason, idempotency_key=idempotency_key, changed_at=at))
    if created and (latest is None or at >= latest):
        product.price_fen = price_fen
    return change, created


async def price_history(db: AsyncSession, product: Product, since: Optional[datetime],
                        limit: int) -> List[PriceChange]:
    """A product's price changes, newest first (since `since` when given)."""
    stmt = (select(PriceChange).where(PriceChange.product_id == product.id)
            .order_by(PriceChange.changed_at.desc(), PriceChange.id.desc()).limit(limit))
    if since is not None:
        stmt = stmt.where(PriceChange.changed_at >= since)
    return list((await db.execute(stmt)).scalars())
