"""A large history for the managers' pages, decided by one seeded generator: customers and their
orders, conversations with every message, complaints through the four steps with the remedies
they created, handoffs with their times and CSAT, follow-ups, satisfaction answers, win-back
attempts and risk flags.

Times are naive UTC (as stored) and spread over two years before a fixed reference time, busier
towards it and by day than by night. Whatever would happen after the reference time has not
happened yet: a handoff opened a few minutes before it is still waiting, a follow-up due next
week is still scheduled. The same seed gives the same rows on every database.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from crm_backend.complaints.rules import CATEGORY_LABELS, SEVERITY_LABELS
from crm_backend.core.money import fen_to_yuan
from crm_backend.core.time import BEIJING
from crm_backend.core.vocabulary import TIER_LABELS
from crm_backend.loyalty.policy import RewardsPolicy
from crm_backend.risk.policy import RiskPolicy
from crm_backend.risk.rules import (RiskFacts, assess, silence_after_regular_buying,
                                    strong_negative_emotion)
from crm_backend.seed.catalog import CITIES, GIVEN_NAMES, PHONE_PREFIXES, SURNAMES
from crm_backend.winback.rules import decide_winback

# "Now" for the generated history and for the speed bench's server.
REFERENCE = datetime(2026, 12, 1, 18, 0, tzinfo=BEIJING)


SPAN_DAYS = 730


MANAGER_USERNAME = "bench-manager"


MANAGER_PASSWORD = "bench-manager-password-14"


REF = REFERENCE.astimezone(timezone.utc).replace(tzinfo=None)


START = REF - timedelta(days=SPAN_DAYS)


# Beijing hours of the day, weighted by how busy the shop's customer service is.
HOUR_WEIGHTS = (1, 1, 0, 0, 0, 0, 1, 2, 4, 6, 7, 7, 6, 6, 7, 7, 6, 6, 6, 7, 8, 8, 6, 3)


HOUR_CUMULATIVE = tuple(sum(HOUR_WEIGHTS[:i + 1]) for i in range(24))


PRODUCTS = ("连衣裙", "羽绒服", "运动鞋", "蓝牙耳机", "保温杯", "电饭煲", "面膜", "洗发水", "儿童书包",
            "床上四件套", "空气炸锅", "手机壳", "牛仔裤", "毛衣", "扫地机器人", "电动牙刷", "行李箱",
            "护手霜", "茶叶礼盒", "瑜伽垫")


DEFECTS = ("线头很多", "开胶了", "有一股很重的异味", "洗一次就掉色", "按键失灵", "充不进电", "拉链坏了",
           "表面有裂缝", "尺寸和描述不一样", "用了两次就坏了")


COMPLAINT_WORDS: Dict[str, Tuple[str, ...]] = {
    "product_quality": ("收到的{p}有质量问题，{d}", "{p}才用了{n}天就坏了", "{p}做工太差了，{d}",
                        "质量这么差还卖这么贵？{p}{d}"),
    "wrong_or_missing": ("我买的是黑色的{p}，发来的却是白色的", "少发了一件{p}", "尺码发错了，我要的是L码",
                         "包裹里只有{n}件，订单是{m}件"),
    "delivery": ("快递{n}天了还没到，{p}什么时候能收到", "物流信息{n}天没更新了", "包装破损，{p}被压坏了",
                 "快递员没打电话就放驿站了", "说好的次日达，结果等了一周"),
    "service_attitude": ("客服态度太差了，问了三遍都不回答", "你们客服一直踢皮球", "打电话没人接，在线也不回"),
    "price": ("刚买完{p}就降价{n}元", "同样的{p}别家便宜{n}块", "优惠券用不了，多付了钱"),
    "after_sales": ("申请退货{n}天了没人处理", "退款一直不到账", "换货寄回去了一直没消息"),
    "other": ("发票一直没开", "会员积分不见了", "账号被莫名其妙登出了"),
}


ANGRY_TAILS = ("太过分了！！！", "气死我了", "真的很失望", "我要去12315投诉", "再这样我就曝光你们", "垃圾服务😡")


CHURN_WORDS = ("再也不买了", "我要注销账号", "以后去别家买了", "太失望了，不会再来了", "换别家了，拜拜")


CHAT_QUESTIONS = ("我的快递到哪了", "这个有货吗", "怎么修改收货地址", "可以开发票吗", "会员有什么权益",
                  "优惠券怎么用", "退货流程是什么", "什么时候发货", "能便宜一点吗", "积分怎么兑换")


CHAT_ANSWERS = ("您的包裹正在派送中，预计明天送达。", "这款商品目前有货，下单后48小时内发货。",
                "未发货的订单可以在订单详情里修改地址，我也可以帮您改。", "可以的，订单完成后可以在订单页申请电子发票。",
                "会员可以享受积分抵现、生日礼和专属客服。", "优惠券在结算页自动抵扣，满足门槛即可使用。",
                "签收7天内可以申请无理由退货，我把流程发给您。", "现货商品一般当天或次日发货。",
                "目前的价格已经是活动价了，下单还能用积分抵扣。", "积分可以在会员中心兑换优惠券。")


SMALL_TALK = ("好的", "谢谢", "嗯嗯", "知道了", "你好", "在吗", "明白了", "行吧")


BOT_FILLERS = ("好的，还有其他可以帮您的吗？", "不客气，祝您购物愉快！", "您好，请问有什么可以帮您？",
               "我在的，请说。", "收到，我帮您查一下。")


AGENT_LINES = ("您好，我是人工客服{name}，很高兴为您服务。", "我看一下您的订单，请稍等。", "已经帮您核实了，确实是我们的问题。",
               "非常抱歉给您带来不好的体验。", "我已经帮您加急处理了。", "您看这样处理可以吗？", "还有其他问题吗？",
               "好的，有问题随时联系我们。")


CUSTOMER_TO_AGENT = ("我等了好久了", "那要多久才能处理好？", "好吧", "可以", "我希望尽快解决", "你们能保证吗",
                     "行，那就这样吧", "谢谢你")


REFUSALS = ("金额太少了", "我要全额退款", "我不要优惠券", "我要换新的")


@dataclass
class Customer:
    """A generated customer with what later steps need to know."""

    id: int
    name: str
    phone: str
    tier: str
    bad_faith: bool
    created_at: datetime
    address: str
    openid: Optional[str]
    web_id: Optional[str]
    order_times: List[datetime]
    order_ids: List[int]


@dataclass
class Sizes:
    """How much history to build."""

    complaints: int = 100_000
    messages: int = 1_000_000

    @property
    def customers(self) -> int:
        return max(50, self.complaints // 5)


Message = Tuple[datetime, str, str, str, str, Optional[int], Optional[dict], Optional[list]]


class TooFewMessages(ValueError):
    """The complaints' own conversations need more messages than asked for."""


def _beijing_day(moment: datetime) -> date:
    return (moment + timedelta(hours=8)).date()


def _iso(moment: datetime) -> str:
    """Beijing ISO text of a naive UTC time (as the CRM writes into JSON)."""
    return moment.replace(tzinfo=timezone.utc).astimezone(BEIJING).isoformat(timespec="seconds")


class History:
    """Builds the rows table by table (parents first); `tables()` yields them."""

    def __init__(self, sizes: Sizes, seed: int, rewards: RewardsPolicy, risk: RiskPolicy) -> None:
        self.sizes, self.rng, self.rewards, self.risk = sizes, random.Random(seed), rewards, risk
        self.rows: Dict[str, List[Dict[str, Any]]] = {}
        self.messages: List[Message] = []
        self.events: List[Tuple[int, int, datetime, str, str, Optional[int]]] = []
        self.day_orders: Dict[date, int] = {}
        self.bound: set = set()
        self.browsers: Dict[int, List[str]] = {}
        self.emotions: Dict[int, List[datetime]] = {}
        self.churn: Dict[int, List[Tuple[datetime, str]]] = {}
        self.lowest: Dict[int, List[Tuple[datetime, int]]] = {}

    # ----- small helpers -------------------------------------------------------------------
    def _add(self, table: str, row: Dict[str, Any]) -> Dict[str, Any]:
        rows = self.rows.setdefault(table, [])
        row.setdefault("id", len(rows) + 1)
        rows.append(row)
        return row

    def _moment(self, earliest: datetime = START, latest: datetime = REF) -> datetime:
        """A time between the bounds, busier towards the reference time and by day."""
        rng = self.rng
        span = (latest - earliest).total_seconds()
        for _ in range(20):
            u = rng.random() if rng.random() < 0.5 else rng.random() ** 0.5
            day = earliest + timedelta(seconds=span * u)
            local = day + timedelta(hours=8)
            midnight = datetime(local.year, local.month, local.day) - timedelta(hours=8)
            hour = rng.choices(range(24), cum_weights=HOUR_CUMULATIVE)[0]
            moment = midnight + timedelta(hours=hour, seconds=rng.randrange(3600))
            if earliest <= moment <= latest:
                return moment
        return earliest + timedelta(seconds=span * rng.random())

    def _gap(self, low: float, high: float) -> timedelta:
        return timedelta(seconds=self.rng.uniform(low, high))

    def _say(self, at: datetime, conversation: str, channel: str, author: str, text: str,
             staff: Optional[int] = None, handoff: Optional[dict] = None,
             buttons: Optional[list] = None) -> bool:
        """Keep one message unless it lies after the reference time (then it did not happen)."""
        if at > REF:
            return False
        self.messages.append((at, conversation, channel, author, text, staff, handoff, buttons))
        return True

    def _bind(self, conversation: str, customer: Customer, at: datetime) -> None:
        """A web conversation proven to be the customer's (by an order number)."""
        if conversation.startswith("web-") and conversation not in self.bound:
            self.bound.add(conversation)
            self._add("conversation_bindings", {
                "conversation_id": conversation, "customer_id": customer.id,
                "order_no": self.order_no_of(customer) or "KF000000000000", "bound_at": at,
                "expires_at": at + timedelta(hours=2)})

    def order_no_of(self, customer: Customer) -> Optional[str]:
        return (self.rows["orders"][customer.order_ids[-1] - 1]["order_no"]
                if customer.order_ids else None)

    def _conversation(self, customer: Optional[Customer]) -> Tuple[str, str]:
        """(conversation id, channel) of a new session: a WeChat customer's OpenID (one
        conversation for ever), the web widget's id kept in one of the customer's browsers (one
        to three), or a new visitor's."""
        rng = self.rng
        if customer is not None and customer.openid and rng.random() < 0.6:
            return customer.openid, "wechat"
        if customer is None:
            return f"web-{rng.getrandbits(64):016x}", "web"
        browsers = self.browsers.setdefault(customer.id, [])
        if not browsers or (len(browsers) < 3 and rng.random() < 0.05):
            browsers.append(f"web-{rng.getrandbits(64):016x}")
        return (browsers[-1] if rng.random() < 0.8 else rng.choice(browsers)), "web"

    # ----- people ----------------------------------------------------------------------------
    def staff(self, manager_hash: str, agent_hash: str) -> None:
        """Two managers (one the bench logs in as) and fourteen agents."""
        created = START - timedelta(days=30)
        self._add("staff_users", {"username": MANAGER_USERNAME, "display_name": "陈经理",
                                  "role": "manager", "password_hash": manager_hash,
                                  "created_at": created, "failed_logins": 0})
        self._add("staff_users", {"username": "bench-manager-2", "display_name": "刘主管",
                                  "role": "manager", "password_hash": agent_hash,
                                  "created_at": created, "failed_logins": 0})
        for index, name in enumerate("小周 小吴 小郑 小王 小冯 小陈 小褚 小卫 小蒋 小沈 小韩 小杨 小朱 小秦".split()):
            self._add("staff_users", {
                "username": f"bench-agent-{index + 1}", "display_name": f"客服{name}",
                "role": "agent", "password_hash": agent_hash, "created_at": created,
                "failed_logins": 0,
                "disabled_at": REF - timedelta(days=40) if index == 13 else None})
        self.agents = [s["id"] for s in self.rows["staff_users"] if s["role"] == "agent"][:13]
        self.staff_names = {s["id"]: s["display_name"] for s in self.rows["staff_users"]}

    def customers(self) -> None:
        rng = self.rng
        people = []
        for _ in range(self.sizes.customers):
            tier = rng.choices(("key", "ordinary", "small"), (5, 30, 65))[0]
            province, city, districts, streets, _hub = rng.choice(CITIES)
            address = (f"{city if province == city else province + city}{rng.choice(districts)}"
                       f"{rng.choice(streets)}{rng.randint(1, 999)}号")
            people.append((START - timedelta(days=rng.uniform(1, 300)) if rng.random() < 0.4
                           else self._moment(START, REF - timedelta(days=20)),
                           tier, rng.random() < 0.015, address))
        people.sort(key=lambda p: p[0])
        self.people: List[Customer] = []
        for index, (created, tier, bad, address) in enumerate(people, start=1):
            name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
            phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            openid = ("o" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789")
                                    for _ in range(27))) if rng.random() < 0.65 else None
            web_id = f"web-user-{index:07d}" if rng.random() < 0.45 else None
            customer = Customer(index, name, phone, tier, bad, created, address, openid, web_id,
                                [], [])
            self.people.append(customer)
            self._add("customers", {
                "id": index, "name": name, "phone": phone, "tier": tier,
                "tier_reason": f"近一年消费约¥{rng.randint(100, 50000)}",
                "tier_computed_at": REF - timedelta(days=1), "is_bad_faith": bad,
                "bad_faith_reason": "多次恶意索赔" if bad else None,
                "bad_faith_marked_by": "刘主管" if bad else None,
                "bad_faith_marked_at": created + timedelta(days=30) if bad else None,
                "owner_staff_id": rng.choice(self.agents) if tier == "key" and rng.random() < 0.5 else None,
                "birthday": date(rng.randint(1965, 2004), rng.randint(1, 12), rng.randint(1, 28)),
                "created_at": created})
            for channel, external in (("wechat", openid), ("web", web_id)):
                if external:
                    self._add("channel_identities", {
                        "customer_id": index, "channel": channel, "external_id": external,
                        "created_at": created, "unsubscribed_at": None})

    def _order_no(self, moment: datetime) -> str:
        day = _beijing_day(moment)
        self.day_orders[day] = self.day_orders.get(day, 0) + 1
        return f"KF{day:%Y%m%d}{self.day_orders[day]:04d}"

    def orders(self) -> None:
        rng = self.rng
        planned = []
        for customer in self.people:
            count = {"key": rng.randint(8, 30), "ordinary": rng.randint(2, 12),
                     "small": rng.randint(0, 4)}[customer.tier]
            first = max(customer.created_at, START)
            last = REF - (timedelta(days=rng.uniform(70, 250)) if rng.random() < 0.12 else timedelta())
            if last <= first:
                last = REF
            for _ in range(count):
                planned.append((self._moment(first, last), customer))
        planned.sort(key=lambda p: p[0])
        for created, customer in planned:
            age = (REF - created).days
            status = (rng.choices(("delivered", "cancelled"), (94, 6))[0] if age > 10 else
                      rng.choice(("delivered", "shipped")) if age > 3 else
                      rng.choice(("pending_payment", "pending_shipment", "shipped")))
            items = rng.randint(39, 2999) * 100
            shipping = 0 if items >= 9900 else 800
            discount = rng.choice((0, 0, 0, 500, 1000, 2000))
            paid = None if status == "pending_payment" else created + self._gap(30, 1800)
            shipped = created + timedelta(days=1) if status in ("shipped", "delivered") else None
            order = self._add("orders", {
                "order_no": self._order_no(created), "customer_id": customer.id, "status": status,
                "items_total_fen": items, "shipping_fen": shipping, "discount_fen": discount,
                "total_fen": items + shipping - discount, "receiver_name": customer.name,
                "receiver_phone": customer.phone, "address": customer.address,
                "created_at": created, "paid_at": paid, "shipped_at": shipped,
                "delivered_at": (created + timedelta(days=rng.randint(2, 5))
                                 if status == "delivered" else None),
                "cancelled_at": created + self._gap(600, 7200) if status == "cancelled" else None,
                "delivery_time": None})
            customer.order_times.append(created)
            customer.order_ids.append(order["id"])

    # ----- handoffs ------------------------------------------------------------------------------
    def _handoff(self, start: datetime, conversation: str, channel: str,
                 customer: Optional[Customer], reason: str, complaint: Optional[dict] = None,
                 turns: Optional[int] = None, expire: Optional[bool] = None,
                 severity: Optional[str] = None) -> Tuple[dict, Optional[datetime]]:
        """A handoff from `start`: queued, claimed, answered by a person and closed or handed
        back (then perhaps scored), or expired; (row, when it ended or None)."""
        rng = self.rng
        priority = 2 if customer is not None and customer.tier == "key" else (
            1 if severity == "high" else 0)
        row = self._add("handoffs", {
            "conversation_id": conversation, "customer_id": customer.id if customer else None,
            "reason": reason, "priority": priority, "status": "waiting",
            "complaint_id": complaint["id"] if complaint else None, "created_at": start,
            "idempotency_key": None})
        expire = rng.random() < 0.06 if expire is None else expire
        if expire:
            ended = start + timedelta(minutes=15)
            if ended > REF:
                return row, None
            row.update(status="expired", closed_at=ended,
                       resolution_note="排队超时无人接入，已登记回电，会话交还机器人")
            self._say(ended, conversation, channel, "bot",
                      "抱歉，现在人工客服都在忙，已为您登记回电，稍后会有专人联系您。")
            self._add("notifications", {
                "recipient_staff_id": None, "customer_id": customer.id if customer else None,
                "kind": "callback", "conversation_id": conversation, "status": "unread",
                "created_at": ended,
                "message": f"回电登记：转人工 #{row['id']}（{reason}）排队超时无人接入，请尽快联系客户"})
            return row, ended
        wait = min(rng.lognormvariate(4.5, 1.0), 1800)
        assigned = start + timedelta(seconds=wait)
        if assigned > REF:
            return row, None
        agent = rng.choice(self.agents)
        row.update(status="assigned", assigned_staff_id=agent, assigned_at=assigned)
        first = assigned + self._gap(5, 120)
        turns = turns if turns is not None else rng.randint(3, 10)
        at = first
        name = self.staff_names[agent]
        for index in range(turns):
            if index % 2 == 0:
                text = rng.choice(AGENT_LINES).format(name=name)
                if index == 0:
                    text = AGENT_LINES[0].format(name=name)
                if not self._say(at, conversation, channel, "agent", text, agent, row):
                    return row, None
                if index == 0:
                    row["first_response_at"] = at
            elif not self._say(at, conversation, channel, "customer", rng.choice(CUSTOMER_TO_AGENT)):
                return row, None
            at += self._gap(10, 150)
        ended = at + self._gap(30, 300)
        if ended > REF:
            return row, None
        back = rng.random() < 0.6
        row.update(status="closed", closed_at=ended, handed_back_at=ended if back else None,
                   resolution_note=rng.choice((None, "已处理", "已安抚并登记", "已给出方案")))
        if back:
            self._say(ended, conversation, channel, "bot", "人工服务已结束，请为本次服务打分（1-5分）。")
            if rng.random() < 0.55:
                score = rng.choices((1, 2, 3, 4, 5), (5, 7, 13, 30, 45))[0]
                answered = ended + self._gap(20, 240)
                if self._say(answered, conversation, channel, "customer", str(score)):
                    row.update(csat_score=score, csat_at=answered)
        return row, ended

    # ----- complaints ----------------------------------------------------------------------------
    def complaints(self) -> None:
        rng = self.rng
        weights = [rng.lognormvariate(0, 0.9) * (1.5 if c.tier == "key" else 1.0)
                   * (REF - max(c.created_at, START)).days / SPAN_DAYS for c in self.people]
        picks = rng.choices(self.people, weights, k=self.sizes.complaints)
        planned = []
        for customer in picks:
            first = max(customer.created_at, START) + timedelta(hours=1)
            planned.append((self._moment(first, REF - timedelta(minutes=5)), customer))
        planned.sort(key=lambda p: p[0])
        day_numbers: Dict[date, int] = {}
        self.long_transcripts = set(rng.sample(range(len(planned)), max(1, len(planned) // 500)))
        for index, (created, customer) in enumerate(planned):
            day = _beijing_day(created)
            day_numbers[day] = day_numbers.get(day, 0) + 1
            self._complaint(index, f"TS{day:%Y%m%d}{day_numbers[day]:04d}", created, customer)

    def _event(self, complaint: dict, step: int, at: datetime, note: str, actor: str,
               staff: Optional[int] = None) -> None:
        self.events.append((complaint["id"], step, at, note, actor, staff))
        complaint["current_step"] = max(complaint["current_step"], step)
        complaint["updated_at"] = max(complaint["updated_at"], at)

    def _remedy(self, category: str, severity: str, order: Optional[dict]) -> Dict[str, Any]:
        """One remedy option as the policy would offer it (money in fen)."""
        rng = self.rng
        kinds = {"product_quality": ("refund", "resend", "coupon"),
                 "wrong_or_missing": ("resend", "refund"), "delivery": ("coupon", "points", "refund"),
                 "service_attitude": ("coupon", "points"), "price": ("price_difference", "coupon"),
                 "after_sales": ("refund", "coupon"), "other": ("points", "coupon")}[category]
        kind = rng.choice(kinds)
        if kind in ("refund", "resend", "price_difference") and order is None:
            kind = "coupon"
        if severity == "high" and rng.random() < 0.25:
            kind = "escalate"
        remedy = {"key": kind, "kind": kind, "due_days": rng.choice((1, 2, 3)), "percent": 0,
                  "value_fen": 0, "min_spend_fen": 0, "valid_days": 0, "points": 0}
        if kind == "refund":
            remedy["percent"] = rng.choice((100, 100, 50, 30))
        elif kind == "price_difference":
            remedy["percent"] = rng.choice((10, 20))
        elif kind == "coupon":
            remedy.update(value_fen=rng.choice((1000, 2000, 3000, 5000)),
                          min_spend_fen=rng.choice((0, 5000, 9900)), valid_days=30)
        elif kind == "points":
            remedy["points"] = rng.choice((100, 200, 500))
        return remedy

    @staticmethod
    def _title(remedy: Dict[str, Any]) -> str:
        if remedy["kind"] == "refund":
            return "全额退款" if remedy["percent"] >= 100 else f"部分退款（{remedy['percent']}%）"
        return {"resend": "补发同款", "coupon": "补偿优惠券", "points": "补偿积分",
                "price_difference": "退还差价", "escalate": "专人处理"}[remedy["kind"]]

    def _carry_out(self, complaint: dict, customer: Customer, order: Optional[dict],
                   remedy: Dict[str, Any], amount: Optional[int], at: datetime) -> Dict[str, Any]:
        """The records the accepted remedy created, and its public description."""
        number, kind = complaint["number"], remedy["kind"]
        public: Dict[str, Any] = {"kind": kind}
        if kind in ("refund", "price_difference") and order is not None:
            refund = self._add("refunds", {
                "order_id": order["id"], "amount_fen": amount or 0,
                "status": "completed" if at < REF - timedelta(days=3) else "approved",
                "reason": f"投诉 {number}：{self._title(remedy)}",
                "idempotency_key": f"complaint:{number}:refund", "created_at": at,
                "updated_at": at,
                "completed_at": at + timedelta(days=2) if at < REF - timedelta(days=3) else None})
            public["refund"] = {"id": refund["id"], "order_no": order["order_no"],
                                "amount_yuan": fen_to_yuan(refund["amount_fen"]),
                                "status": "approved", "status_label": "退款处理中"}
            summary = f"已为您提交退款 ¥{fen_to_yuan(amount or 0)}，预计{remedy['due_days']}个工作日内原路退回您的付款账户"
        elif kind == "resend" and order is not None:
            copy = self._add("orders", {
                "order_no": self._order_no(at), "customer_id": customer.id,
                "status": "delivered" if at < REF - timedelta(days=5) else "pending_shipment",
                "items_total_fen": 0, "shipping_fen": 0, "discount_fen": 0, "total_fen": 0,
                "receiver_name": order["receiver_name"], "receiver_phone": order["receiver_phone"],
                "address": order["address"], "created_at": at, "paid_at": at})
            public["resend_order_no"] = copy["order_no"]
            summary = f"已为您创建补发订单 {copy['order_no']}，预计{remedy['due_days']}天内发出"
        elif kind == "coupon":
            code = f"BC{complaint['id']:010d}"
            self._add("coupons", {
                "customer_id": customer.id, "code": code, "value_fen": remedy["value_fen"],
                "min_spend_fen": remedy["min_spend_fen"],
                "status": self.rng.choice(("active", "used", "used")) if at < REF - timedelta(days=30) else "active",
                "reason": f"投诉 {number} 补偿", "idempotency_key": f"complaint:{number}:coupon",
                "expires_at": at + timedelta(days=30), "created_at": at})
            public["coupon"] = {"code": code, "value_yuan": fen_to_yuan(remedy["value_fen"]),
                                "min_spend_yuan": fen_to_yuan(remedy["min_spend_fen"]),
                                "expires_at": _iso(at + timedelta(days=30))}
            summary = f"已向您的账户发放 ¥{fen_to_yuan(remedy['value_fen'])} 优惠券（{code}）"
        elif kind == "points":
            entry = self._add("points_entries", {
                "customer_id": customer.id, "delta": remedy["points"], "reason": f"投诉 {number} 补偿",
                "source": "complaint", "idempotency_key": f"complaint:{number}:points",
                "expires_at": at + timedelta(days=365), "created_at": at})
            public["points"] = {"points": remedy["points"], "entry_id": entry["id"]}
            summary = f"已向您的账户发放 {remedy['points']} 积分"
        else:
            summary = "已转交专人客服处理，将在24小时内联系您"
        public["summary"] = summary
        public["executed_at"] = _iso(at)
        return public

    def _complaint(self, index: int, number: str, created: datetime, customer: Customer) -> None:
        rng = self.rng
        category = rng.choices(tuple(COMPLAINT_WORDS), (25, 15, 25, 8, 10, 12, 5))[0]
        severity = rng.choices(("low", "medium", "high"), (50, 35, 15))[0]
        at_order = bisect.bisect_left(customer.order_times, created) - 1
        order = (self.rows["orders"][customer.order_ids[at_order] - 1]
                 if at_order >= 0 and created - customer.order_times[at_order] < timedelta(days=90)
                 and rng.random() < 0.85 else None)
        conversation, channel = self._conversation(customer)
        product = rng.choice(PRODUCTS)
        words = [rng.choice(COMPLAINT_WORDS[category]).format(
            p=product, d=rng.choice(DEFECTS), n=rng.randint(2, 9), m=rng.randint(3, 6))
            for _ in range(rng.choice((1, 1, 2)))]
        if rng.random() < 0.12:
            words.append(rng.choice(ANGRY_TAILS))
        expectation = rng.choice((None, None, "退款", "换货/补发", "补偿", "道歉"))
        complaint = self._add("complaints", {
            "number": number, "customer_id": customer.id, "order_id": order["id"] if order else None,
            "customer_tier": customer.tier, "category": category, "severity": severity,
            "customer_words": "\n".join(words), "expectation": expectation, "status": "open",
            "current_step": 1, "channel": channel, "conversation_id": conversation,
            "created_at": created, "updated_at": created, "idempotency_key": None})
        if strong_negative_emotion(words):
            self.emotions.setdefault(customer.id, []).append(created)
        self._bind(conversation, customer, created)
        vented = created - self._gap(20, 240)
        at = vented
        for word in words:
            self._say(at, conversation, channel, "customer", word)
            at += self._gap(5, 40)
        self._event(complaint, 1, vented, f"客户陈述{len(words)}条：{words[0][:100]}", "customer")
        label = CATEGORY_LABELS[category]
        self._event(complaint, 2, created, f"登记投诉：{label}，{SEVERITY_LABELS[severity]}"
                    f"{'，订单 ' + order['order_no'] if order else ''}"
                    f"{'，诉求：' + expectation if expectation else ''}", "bot")
        self._say(created, conversation, channel, "bot",
                  f"非常抱歉给您带来不便，已为您登记投诉，编号 {number}。")
        path = rng.choices("AFEBCD", (68, 3, 5, 8, 10, 6))[0]
        if path == "F":
            return
        remedy = self._remedy(category, severity, order)
        if path == "D":
            remedy = {**remedy, "key": "escalate", "kind": "escalate"}
        elif remedy["kind"] == "escalate":
            path = "D"
        total = order["total_fen"] if order else None
        amount = (total * remedy["percent"] // 100 if remedy["kind"] in ("refund", "price_difference")
                  and total else None)
        proposed = created + self._gap(20, 180)
        if proposed > REF:
            return
        title = self._title(remedy)
        public = {"kind": remedy["kind"], "title": title, "due_days": remedy["due_days"],
                  "description": f"{title}，预计{remedy['due_days']}天内完成"}
        if amount is not None:
            public["amount_yuan"] = fen_to_yuan(amount)
        complaint["remedy_offered"] = {
            "options": [remedy], "tier_used": customer.tier, "bad_faith_used": customer.bad_faith,
            "repeat_used": 0, "max_alternatives": 1, "order_total_fen": total,
            "offers": [{"remedy": remedy, "amount_fen": amount, "public": public,
                        "offered_at": _iso(proposed)}]}
        complaint["status"] = "remedy_proposed"
        self._event(complaint, 3, proposed, f"提出方案：{title}——{public['description']}", "bot")
        self._say(proposed, conversation, channel, "bot",
                  f"为您提供以下方案：{title}——{public['description']}。您看可以吗？",
                  buttons=[{"title": "接受", "payload": "/affirm"},
                           {"title": "不接受", "payload": "/deny"}])
        if path == "E":
            return
        answered = proposed + self._gap(15, 600)
        if answered > REF:
            return
        long = index in self.long_transcripts
        if path == "C":
            why = rng.choice(REFUSALS)
            self._say(answered, conversation, channel, "customer", f"不行，{why}")
            complaint.update(status="handed_off", remedy_accepted=False)
            self._event(complaint, 3, answered, f"客户不接受方案：{why}，已转人工客服", "customer")
            self._person_closes(complaint, customer, answered, conversation, channel,
                                f"投诉 {number}：客户不接受方案（{why}）", severity, long)
            return
        self._say(answered, conversation, channel, "customer", rng.choice(("可以", "好的，接受", "行")))
        execution = self._carry_out(complaint, customer, order, remedy, amount, answered)
        complaint.update(remedy_accepted=True, remedy_executed_at=answered,
                         remedy_execution={"public": execution,
                                           "idempotency_key": f"bench-{complaint['id']}"},
                         status="handed_off" if path == "D" else "awaiting_follow_up")
        self._event(complaint, 3, answered, f"客户接受方案，已执行：{execution['summary']}", "bot")
        self._say(answered + self._gap(1, 5), conversation, channel, "bot",
                  f"好的，{execution['summary']}。")
        if path == "D":
            self._person_closes(complaint, customer, answered, conversation, channel,
                                f"投诉 {number} 需专人处理", severity, long)
            return
        self._follow_up(complaint, customer, conversation, channel, answered,
                        remedy["due_days"], path, severity, long)

    def _person_closes(self, complaint: dict, customer: Customer, start: datetime,
                       conversation: str, channel: str, reason: str, severity: str,
                       long: bool) -> None:
        """A person takes the complaint over and closes it when the handoff ends."""
        handoff, ended = self._handoff(
            start + self._gap(1, 10), conversation, channel, customer, reason, complaint,
            turns=self.rng.randint(100, 400) if long else None, expire=False if long else None,
            severity=severity)
        agent = handoff.get("assigned_staff_id")
        if agent is not None:
            complaint["handler_staff_id"] = agent
        if ended is None or agent is None:
            return
        note = self.rng.choice(("已与客户达成一致", "已补偿并道歉", "已退款并致歉", "客户表示理解"))
        complaint.update(status="closed", resolved_at=ended)
        self._event(complaint, 4, ended, f"人工客服{self.staff_names[agent]}办结：{note}", "agent",
                    agent)

    def _follow_up(self, complaint: dict, customer: Customer, conversation: str, channel: str,
                   accepted: datetime, due_days: int, path: str, severity: str,
                   long: bool) -> None:
        """Step 4: the follow-up fires when due; the customer answers (or not)."""
        rng = self.rng
        due = accepted + timedelta(days=due_days)
        follow = self._add("follow_ups", {
            "complaint_id": complaint["id"], "winback_attempt_id": None,
            "conversation_id": conversation, "due_at": due, "status": "scheduled",
            "attempts": 0, "idempotency_key": f"complaint:{complaint['number']}:follow-up",
            "created_at": accepted})
        if due > REF:
            return
        follow.update(status="fired", fired_at=due, attempts=1)
        number = complaint["number"]
        self._event(complaint, 4, due, "已发起回访，询问方案是否落实及满意度", "system")
        self._say(due, conversation, channel, "bot",
                  f"您好，关于投诉 {number}，方案已经落实了吗？请为这次处理打分（1-5分）。")
        if path == "A" and rng.random() < 0.12:
            return
        answered = due + self._gap(60, 6 * 3600)
        if answered > REF:
            return
        resolved = path == "A"
        score = (rng.choices((3, 4, 5), (10, 35, 55))[0] if resolved
                 else rng.choices((1, 2, 3), (40, 45, 15))[0])
        verdict = "已解决" if resolved else "未解决"
        comment = rng.choice((None, None, "处理得挺快", "还行", "希望以后注意")) if resolved else \
            rng.choice((None, "问题还是没解决", "太慢了"))
        self._say(answered, conversation, channel, "customer",
                  f"{score}分，{'已经解决了' if resolved else '还是没解决'}")
        self._add("satisfaction_answers", {
            "customer_id": customer.id, "complaint_id": complaint["id"],
            "conversation_id": conversation, "score": score, "resolved": resolved,
            "comment": comment, "idempotency_key": f"satisfaction:bench-{complaint['id']}",
            "created_at": answered})
        self.lowest.setdefault(customer.id, []).append((answered, score))
        complaint.update(score=score, follow_up_result=f"{verdict}，满意度 {score} 分" + (
            f"，客户意见：{comment}" if comment else ""))
        if resolved:
            complaint.update(status="closed", resolved_at=answered)
            self._event(complaint, 4, answered, f"回访：问题{verdict}，满意度 {score} 分，投诉办结",
                        "customer")
            return
        complaint["status"] = "reopened"
        self._event(complaint, 4, answered,
                    f"回访：问题{verdict}，满意度 {score} 分，投诉重新打开并转人工", "customer")
        self._person_closes(complaint, customer, answered, conversation, channel,
                            f"投诉 {number} 回访不满意（{score} 分，{verdict}）", severity, long)

    # ----- win-back ------------------------------------------------------------------------------
    def winbacks(self) -> None:
        """Customers who said they would leave: the decision by tier, its offer, alert and
        follow-up, and how it ended."""
        rng = self.rng
        count = max(10, self.sizes.customers // 5)
        for _ in range(count):
            customer = rng.choice(self.people)
            start = self._moment(max(customer.created_at, START) + timedelta(hours=1),
                                 REF - timedelta(minutes=30))
            self._winback(customer, start)

    def _winback(self, customer: Customer, start: datetime) -> None:
        rng = self.rng
        conversation, channel = self._conversation(customer)
        self._bind(conversation, customer, start)
        words = rng.choice(CHURN_WORDS)
        self._say(start, conversation, channel, "customer", words)
        self.churn.setdefault(customer.id, []).append((start, words))
        decision = decide_winback(customer.tier, customer.bad_faith, self.rewards)
        key = f"winback:bench-{len(self.rows.get('winback_attempts', [])) + 1}"
        attempt = {"customer_id": customer.id, "conversation_id": conversation,
                   "trigger": "churn_language", "tier_used": decision.tier_used,
                   "bad_faith_used": decision.bad_faith_used, "action": decision.action,
                   "idempotency_key": key, "created_at": start}
        offer = decision.offer
        at = start + self._gap(1, 4)
        if offer is not None and offer.kind == "coupon":
            coupon = self._add("coupons", {
                "customer_id": customer.id, "code": f"WB{rng.getrandbits(40):012x}",
                "value_fen": offer.value_fen, "min_spend_fen": offer.min_spend_fen,
                "status": "active", "reason": f"挽回优惠（{TIER_LABELS[customer.tier]}）：{offer.title}",
                "idempotency_key": key, "expires_at": start + timedelta(days=offer.valid_days),
                "created_at": start})
            attempt.update(coupon_id=coupon["id"], offer={
                "kind": "coupon", "title": offer.title, "value_yuan": fen_to_yuan(offer.value_fen),
                "min_spend_yuan": fen_to_yuan(offer.min_spend_fen), "code": coupon["code"]})
            self._say(at, conversation, channel, "bot",
                      f"非常舍不得您！为您准备了{offer.title}（¥{fen_to_yuan(offer.value_fen)}），已放入您的账户。")
        elif offer is not None and offer.kind == "points":
            entry = self._add("points_entries", {
                "customer_id": customer.id, "delta": offer.points,
                "reason": f"挽回优惠（{TIER_LABELS[customer.tier]}）：{offer.title}",
                "source": "winback", "idempotency_key": key,
                "expires_at": start + timedelta(days=365), "created_at": start})
            attempt.update(points_entry_id=entry["id"], offer={
                "kind": "points", "title": offer.title, "points": offer.points})
            self._say(at, conversation, channel, "bot",
                      f"感谢您一直以来的支持，送您{offer.points}积分，希望您再给我们一次机会。")
        else:
            self._say(at, conversation, channel, "bot", "很遗憾听到这个，您的意见我们已经记录。")
        if decision.alert_staff:
            owner = self.rows["customers"][customer.id - 1]["owner_staff_id"] or 1
            note = self._add("notifications", {
                "recipient_staff_id": owner, "customer_id": customer.id,
                "kind": "key_customer_at_risk", "conversation_id": conversation,
                "status": "read" if start < REF - timedelta(days=2) else "unread",
                "created_at": start,
                "message": f"{TIER_LABELS[customer.tier]}{customer.name}（ID {customer.id}）有流失风险："
                           f"表达流失意向1次（“{words}”）。已转人工（会话 {conversation}），请立即跟进。"})
            attempt["notification_id"] = note["id"]
        if decision.hand_off:
            self._handoff(at + self._gap(1, 5), conversation, channel, customer,
                          "churn_key_customer")
        age = REF - start
        if age > timedelta(days=14) or rng.random() < 0.3:
            outcome = rng.choices(("accepted", "declined", "stayed", "left", None),
                                  (35, 20, 20, 15, 10))[0]
            if outcome is not None:
                attempt.update(outcome=outcome,
                               outcome_at=min(REF, start + timedelta(days=rng.uniform(1, 10))))
        row = self._add("winback_attempts", attempt)
        if decision.follow_up_days > 0:
            due = start + timedelta(days=decision.follow_up_days)
            fired = due <= REF
            self._add("follow_ups", {
                "complaint_id": None, "winback_attempt_id": row["id"],
                "conversation_id": conversation, "due_at": due,
                "status": ("cancelled" if attempt.get("outcome") and attempt["outcome_at"] < due
                           else "fired" if fired else "scheduled"),
                "fired_at": due if fired else None, "attempts": 1 if fired else 0,
                "idempotency_key": f"{key}:follow-up", "created_at": start})

    # ----- plain conversations ---------------------------------------------------------------
    def chats(self) -> None:
        """Questions the bot answers (some handed to a person), until the messages add up."""
        rng = self.rng
        while True:
            missing = self.sizes.messages - len(self.messages)
            if missing <= 0:
                break
            length = min(missing, rng.randint(2, 12))
            customer = rng.choice(self.people) if rng.random() < 0.8 else None
            earliest = max(customer.created_at, START) if customer else START
            start = self._moment(earliest + timedelta(minutes=1), REF - timedelta(hours=3))
            self._chat(customer, start, length)
        if len(self.messages) > self.sizes.messages:
            del self.messages[self.sizes.messages:]

    def _chat(self, customer: Optional[Customer], start: datetime, length: int) -> None:
        rng = self.rng
        conversation, channel = self._conversation(customer)
        if customer is not None and rng.random() < 0.5:
            self._bind(conversation, customer, start)
        person = length >= 7 and rng.random() < 0.2
        own = length - 5 if person else length
        at = start
        for index in range(own):
            customer_turn = index % 2 == 0
            text = (rng.choice(CHAT_QUESTIONS if index == 0 else SMALL_TALK) if customer_turn
                    else rng.choice(CHAT_ANSWERS if index == 1 else BOT_FILLERS))
            self._say(at, conversation, channel, "customer" if customer_turn else "bot", text)
            at += self._gap(3, 60)
        if not person:
            return
        self._say(at, conversation, channel, "customer", "转人工")
        self._say(at + self._gap(1, 3), conversation, channel, "bot", "正在为您转接人工客服，请稍候。")
        self._handoff(at + self._gap(2, 5), conversation, channel, customer, "customer_request",
                      turns=3, expire=False)

    # ----- risk ----------------------------------------------------------------------------------
    def risk_flags(self) -> None:
        """Open flags scored by the real risk rules from the last 30 days, owners for some,
        resolved flags from earlier, manager tasks for a few."""
        rng, policy = self.rng, self.risk
        since = REF - timedelta(days=policy.window_days)
        recent: Dict[int, List[datetime]] = {}
        for complaint in self.rows["complaints"]:
            if complaint["created_at"] >= since:
                recent.setdefault(complaint["customer_id"], []).append(complaint["created_at"])
        value = {"pending_shipment", "shipped", "delivered", "refunding"}
        open_customers = set()
        for customer in self.people:
            cid = customer.id
            churn = [(t, w) for t, w in self.churn.get(cid, []) if t >= since]
            scores = [(t, s) for t, s in self.lowest.get(cid, []) if t >= since]
            emotions = [t for t in self.emotions.get(cid, []) if t >= since]
            orders = [t for t, oid in zip(customer.order_times, customer.order_ids)
                      if self.rows["orders"][oid - 1]["status"] in value]
            facts = RiskFacts(complaints=len(recent.get(cid, [])),
                              churn_details=tuple(w for _, w in churn),
                              negative_emotions=len(emotions),
                              lowest_satisfaction=min((s for _, s in scores), default=None),
                              inactivity=silence_after_regular_buying(orders, REF, policy))
            result = assess(facts, policy)
            if result.score < policy.scan_raise_at or result.level is None:
                continue
            times = recent.get(cid, []) + [t for t, _ in churn] + [t for t, _ in scores] + emotions
            created = min(times) if times else REF - timedelta(days=rng.uniform(1, 30))
            updated = max(times) if times else created
            owner = rng.choice(self.agents) if rng.random() < 0.2 else None
            flag = self._add("risk_flags", {
                "customer_id": cid, "score": result.score, "level": result.level,
                "reasons": result.reasons, "status": "open", "created_at": created,
                "updated_at": updated, "owner_staff_id": owner,
                "owner_assigned_at": updated + timedelta(hours=2) if owner else None})
            open_customers.add(cid)
            if owner is not None:
                self._add("notifications", {
                    "recipient_staff_id": owner, "customer_id": cid, "kind": "at_risk_owner",
                    "status": "unread", "created_at": flag["owner_assigned_at"],
                    "message": f"主管陈经理指定您负责跟进风险客户：{customer.name}（ID {cid}）。"})
                if rng.random() < 0.3:
                    self._add("winback_attempts", {
                        "customer_id": cid, "trigger": "manager", "tier_used": customer.tier,
                        "bad_faith_used": customer.bad_faith, "action": "task",
                        "offer": {"kind": "task", "title": "专人挽回任务", "flag_id": flag["id"],
                                  "owner_staff_id": owner, "owner_name": self.staff_names[owner],
                                  "started_by_staff_id": 1, "started_by": "陈经理"},
                        "idempotency_key": f"winback:manager:{flag['id']}:bench",
                        "created_at": flag["owner_assigned_at"]})
        for customer in rng.sample(self.people, min(len(self.people) // 12, 2000)):
            if customer.id in open_customers:
                continue
            created = self._moment(max(customer.created_at, START), since)
            self._add("risk_flags", {
                "customer_id": customer.id, "score": rng.randint(20, 80),
                "level": rng.choice(("low", "medium", "high")),
                "reasons": [f"{policy.window_days}天内投诉{rng.randint(1, 4)}次"],
                "status": "resolved", "created_at": created, "updated_at": created,
                "resolved_at": created + timedelta(days=rng.uniform(3, 40))})

    # ----- the whole thing -------------------------------------------------------------------
    def build(self, manager_hash: str, agent_hash: str) -> None:
        """Every table's rows, in memory (messages sorted by time and numbered)."""
        self.staff(manager_hash, agent_hash)
        self.customers()
        self.orders()
        self.complaints()
        self.winbacks()
        if len(self.messages) > self.sizes.messages:
            raise TooFewMessages(
                f"{self.sizes.complaints} complaints alone need {len(self.messages)} messages; "
                f"ask for at least that many")
        self.chats()
        self.risk_flags()
        self.rows["handoffs"].sort(key=lambda h: h["created_at"])
        for number, handoff in enumerate(self.rows["handoffs"], start=1):
            handoff["id"] = number
        self.messages.sort(key=lambda m: m[0])
        self._add("daily_job_runs", {"day": _beijing_day(REF), "grants": 0, "flagged": 0,
                                     "finished_at": REF - timedelta(hours=15)})

    def message_rows(self) -> Iterator[Tuple[Any, ...]]:
        """conversation_messages rows in MESSAGE_COLUMNS order."""
        for number, (at, conversation, channel, author, text, staff, handoff, buttons) in \
                enumerate(self.messages, start=1):
            yield (number, conversation, channel, author, text, buttons, None, staff,
                   handoff["id"] if handoff is not None else None, at)

    def event_rows(self, with_actor: bool, with_staff: bool) -> Iterator[Tuple[Any, ...]]:
        """complaint_events rows: id, complaint_id, step, occurred_at, note[, actor][, staff_id]."""
        for number, (complaint_id, step, at, note, actor, staff) in enumerate(self.events, start=1):
            row: Tuple[Any, ...] = (number, complaint_id, step, at, note)
            if with_actor:
                row += (actor,)
            if with_staff:
                row += (staff,)
            yield row


MESSAGE_COLUMNS = ("id", "conversation_id", "channel", "author", "text", "buttons",
                   "client_message_id", "staff_id", "handoff_id", "created_at")


# Parents before children (foreign keys are checked on PostgreSQL while loading).
TABLE_ORDER = ("staff_users", "customers", "channel_identities", "orders", "complaints",
               "handoffs", "refunds", "coupons", "points_entries", "notifications",
               "winback_attempts", "follow_ups", "satisfaction_answers", "conversation_bindings",
               "risk_flags", "daily_job_runs")


def long_transcript_complaint(history: History) -> Optional[str]:
    """The number of the complaint whose conversation has the most messages."""
    counts: Dict[str, int] = {}
    for message in history.messages:
        counts[message[1]] = counts.get(message[1], 0) + 1
    best = max(history.rows["complaints"], key=lambda c: counts.get(c["conversation_id"], 0),
               default=None)
    return best["number"] if best else None


def rows_of(table: str, columns: Sequence[str], history: History) -> List[Tuple[Any, ...]]:
    """A generated table as tuples in `columns` order (absent values are NULL)."""
    return [tuple(row.get(c) for c in columns) for row in history.rows.get(table, [])]
