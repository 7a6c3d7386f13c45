"""Deterministic after-sales demo data (docs/after-sales.md), added to the seed plan: price
changes, return/exchange/repair requests with their steps, e-invoices and an appointment, for
demo customers 1–3 and customer #67 孙悦, who buys large appliances. Every time is relative to
the plan's `now`; nothing here draws from the plan's own random stream, so the rest of the demo
data (and its order numbers) stays as it was."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Dict, List, Optional, Tuple

from crm_backend.core.time import BEIJING
from crm_backend.invoices.rules import invoice_number, uscc_check_char
from crm_backend.seed.catalog import LARGE_PRODUCTS, PRODUCTS
from crm_backend.seed.plan import (RNG_SEED, CustomerSpec, ItemSpec, OrderSpec, SeedPlan,
                                   apply_tiers, build_order)

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)

# Catalogue indices: PRODUCTS first, LARGE_PRODUCTS after them.
MATE_60, FREEBUDS, DOWN_JACKET, ROBOT_VACUUM = 11, 13, 1, 24
FRIDGE, WASHER, AIR_CON = (len(PRODUCTS) + i for i in range(3))

CUSTOMER_SINCE = timedelta(days=620)

# By customer index; the last entry of each is 孙悦's (her index is known once she is added).
EMAILS = ("wangjianguo@example.com", "lina.sh@example.com", "zhangwei@example.com",
          "sunyue@example.com")
COMPANY_TITLES = (("杭州建国商贸有限公司", "91330106MA2B3K7Q0"),
                  ("杭州悦享文化传媒有限公司", "91330108MA27XP9N4"))


@dataclass
class PriceChangeSpec:
    """A product's new price from `at` on."""

    product_index: int
    old_price_fen: int
    price_fen: int
    at: datetime
    reason: str


@dataclass
class AfterSalesSpec:
    """A return, exchange or repair request with its steps (status, time, note)."""

    order: OrderSpec
    product: Optional[int]  # the catalogue index of the item it is about; None: whole order
    kind: str
    reason: str
    steps: List[Tuple[str, datetime, str]]
    reject_reason: Optional[str] = None
    refund_fen: Optional[int] = None
    return_tracking_no: Optional[str] = None
    outbound: Optional[Tuple[str, str]] = None
    number: str = ""


@dataclass
class InvoiceSpec:
    """An order's e-invoice: pending, issued (version 1, sent) or voided."""

    order: OrderSpec
    kind: str
    title: str
    tax_no: Optional[str]
    status: str
    issued_at: Optional[datetime]
    voided_at: Optional[datetime]
    email: Optional[str]


@dataclass
class AppointmentSpec:
    """A booked time for an order."""

    order: OrderSpec
    kind: str
    day: date
    window: str
    booked_at: datetime


@dataclass
class AfterSalesPlan:
    """Everything the after-sales seed writes."""

    price_changes: List[PriceChangeSpec] = field(default_factory=list)
    requests: List[AfterSalesSpec] = field(default_factory=list)
    invoices: List[InvoiceSpec] = field(default_factory=list)
    appointments: List[AppointmentSpec] = field(default_factory=list)


def catalogue_price(index: int) -> int:
    """The catalogue price of a product by its index over PRODUCTS + LARGE_PRODUCTS."""
    return PRODUCTS[index][4] if index < len(PRODUCTS) else LARGE_PRODUCTS[index - len(PRODUCTS)][4]


def _item(index: int, colour: Optional[str] = None, size: Optional[str] = None) -> List[ItemSpec]:
    return [ItemSpec(index, 1, catalogue_price(index), colour, size)]


def tax_no(first17: str) -> str:
    """A 统一社会信用代码 with its check character."""
    return first17 + uscc_check_char(first17)


def _number_after(orders: List[OrderSpec], added: List[OrderSpec]) -> None:
    """Number the added orders after each day's seeded ones (the seeded numbers stay)."""
    per_day: Dict[str, int] = {}
    for order in orders:
        day = order.order_no[2:10]
        per_day[day] = max(per_day.get(day, 0), int(order.order_no[10:]))
    for order in sorted(added, key=lambda o: o.created_at):
        day = order.created_at.astimezone(BEIJING).strftime("%Y%m%d")
        per_day[day] = per_day.get(day, 0) + 1
        order.order_no = f"KF{day}{per_day[day]:04d}"


def _sun_yue_orders(rng: random.Random, plan: SeedPlan, index: int) -> Dict[str, OrderSpec]:
    """孙悦's seven orders: large appliances in every stage, and small things bought earlier."""
    now, customer = plan.now, plan.customers[index]
    shapes = {
        "fridge": (0.4, "pending_shipment", _item(FRIDGE, "星蕴银")),
        "washer": (2.0, "shipped", _item(WASHER, "白色")),
        "air_con": (5.0, "delivered", _item(AIR_CON, "白色")),
        "earbuds": (8.0, "delivered", _item(FREEBUDS, "陶瓷白")),
        "jacket": (18.0, "delivered", _item(DOWN_JACKET, "雾霾蓝", "M")),
        "vacuum": (45.0, "delivered", _item(ROBOT_VACUUM, "白色")),
        "dryer": (12.0, "delivered", _item(27, "紫红色")),
    }
    orders = {}
    for name, (age, status, items) in shapes.items():
        created = now - age * DAY - timedelta(minutes=37)
        orders[name] = build_order(rng, index, customer, created, now, status, items)
    return orders


def _price_changes(now: datetime) -> List[PriceChangeSpec]:
    """Three drops: Mate 60 yesterday, the earbuds three days ago, the down jacket 12 days ago."""
    drops = ((MATE_60, 649900, 1, "双十二预热直降"), (FREEBUDS, 119900, 3, "限时直降"),
             (DOWN_JACKET, 59900, 12, "换季促销"))
    return [PriceChangeSpec(index, catalogue_price(index), price, now - days * DAY - 2 * HOUR,
                            reason) for index, price, days, reason in drops]


def _steps(start: datetime, *steps: Tuple[str, float, str]) -> List[Tuple[str, datetime, str]]:
    """(status, hours after `start`, note) as timed steps."""
    return [(status, start + timedelta(hours=hours), note) for status, hours, note in steps]


def _requests(plan: SeedPlan, by_no: Dict[str, OrderSpec], sun: Dict[str, OrderSpec]
              ) -> List[AfterSalesSpec]:
    """Requests in every stage: 李娜's return being refunded and one rejected, 王建国's robot
    vacuum in repair, 孙悦's jacket exchange waiting to be sent back, her rejected hair-dryer
    return and her repaired vacuum."""
    now = plan.now
    found: List[AfterSalesSpec] = []

    def customer_order(customer: int, status: str, product: int) -> Optional[OrderSpec]:
        return next((o for o in by_no.values() if o.customer_index == customer
                     and o.status == status and any(i.product_index == product for i in o.items)),
                    None)

    refunding = next((o for o in by_no.values() if o.customer_index == 1
                      and o.status == "refunding" and o.delivered_at and o.refund), None)
    if refunding is not None and refunding.refund is not None:
        start = refunding.refund.created_at
        found.append(AfterSalesSpec(
            refunding, None, "return", refunding.refund.reason, _steps(
                start, ("submitted", 0, "退货退款：" + refunding.refund.reason),
                ("approved", 2, "审核通过"), ("awaiting_return", 2, "请寄回商品"),
                ("sent_back", 20, "客户已寄回"), ("received", 44, "仓库已签收，验货通过"),
                ("refunding", 46, "退款处理中")),
            refund_fen=refunding.refund.amount_fen, return_tracking_no="SF1408827716352"))
    sheets = customer_order(1, "delivered", 25)
    if sheets is not None and sheets.delivered_at is not None:
        start = sheets.delivered_at + 5 * DAY
        found.append(AfterSalesSpec(
            sheets, 25, "return", "不喜欢颜色，七天无理由退货", _steps(
                start, ("submitted", 0, "退货退款：不喜欢颜色，七天无理由退货"),
                ("rejected", 20, "驳回：商品已拆封使用且吊牌已剪")),
            reject_reason="商品已拆封使用、吊牌已剪，不符合七天无理由退货条件（需保持商品完好、吊牌齐全）",
            refund_fen=catalogue_price(25)))
    cooker = customer_order(1, "delivered", 20)
    if cooker is not None:
        start = now - 10 * HOUR
        found.append(AfterSalesSpec(cooker, 20, "repair", "煮饭时有焦糊味，底部加热不均匀",
                                    _steps(start, ("submitted", 0, "维修：煮饭时有焦糊味"))))
    vacuum = customer_order(0, "delivered", ROBOT_VACUUM)
    if vacuum is not None:
        start = now - 12 * DAY
        found.append(AfterSalesSpec(
            vacuum, ROBOT_VACUUM, "repair", "扫地时频繁报错“主刷缠绕”，清理后仍然报错", _steps(
                start, ("submitted", 0, "维修：频繁报错“主刷缠绕”"), ("approved", 5, "审核通过"),
                ("awaiting_return", 5, "请寄回检测"), ("sent_back", 26, "客户已寄回"),
                ("received", 70, "售后仓已签收"), ("repairing", 96, "检测为主刷电机故障，更换电机")),
            return_tracking_no="SF1408855320417"))
    jacket = sun["jacket"]
    found.append(AfterSalesSpec(
        jacket, DOWN_JACKET, "exchange", "尺码偏小，想换大一码（L）", _steps(
            now - 3 * DAY, ("submitted", 0, "换货：尺码偏小，换 L 码"), ("approved", 22, "审核通过"),
            ("awaiting_return", 22, "请寄回商品"))))
    dryer = sun["dryer"]
    found.append(AfterSalesSpec(
        dryer, 27, "return", "用了两次，风力变小了", _steps(
            now - 4 * DAY, ("submitted", 0, "退货退款：用了两次，风力变小"),
            ("rejected", 18, "驳回：检测无质量问题")),
        reject_reason="寄回检测风力正常、无质量问题，且商品已使用，不支持无理由退货；可以申请维修或转人工复核",
        refund_fen=catalogue_price(27)))
    vacuum_67 = sun["vacuum"]
    found.append(AfterSalesSpec(
        vacuum_67, ROBOT_VACUUM, "repair", "充不进电，基站指示灯不亮", _steps(
            now - 15 * DAY, ("submitted", 0, "维修：充不进电"), ("approved", 4, "审核通过"),
            ("awaiting_return", 4, "请寄回检测"), ("sent_back", 30, "客户已寄回"),
            ("received", 75, "售后仓已签收"), ("repairing", 80, "更换充电模块"),
            ("repaired_sent", 200, "维修完成，已寄回"), ("completed", 290, "客户已签收")),
        return_tracking_no="YT7701938402265", outbound=("顺丰速运", "SF1409012286604")))
    return found


def _number_requests(requests: List[AfterSalesSpec]) -> None:
    """SH + the Beijing day of the request + a 4-digit sequence of that day."""
    per_day: Dict[str, int] = {}
    for request in sorted(requests, key=lambda r: r.steps[0][1]):
        day = request.steps[0][1].astimezone(BEIJING).strftime("%Y%m%d")
        per_day[day] = per_day.get(day, 0) + 1
        request.number = f"SH{day}{per_day[day]:04d}"


def _invoices(plan: SeedPlan, emails: Dict[int, str],
              companies: Dict[int, Tuple[str, str]]) -> List[InvoiceSpec]:
    """An e-invoice for each paid order of these customers: pending until delivered, issued at
    delivery and sent, voided once refunded; personal, or a company title on the newest
    delivered order of a customer in `companies`."""
    found = []
    company_done = set()
    for order in sorted(plan.orders, key=lambda o: o.created_at, reverse=True):
        index = order.customer_index
        if index not in emails or order.paid_at is None or order.status == "cancelled":
            continue
        kind, title, code = "personal", plan.customers[index].name, None
        if index in companies and index not in company_done and order.delivered_at:
            company_done.add(index)
            kind, (title, first17) = "company", companies[index]
            code = tax_no(first17)
        issued = order.delivered_at + HOUR if order.delivered_at else None
        refunded = order.refund.created_at if order.refund and issued else None
        if issued is None and order.status in ("refunding", "refunded"):
            continue
        status = "voided" if refunded else ("issued" if issued else "pending")
        found.append(InvoiceSpec(order, kind, title, code, status, issued, refunded,
                                 emails[index]))
    return found


def build_after_sales(plan: SeedPlan) -> AfterSalesPlan:
    """Add 孙悦 and her orders to `plan` and return the after-sales data of the demo."""
    rng = random.Random(RNG_SEED + 15)
    plan.customers.append(CustomerSpec(
        name="孙悦", phone="13757186606", birthday=date(1991, 4, 16),
        created_at=plan.now - CUSTOMER_SINCE, address="浙江省杭州市滨江区江南大道88号3幢1502室",
        profile="ordinary", web_account="shop-user-100067"))
    index = len(plan.customers) - 1
    sun = _sun_yue_orders(rng, plan, index)
    _number_after(plan.orders, list(sun.values()))
    plan.orders.extend(sorted(sun.values(), key=lambda o: o.created_at))
    apply_tiers(plan)
    by_no = {o.order_no: o for o in plan.orders}
    extra = AfterSalesPlan(price_changes=_price_changes(plan.now))
    extra.requests = _requests(plan, by_no, sun)
    _number_requests(extra.requests)
    extra.invoices = _invoices(plan, dict(zip((0, 1, 2, index), EMAILS)),
                               dict(zip((0, index), COMPANY_TITLES)))
    washer_day = (plan.now + 5 * DAY).astimezone(BEIJING).date()
    extra.appointments.append(AppointmentSpec(sun["washer"], "delivery", washer_day,
                                              "13:00-18:00", plan.now - 20 * HOUR))
    return extra


def seeded_invoice_number(order_id: int, issued_at: datetime) -> str:
    """The number of a seeded invoice's first version."""
    return invoice_number(order_id, 1, issued_at)
