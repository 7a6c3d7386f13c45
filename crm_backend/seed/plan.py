"""Deterministic demo-data plan: plain records built from a seeded RNG, no I/O."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Dict, List, Optional, Sequence, Tuple

from crm_backend.core.time import BEIJING, beijing_day_end
from crm_backend.loyalty.policy import TierThresholds
from crm_backend.loyalty.rules import DEFAULT_TIER_THRESHOLDS, compute_tier, summarise_orders
from crm_backend.seed.catalog import (BAD_FAITH_REASONS, CARRIERS, CITIES, COURIER_SURNAMES,
                                      GIVEN_NAMES, PHONE_PREFIXES, PRODUCTS, REFUND_REASONS,
                                      SIGN_OFFS, SURNAMES, WAREHOUSES)

RNG_SEED = 20261120


TRACKING_SHAPES = {
    "顺丰速运": ("SF", 13),
    "中通快递": ("78", 12),
    "圆通速递": ("YT", 13),
    "韵达快递": ("43", 13),
    "京东物流": ("JDVA", 11),
    "EMS": ("1", 12),
    "申通快递": ("77", 13),
}


OPENID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


PRICEY_FEN = 100_000


RANDOM_PROFILES = ("key",) * 5 + ("ordinary",) * 32 + ("small",) * 24


EXTRA_BAD_FAITH = 2


SHIPPING_FEE_FEN = 800


FREE_SHIPPING_FROM_FEN = 9900


@dataclass
class ItemSpec:
    """One order line referring to a product by catalogue index."""

    product_index: int
    quantity: int
    unit_price_fen: int
    colour: Optional[str] = None
    size: Optional[str] = None


@dataclass
class EventSpec:
    """One carrier scan."""

    occurred_at: datetime
    location: str
    description: str


@dataclass
class ShipmentSpec:
    """A parcel with its scans, oldest first."""

    carrier: str
    tracking_no: str
    created_at: datetime
    events: List[EventSpec]


@dataclass
class RefundSpec:
    """A refund and its progress."""

    amount_fen: int
    status: str
    reason: str
    created_at: datetime
    updated_at: datetime
    completed_at: Optional[datetime]


@dataclass
class OrderSpec:
    """An order with everything hanging off it."""

    customer_index: int
    status: str
    created_at: datetime
    items: List[ItemSpec]
    shipping_fen: int = 0
    discount_fen: int = 0
    paid_at: Optional[datetime] = None
    shipped_at: Optional[datetime] = None
    delivered_at: Optional[datetime] = None
    cancelled_at: Optional[datetime] = None
    shipment: Optional[ShipmentSpec] = None
    refund: Optional[RefundSpec] = None
    order_no: str = ""

    @property
    def items_total_fen(self) -> int:
        """Sum of the lines."""
        return sum(item.quantity * item.unit_price_fen for item in self.items)

    @property
    def total_fen(self) -> int:
        """Amount the customer pays."""
        return self.items_total_fen + self.shipping_fen - self.discount_fen


@dataclass
class CustomerSpec:
    """A demo customer."""

    name: str
    phone: str
    birthday: date
    created_at: datetime
    address: str
    profile: str
    is_bad_faith: bool = False
    bad_faith_reason: Optional[str] = None
    owner_index: Optional[int] = None
    wechat_openid: Optional[str] = None
    web_account: Optional[str] = None
    tier: str = "small"
    tier_reason: str = ""


@dataclass
class StaffSpec:
    """A staff account (demo password `kefu-demo`)."""

    username: str
    display_name: str
    role: str
    salt: str


@dataclass
class SeedPlan:
    """Everything the seed writes, in insertion order."""

    now: datetime
    staff: List[StaffSpec]
    customers: List[CustomerSpec]
    orders: List[OrderSpec] = field(default_factory=list)


def _digits(rng: random.Random, count: int) -> str:
    """`count` random decimal digits."""
    return "".join(rng.choice("0123456789") for _ in range(count))


def pick_status(rng: random.Random, age_days: float) -> str:
    """A plausible status for an order placed `age_days` before the anchor."""
    if age_days < 1:
        return rng.choice(("pending_payment", "pending_payment", "pending_shipment", "cancelled"))
    if age_days < 3:
        return rng.choice(("pending_shipment", "shipped", "shipped", "cancelled"))
    if age_days < 8:
        return rng.choice(("shipped", "delivered", "delivered", "refunding"))
    if age_days < 45:
        return rng.choices(
            ("delivered", "cancelled", "refunding", "refunded"), weights=(80, 6, 5, 9)
        )[0]
    return rng.choices(("delivered", "cancelled", "refunded"), weights=(84, 7, 9))[0]


def tracking_number(rng: random.Random, carrier: str) -> str:
    """A tracking number in the carrier's usual shape."""
    prefix, length = TRACKING_SHAPES[carrier]
    return prefix + _digits(rng, length)


def tracking_events(
    rng: random.Random,
    address_city: Tuple[str, str, str],
    shipped_at: datetime,
    end_at: datetime,
    delivered: bool,
) -> List[EventSpec]:
    """2-6 scans from the warehouse towards the customer's city, oldest first."""
    city, district, hub = address_city
    origin_city, outlet, origin_hub = rng.choice(WAREHOUSES)
    courier = f"{rng.choice(COURIER_SURNAMES)}师傅"
    courier_phone = rng.choice(PHONE_PREFIXES) + _digits(rng, 8)
    path = [
        (origin_city, f"【{origin_city}】快件已由【{outlet}】揽收"),
        (origin_city, f"快件已到达【{origin_hub}】"),
        (origin_city, f"快件已从【{origin_hub}】发出，下一站【{hub}】"),
        (city, f"快件已到达【{hub}】"),
        (city, f"【{city}】快件已到达【{city[:-1]}{district}营业部】"),
        (city, f"【{city}】快递员正在派送，请保持电话畅通（{courier}，{courier_phone}）"),
    ]
    if origin_hub == hub:
        path = [path[0], path[1], path[4], path[5]]
    if delivered:
        middle = path[1:-1]
        keep = rng.randint(max(1, len(middle) - 2), len(middle))
        chosen = [path[0]] + sorted(rng.sample(middle, keep), key=middle.index) + [path[-1]]
        chosen.append((city, rng.choice(SIGN_OFFS)))
        chosen = chosen[:6]
    else:
        chosen = path[: rng.randint(2, min(5, len(path)))]
    span = (end_at - shipped_at).total_seconds()
    steps = len(chosen)
    times = sorted(rng.uniform(0.02, 0.98) * span for _ in range(steps - 1))
    offsets = [span * 0.01] + times[: steps - 1]
    if delivered:
        offsets[-1] = span
    offsets = sorted(offsets)
    return [
        EventSpec(shipped_at + timedelta(seconds=int(offset)), location, text)
        for offset, (location, text) in zip(offsets, chosen)
    ]


def _whole(delta: timedelta) -> timedelta:
    """Drop sub-second precision so every seeded timestamp is a whole second."""
    return timedelta(seconds=int(delta.total_seconds()))


def _unique(rng: random.Random, taken: set, make) -> str:
    """Draw values from `make(rng)` until one is not in `taken`."""
    while True:
        value = make(rng)
        if value not in taken:
            taken.add(value)
            return value


def _customer(
    rng: random.Random, names: set, phones: set, now: datetime, profile: str
) -> CustomerSpec:
    """A random customer of the given profile."""
    name = _unique(rng, names, lambda r: r.choice(SURNAMES) + r.choice(GIVEN_NAMES))
    phone = _unique(rng, phones, lambda r: r.choice(PHONE_PREFIXES) + _digits(r, 8))
    province, city, districts, streets, _hub = rng.choice(CITIES)
    district, street = rng.choice(districts), rng.choice(streets)
    prefix = city if province == city else province + city
    number, building = rng.randint(1, 999), rng.randint(1, 30)
    floor, room = rng.randint(1, 32), rng.randint(1, 6)
    address = f"{prefix}{district}{street}{number}号{building}幢{floor}0{room}室"
    birthday = date(rng.randint(1965, 2004), rng.randint(1, 12), rng.randint(1, 28))
    created = now - timedelta(days=rng.randint(420, 1500), minutes=rng.randint(0, 1440))
    openid = "o" + "".join(rng.choice(OPENID_ALPHABET) for _ in range(27))
    return CustomerSpec(
        name=name,
        phone=phone,
        birthday=birthday,
        created_at=created,
        address=address,
        profile=profile,
        wechat_openid=openid if rng.random() < 0.7 else None,
    )


def _items(rng: random.Random, profile: str, lines: Optional[int] = None) -> List[ItemSpec]:
    """1-3 order lines; key customers lean towards pricier products."""
    count = lines or rng.choices((1, 2, 3), weights=(60, 30, 10))[0]
    indices = list(range(len(PRODUCTS)))
    pricey = [PRODUCTS[i][4] >= PRICEY_FEN for i in indices]
    if profile == "key":
        weights = [3 if p else 1 for p in pricey]
    else:
        weights = [0.15 if p else 1 for p in pricey]
    chosen: List[int] = []
    while len(chosen) < count:
        index = rng.choices(indices, weights=weights)[0]
        if index not in chosen:
            chosen.append(index)
    items = []
    for index in chosen:
        _sku, _name, _brand, _cat, price, colours, sizes, _desc = PRODUCTS[index]
        items.append(
            ItemSpec(
                product_index=index,
                quantity=rng.choices((1, 2, 3), weights=(80, 15, 5))[0],
                unit_price_fen=price,
                colour=rng.choice(colours) if colours else None,
                size=rng.choice(sizes) if sizes else None,
            )
        )
    return items


def _city_of(address: str) -> Tuple[str, str, str]:
    """(city, district, hub) of a seeded address."""
    for _province, city, districts, _streets, hub in CITIES:
        if city in address:
            district = next(d for d in districts if d in address)
            return city, district, hub
    raise ValueError(f"unknown city in {address}")


def build_order(
    rng: random.Random,
    customer_index: int,
    customer: CustomerSpec,
    created_at: datetime,
    now: datetime,
    status: str,
    items: Optional[List[ItemSpec]] = None,
) -> OrderSpec:
    """An order with consistent milestones, shipment, scans and refund for its status."""
    order = OrderSpec(customer_index, status, created_at, items or _items(rng, customer.profile))
    order.shipping_fen = 0 if order.items_total_fen >= FREE_SHIPPING_FROM_FEN else SHIPPING_FEE_FEN
    if order.items_total_fen >= 30000 and rng.random() < 0.25:
        order.discount_fen = rng.choice((1000, 2000, 3000, 5000))
    if status == "pending_payment":
        return order
    if status == "cancelled":
        order.cancelled_at = created_at + timedelta(minutes=rng.randint(5, 180))
        return order
    order.paid_at = created_at + timedelta(minutes=rng.randint(1, 40))
    ships = status in ("shipped", "delivered") or (
        status in ("refunding", "refunded") and rng.random() < 0.6
    )
    if ships:
        room = (now - order.paid_at).total_seconds()
        delay = _whole(min(timedelta(hours=rng.randint(3, 30)), timedelta(seconds=room * 0.3)))
        order.shipped_at = order.paid_at + delay
        delivered = status != "shipped"
        if delivered:
            transit = timedelta(hours=rng.randint(20, 96))
            cap = timedelta(seconds=(now - order.shipped_at).total_seconds() * 0.8)
            order.delivered_at = order.shipped_at + _whole(min(transit, cap))
        carrier = rng.choice(CARRIERS)
        end = order.delivered_at or now - timedelta(minutes=rng.randint(10, 120))
        order.shipment = ShipmentSpec(
            carrier=carrier,
            tracking_no=tracking_number(rng, carrier),
            created_at=order.shipped_at,
            events=tracking_events(
                rng, _city_of(customer.address), order.shipped_at, end, delivered
            ),
        )
    if status in ("refunding", "refunded"):
        base = order.delivered_at or order.paid_at
        asked = base + _whole(min(timedelta(hours=rng.randint(2, 72)), (now - base) * 0.5))
        done = status == "refunded"
        completed = asked + _whole(min(timedelta(hours=rng.randint(4, 72)), (now - asked) * 0.5))
        order.refund = RefundSpec(
            amount_fen=order.total_fen,
            status="completed" if done else rng.choice(("requested", "approved")),
            reason=rng.choice(REFUND_REASONS),
            created_at=asked,
            updated_at=completed if done else asked,
            completed_at=completed if done else None,
        )
    return order


def _random_orders(
    rng: random.Random, index: int, customer: CustomerSpec, now: datetime
) -> List[OrderSpec]:
    """The order history of a random customer according to its profile."""
    if customer.profile == "key":
        count, max_age = rng.randint(10, 16), 360
    elif customer.profile == "ordinary":
        count, max_age = rng.randint(4, 10), 400
    else:
        count, max_age = rng.choices((0, 1, 2), weights=(25, 50, 25))[0], 600
    orders = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.12:
            age = rng.uniform(0.05, 4)
        elif roll < 0.2:
            age = rng.uniform(4, 12)
        else:
            age = rng.uniform(0.05, max_age)
        created = now - _whole(timedelta(days=age))
        created = max(created, customer.created_at + timedelta(days=1))
        status = pick_status(rng, (now - created).total_seconds() / 86400)
        orders.append(build_order(rng, index, customer, created, now, status))
    return orders


def _special_orders(
    rng: random.Random, customers: Sequence[CustomerSpec], now: datetime
) -> List[OrderSpec]:
    """Hand-shaped histories for the demo customers 1-5 (list indices 0-4)."""
    day = timedelta(days=1)
    orders: List[OrderSpec] = []
    key = customers[0]
    for age in (20, 48, 75, 110, 150, 190, 230, 270, 300, 340):
        created = now - age * day - timedelta(hours=rng.randint(1, 20))
        orders.append(build_order(rng, 0, key, created, now, "delivered"))
    orders.append(build_order(rng, 0, key, now - 130 * day, now, "refunded"))
    phone = [ItemSpec(11, 1, PRODUCTS[11][4], "雅川青")]
    orders.append(build_order(rng, 0, key, now - _whole(2.2 * day), now, "shipped", phone))
    busy = customers[1]
    recent = (
        (0.2, "pending_payment"),
        (0.6, "pending_shipment"),
        (2.5, "shipped"),
        (6, "delivered"),
        (9, "refunding"),
        (14, "delivered"),
    )
    for age, status in recent:
        orders.append(build_order(rng, 1, busy, now - _whole(age * day), now, status))
    small = customers[2]
    shoes = [ItemSpec(9, 1, PRODUCTS[9][4], "白色", "40")]
    orders.append(build_order(rng, 2, small, now - 40 * day, now, "delivered", shoes))
    bad = customers[4]
    for age, status in ((12, "refunded"), (35, "refunded"), (60, "delivered"), (95, "delivered")):
        orders.append(build_order(rng, 4, bad, now - age * day, now, status))
    return orders


def assign_order_numbers(orders: List[OrderSpec]) -> List[OrderSpec]:
    """Sort by creation and number as KF + Beijing date + 4-digit daily sequence."""
    ordered = sorted(orders, key=lambda o: (o.created_at, o.customer_index))
    per_day: Dict[str, int] = {}
    for order in ordered:
        day = order.created_at.astimezone(BEIJING).strftime("%Y%m%d")
        per_day[day] = per_day.get(day, 0) + 1
        order.order_no = f"KF{day}{per_day[day]:04d}"
    return ordered


def apply_tiers(plan: SeedPlan, thresholds: TierThresholds = DEFAULT_TIER_THRESHOLDS) -> None:
    """Grade every customer from its seeded orders with the tier rule."""
    history: Dict[int, List[Tuple[str, int, datetime]]] = {}
    for order in plan.orders:
        entry = (order.status, order.total_fen, order.created_at)
        history.setdefault(order.customer_index, []).append(entry)
    for index, customer in enumerate(plan.customers):
        orders = history.get(index, [])
        spent, count, last = summarise_orders(orders, plan.now, thresholds.window_days)
        customer.tier, customer.tier_reason = compute_tier(spent, count, last, plan.now, thresholds)


def build_plan(anchor: date) -> SeedPlan:
    """The complete, deterministic demo data set whose timeline ends on `anchor` (Beijing)."""
    rng = random.Random(RNG_SEED)
    now = beijing_day_end(anchor) - timedelta(hours=6)
    staff = [
        StaffSpec("xiaomei", "客服小美", "agent", "s1-" + str(rng.getrandbits(32))),
        StaffSpec("xiaowang", "客服小王", "agent", "s2-" + str(rng.getrandbits(32))),
        StaffSpec("chenjl", "陈经理", "manager", "s3-" + str(rng.getrandbits(32))),
    ]
    names: set = set()
    phones: set = set()
    special = [
        ("王建国", "13857461234", "key"),
        ("李娜", "13916682468", "ordinary"),
        ("张伟", "15067213579", "small"),
        ("刘洋", "18658020011", "small"),
        ("赵磊", "13705719090", "ordinary"),
    ]
    customers: List[CustomerSpec] = []
    for name, phone, profile in special:
        spec = _customer(rng, names, phones, now, profile)
        names.discard(spec.name)
        phones.discard(spec.phone)
        spec.name, spec.phone = name, phone
        names.add(name)
        phones.add(phone)
        customers.append(spec)
    customers[0].owner_index = 2
    customers[0].web_account = "shop-user-100001"
    customers[1].web_account = "shop-user-100002"
    customers[4].is_bad_faith, customers[4].bad_faith_reason = True, BAD_FAITH_REASONS[0]
    profiles = list(RANDOM_PROFILES)
    rng.shuffle(profiles)
    for profile in profiles:
        customers.append(_customer(rng, names, phones, now, profile))
    for spec in rng.sample(customers[5:], EXTRA_BAD_FAITH):
        spec.is_bad_faith, spec.bad_faith_reason = True, BAD_FAITH_REASONS[1]
    for index, spec in enumerate(customers):
        if spec.profile == "key" and spec.owner_index is None:
            spec.owner_index = index % 2
    orders = _special_orders(rng, customers, now)
    for index in range(5, len(customers)):
        orders.extend(_random_orders(rng, index, customers[index], now))
    plan = SeedPlan(now=now, staff=staff, customers=customers, orders=assign_order_numbers(orders))
    apply_tiers(plan)
    return plan
