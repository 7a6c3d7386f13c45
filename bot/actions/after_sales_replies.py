"""Chinese wording and small decisions for price protection, after-sales progress, invoices and
appointments, as plain functions of the CRM's data and the customer's words (no Rasa, no I/O)."""

import re
import unicodedata
from datetime import date, timedelta
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bot.actions.choices import ordinal
from bot.actions.order_matching import product_keys
from bot.actions.order_replies import order_button, short_time
from bot.actions.parsing import normalise
from crm_backend.appointments.rules import KIND_LABELS

Buttons = List[Dict[str, str]]
MAX_LISTED = 3

# ------------------------------------------------------------------ price protection

NO_PRICE_PROTECTION_ORDERS = (
    "您最近没有还在价保期内的订单。价保是付款后一段时间内（一般 15 天，数码家电 30 天，"
    "生鲜食品不参加）商品降价，可以申请退还差价；期间降价了随时找我申请。")
CONFIRM_PRICE_PROTECTION = [{"title": "申请价保退差价", "payload": "/affirm"},
                            {"title": "暂不申请", "payload": "/deny"}]


def day_of(iso: Optional[str]) -> str:
    """'2026-11-30T10:00:00+08:00' → '11月30日'."""
    if not iso:
        return ""
    return f"{int(iso[5:7])}月{int(iso[8:10])}日"


def eligible_items(check: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The items of a checked order that may claim now."""
    return [item for item in check.get("items") or [] if item.get("eligible")]


def price_protection_offer(check: Dict[str, Any]) -> str:
    """What dropped, what the customer paid, what comes back; then the question."""
    lines = [f"查到了：订单 {check['order_no']}（{check.get('item_summary', '')}）付款后有降价："]
    for item in eligible_items(check):
        lines.append(
            f"· {item['name']}：您支付 ¥{item['paid_unit_yuan']}/件，{day_of(item['lowest_at'])}"
            f"降到 ¥{item['lowest_unit_yuan']}，差价 ¥{item['difference_yuan']} × {item['quantity']}"
            f" = ¥{item['amount_yuan']}")
    others = [i for i in check.get("items") or [] if not i.get("eligible")]
    for item in others:
        lines.append(f"· {item['reason']}")
    lines.append(f"可以为您申请价保，退还差价共 ¥{check['eligible_total_yuan']}（原路退回）。"
                 "现在为您申请吗？")
    return "\n".join(lines)


def price_protection_refusal(check: Dict[str, Any]) -> str:
    """Why the order's items cannot claim, each in the CRM's words."""
    items = check.get("items") or []
    reasons = list(dict.fromkeys(item["reason"] for item in items))
    if len(reasons) == 1:
        return f"订单 {check['order_no']}（{check.get('item_summary', '')}）暂时不能申请价保：{reasons[0]}。"
    listed = "\n".join(f"· {reason}" for reason in reasons)
    return f"订单 {check['order_no']} 暂时不能申请价保：\n{listed}"


def none_eligible(checks: Sequence[Dict[str, Any]]) -> str:
    """None of the recent orders in their windows has dropped in price: say so, order by order."""
    lines = ["帮您看了最近还在价保期内的订单，目前都没有可以申请价保的商品："]
    for check in checks[:MAX_LISTED]:
        reasons = list(dict.fromkeys(i["reason"] for i in check.get("items") or []))
        lines.append(f"· {check['order_no']}（{check.get('item_summary', '')}）：{reasons[0]}")
    lines.append("价保期内如果降价了，随时找我申请就好。")
    return "\n".join(lines)


def choose_price_protection_order(checks: Sequence[Dict[str, Any]]) -> Tuple[str, Buttons]:
    """Several orders dropped in price: which one? (buttons that send price_protection)."""
    text = "您有几笔订单都降价了，想先申请哪一笔呢？点选、回复序号（如「1」）或直接发订单号给我："
    return text, [order_button(c, "price_protection") for c in checks]


def price_protection_done(order_no: str, result: Optional[Dict[str, Any]]) -> str:
    """After the CRM refunded the difference."""
    total = (result or {}).get("refund_total_yuan")
    money = f"差价 ¥{total} " if total else "差价"
    return (f"已为订单 {order_no} 申请价保，{money}会原路退回您的付款账户，一般 1–3 个工作日到账。"
            "还有其他可以帮您的吗？")


# ------------------------------------------------------------------ after-sales progress

NO_AFTER_SALES = (
    "您的账户下暂时没有查到售后申请（退货、换货、维修）。需要申请的话，可以在「我的订单 → 申请售后」"
    "提交，或者告诉我遇到了什么问题。")
AFTER_SALES_NUMBER = re.compile(r"(?<![0-9A-Za-z])[Ss][Hh]\s*(\d{12})(?!\d)")
KIND_WORDS = {"repair": ("维修", "修好", "修理", "返修", "送修", "保修"),
              "exchange": ("换货", "换新", "换一个", "换个", "调换", "换码", "换大", "换小"),
              "return": ("退货", "退款", "退回", "退掉")}
REJECTED_WORDS = ("驳回", "被拒", "拒绝", "没通过", "不通过", "没批", "不给退", "不让退",
                  "不让换", "审核失败")


def after_sales_number(text: str) -> Optional[str]:
    """An after-sales number pasted in the text ('SH202611160001')."""
    match = AFTER_SALES_NUMBER.search(normalise(text))
    return f"SH{match.group(1)}" if match else None


def requests_in_question(requests: Sequence[Dict[str, Any]], text: str) -> List[Dict[str, Any]]:
    """The requests a message asks about: by number, by product, by kind or "驳回", else the
    open ones (or every one when none is open)."""
    number = after_sales_number(text)
    if number:
        return [r for r in requests if r["number"] == number]
    said = text.lower()
    chosen = list(requests)
    named = [r for r in chosen if any(key in said for key in product_keys(r.get("item_name") or ""))]
    if named:
        chosen = named
    if any(word in text for word in REJECTED_WORDS):
        rejected = [r for r in chosen if r["status"] == "rejected"]
        return rejected or chosen
    kinds = [kind for kind, words in KIND_WORDS.items() if any(w in text for w in words)]
    if kinds and len(kinds) < len(KIND_WORDS):
        of_kind = [r for r in chosen if r["kind"] in kinds]
        chosen = of_kind or chosen
    if named:
        return chosen
    open_ones = [r for r in chosen if r.get("open")]
    return open_ones or chosen


def _what(request: Dict[str, Any]) -> str:
    item = request.get("item_name")
    return f"{item} 的{request['kind_label']}" if item else f"订单的{request['kind_label']}"


def describe_request(request: Dict[str, Any]) -> str:
    """One request in full: its steps with times, where it is, what the customer does next."""
    lines = [f"售后单 {request['number']}（订单 {request['order_no']}，{_what(request)}）"
             f"当前进度：{request['status_label']}。"]
    for step in request.get("steps") or []:
        lines.append(f"· {short_time(step['at'])} {step['label']}")
    if request["status"] == "rejected":
        lines.append(f"驳回原因：{request.get('reject_reason') or '未注明'}")
    lines.append(f"接下来：{request['next_step']}")
    return "\n".join(lines)


def describe_requests(requests: Sequence[Dict[str, Any]]) -> str:
    """Several requests in brief, then how to see one in full."""
    lines = [f"您有 {len(requests)} 个售后申请："]
    for request in requests[:MAX_LISTED]:
        lines.append(f"· {request['number']}（{_what(request)}）：{request['status_label']}。"
                     f"{request['next_step']}")
    lines.append("想看某一个的详细进度，告诉我商品名或售后单号（SH 开头）就行。")
    return "\n".join(lines)


# ------------------------------------------------------------------ invoices

EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}",
                           re.ASCII)
TAX_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{15,20}(?![0-9A-Za-z])", re.ASCII)
COMPANY_NAME = re.compile(
    r"[\u4e00-\u9fa5A-Za-z0-9（）()·&]{2,60}?(?:有限责任公司|股份有限公司|有限公司|集团|公司|分公司|厂|商行|"
    r"门市部|经营部|中心|研究院|研究所|学校|学院|大学|医院|事务所|工作室|合作社|协会|委员会)")
# What comes before a title the customer dictates: "抬头改成…", "写成…", "抬头：…".
TITLE_AFTER = re.compile(r"(?:改成|改为|换成|写成|开成|开到|抬头是|抬头为|抬头写|抬头填|名称是|抬头[:：]|就写|写)"
                         r"\s*[:：]?\s*")
LEAD_WORDS = re.compile(r"^(?:发票|抬头|名称|帮我|帮忙|麻烦|请|把|将|我们的|我们|我的|我|的|给|要|就|[:：\s])+")
TRAILING = re.compile(r"(?:的发票|发票|的|吧|呢|啊|哈|谢谢|[\s，。,.!！~～;；])+$")
CHANGE_WORDS = ("抬头", "税号", "公司", "企业", "单位", "个人", "开错", "写错", "填错", "重开",
                "重新开", "换开", "改开", "专票")
SEND_WORDS = ("邮箱", "发到", "发给", "发我", "重发", "再发", "重新发", "没收到", "收不到",
              "找不到", "发一下", "发一份", "推送", "@")
NO_INVOICES = ("您的账户下暂时没有查到已开具的发票。发票一般在签收后自动开具并发送到下单时填写的邮箱；"
               "下单时没开的，可以在「订单详情 → 申请开票」补开。")
CONFIRM_REISSUE = [{"title": "确认重开", "payload": "/affirm"},
                   {"title": "先不改了", "payload": "/deny"}]


def invoice_operation(text: str) -> str:
    """What the customer wants done with an invoice: "change", "resend" or "status"."""
    if EMAIL_IN_TEXT.search(text) or any(word in text for word in SEND_WORDS):
        if not any(word in text for word in ("抬头", "税号", "开错", "写错", "填错")):
            return "resend"
    if any(word in text for word in CHANGE_WORDS):
        return "change"
    return "status"


def email_in(text: str) -> Optional[str]:
    """The email address written in the text."""
    match = EMAIL_IN_TEXT.search(unicodedata.normalize("NFKC", text))
    return match.group(0) if match else None


def tax_no_in(text: str) -> Optional[str]:
    """The tax number written in the text (15–20 letters and digits), upper-cased."""
    match = TAX_IN_TEXT.search(unicodedata.normalize("NFKC", text).replace(" ", ""))
    return match.group(0).upper() if match else None


NOT_A_NAME = re.compile(r"发票|抬头|改成|改为|开成|换成|我们|你们|单位|企业")
COMPANY_SUFFIX = re.compile(r"(?:有限责任公司|股份有限公司|有限公司|集团|分公司|公司|厂|商行|门市部|经营部|中心|"
                            r"研究院|研究所|学校|学院|大学|医院|事务所|工作室|合作社|协会|委员会)$")


def company_in(text: str) -> Optional[str]:
    """An organisation's full name in the text ("杭州某某科技有限公司"), not "公司" alone."""
    for match in COMPANY_NAME.finditer(text):
        name = LEAD_WORDS.sub("", match.group(0)).strip()
        body = COMPANY_SUFFIX.sub("", name)
        if len(body) >= 2 and not NOT_A_NAME.search(body):
            return name
    return None


def title_in(text: str) -> Optional[str]:
    """A title named in the words: an organisation's name, or 个人."""
    plain = TAX_IN_TEXT.sub(" ", unicodedata.normalize("NFKC", text))
    after = TITLE_AFTER.split(plain, maxsplit=1)
    tail = after[-1] if len(after) > 1 else plain
    company = company_in(tail)
    if company:
        return company
    if "个人" in tail and (len(after) > 1 or plain.strip() in ("个人", "个人抬头")):
        return "个人"
    return None


def clean_title(text: str) -> str:
    """A typed answer to "which title?" without the words around the name or the tax number."""
    named = title_in(text)
    if named:
        return named
    plain = TAX_IN_TEXT.sub(" ", unicodedata.normalize("NFKC", text))
    parts = TITLE_AFTER.split(plain, maxsplit=1)
    return TRAILING.sub("", LEAD_WORDS.sub("", parts[-1].strip())).strip()


def title_answer_problem(title: str) -> Optional[str]:
    """Why a typed title is not one (Chinese), or None: a full organisation name, 个人, or a
    person's name."""
    if title == "个人" or company_in(title):
        return None
    if COMPANY_SUFFIX.search(title) or NOT_A_NAME.search(title) or not 2 <= len(title) <= 20:
        return "没有识别到完整的抬头：单位请发全称（例如「杭州某某科技有限公司」），个人回复「个人」"
    return None


def title_kind(title: str) -> str:
    """"company" for an organisation's name, "personal" otherwise."""
    return "company" if company_in(title) else "personal"


def describe_invoice(invoice: Dict[str, Any]) -> str:
    """An invoice as it stands: status, title, number, where it was sent, what may be changed."""
    lines = [f"订单 {invoice['order_no']} 的电子发票：{invoice['status_label']}。"]
    tax = f"，税号 {invoice['tax_no']}" if invoice.get("tax_no") else ""
    lines.append(f"抬头：{invoice['title']}（{invoice['kind_label']}{tax}），金额 ¥{invoice['amount_yuan']}。")
    if invoice.get("number"):
        lines.append(f"发票号码 {invoice['number']}，开具于 {short_time(invoice['issued_at'])}。")
    if invoice.get("email_masked"):
        lines.append(f"已发送到邮箱 {invoice['email_masked']}。")
    if invoice["status"] == "issued":
        lines.append("需要重新发送到邮箱、或者修改抬头/税号，直接告诉我就行。")
    elif invoice["status"] == "pending":
        lines.append("发票会在签收后自动开具并发送到您的邮箱。")
    return "\n".join(lines)


def choose_invoice(invoices: Sequence[Dict[str, Any]]) -> Tuple[str, Buttons]:
    """Which order's invoice? (buttons that send invoice_request)."""
    text = "您想办理哪一笔订单的发票呢？点选、回复序号（如「1」）或直接发订单号给我："
    orders = [{"order_no": i["order_no"], "item_summary": i.get("item_summary") or i["title"],
               "status_label": i["status_label"]} for i in invoices]
    return text, [order_button(o, "invoice_request") for o in orders]


def invoice_sent(order_no: str, result: Optional[Dict[str, Any]]) -> str:
    """After the CRM sent the invoice."""
    where = (result or {}).get("sent_to") or "您的邮箱"
    return (f"已将订单 {order_no} 的电子发票重新发送到 {where}，几分钟内就能收到；"
            "如果没看到，请查看一下垃圾邮件箱。")


def confirm_reissue(invoice: Dict[str, Any], kind: str, title: str, tax_no: Optional[str]) -> str:
    """Repeat the new details back before the invoice is re-issued."""
    tax = f"，税号 {tax_no}" if kind == "company" and tax_no else ""
    where = invoice.get("email_masked")
    sent = f"新发票会发送到 {where}" if where else "新发票可以在订单详情里下载"
    left = invoice.get("reissues_left")
    limit = f"（这笔订单的发票还可以重开 {left} 次）" if left is not None else ""
    return (f"将为订单 {invoice['order_no']} 重开电子发票：抬头「{title}」"
            f"（{'企业' if kind == 'company' else '个人'}{tax}），原发票作废，{sent}{limit}。确认重开吗？")


def invoice_reissued(result: Optional[Dict[str, Any]]) -> str:
    """After the CRM re-issued the invoice."""
    invoice = (result or {}).get("invoice") or {}
    where = invoice.get("email_masked")
    sent = f"，已发送到 {where}" if where else ""
    return (f"已为订单 {invoice.get('order_no', '')} 重开电子发票：抬头「{invoice.get('title', '')}」，"
            f"新发票号码 {invoice.get('number', '')}{sent}。原发票已作废。")


# ------------------------------------------------------------------ appointments

KIND_CUES = {"installation": ("安装", "装机", "装一下", "师傅上门装"),
             "pickup": ("取件", "上门取", "来取", "取走", "拿走", "揽收", "寄回", "退回去"),
             "delivery": ("送货", "配送", "送到", "送上门", "送家", "几号送", "哪天送", "什么时候送",
                          "送过来", "到货时间")}
QUERY_WORDS = ("约的", "约了", "约好", "预约的", "哪天来", "几点来", "什么时候来", "啥时候来",
               "约在", "约到哪天", "预约情况", "预约信息", "查一下预约", "查预约")
CHANGE_WORDS_APPOINTMENT = ("改约", "改时间", "改个时间", "换个时间", "换时间", "改到", "改成",
                            "推迟", "延后", "提前", "往后", "挪到", "调整时间", "另约", "重新约")
NO_APPOINTMENT_ORDERS = (
    "您最近没有需要预约的订单：大件商品（如冰箱、洗衣机、沙发）可以预约送货，需安装的商品（如空调、"
    "洗衣机）可以预约师傅上门安装，售后审核通过后可以预约上门取件。")
WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5,
           "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
RELATIVE_DAYS = (("大后天", 3), ("后天", 2), ("明天", 1), ("明儿", 1), ("今天", 0))
MONTH_DAY = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
DAY_ONLY = re.compile(r"(?<![\d月])(\d{1,2})\s*[日号]")
WEEK_DAY = re.compile(r"(下个?)?(?:周|星期|礼拜)\s*([一二三四五六日天末1-7])")
SLOT_ID = re.compile(r"(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}-\d{2}:\d{2})")
HOUR = re.compile(r"(\d{1,2}|[一二两三四五六七八九十]{1,2})\s*(?:点|:|：)")
CN_HOURS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
            "九": 9, "十": 10, "十一": 11, "十二": 12}
EARLIEST = ("最早", "尽快", "越快越好", "随便", "都行", "都可以")
SLOT_BUTTONS = 6


def appointment_kind(text: str) -> Optional[str]:
    """The kind of visit the words ask for, if they say."""
    for kind, cues in KIND_CUES.items():
        if any(cue in text for cue in cues):
            return kind
    return None


def wants_change(text: str) -> bool:
    return any(word in text for word in CHANGE_WORDS_APPOINTMENT)


def asks_booked(text: str) -> bool:
    return any(word in text for word in QUERY_WORDS)


def slot_buttons(slots: Sequence[Dict[str, Any]]) -> Buttons:
    """The first slots as buttons that fill appointment_slot."""
    return [{"title": s["label"], "payload": f'/inform{{"appointment_slot":"{s["id"]}"}}'}
            for s in slots[:SLOT_BUTTONS]]


def ask_slot(kind: str, order_no: str, slots: Sequence[Dict[str, Any]],
             booked: Optional[Dict[str, Any]]) -> str:
    """Which time? The earliest slots as buttons, any other said in words."""
    now_booked = f"现在约的是 {booked['label']}，" if booked else ""
    days = sorted({s["day"] for s in slots})
    span = f"{day_of(days[0])}到{day_of(days[-1])}" if days else ""
    windows = "、".join(dict.fromkeys(s["window"] for s in slots))
    return (f"订单 {order_no} {'改约' if booked else '预约'}{KIND_LABELS[kind]}：{now_booked}"
            f"可以约 {span}，每天 {windows}。下面是最近的时间，也可以直接说「周六上午」"
            "「11月28日下午」这样的时间（不约了可以说「算了」）：")


def _hour(text: str) -> Optional[int]:
    match = HOUR.search(text)
    if match is None:
        return None
    raw = match.group(1)
    hour = int(raw) if raw.isdigit() else CN_HOURS.get(raw)
    if hour is not None and hour < 12 and re.search(r"下午|晚上|晚", text):
        hour += 12
    return hour


def _part_of_day(text: str) -> Optional[Tuple[int, int]]:
    """The hours [from, to) a part of day names ("上午" → 0–12)."""
    if re.search(r"上午|早上|早晨|一早|早点", text):
        return (0, 12)
    if re.search(r"中午|下午", text):
        return (12, 18)
    if re.search(r"晚上|傍晚|晚点|晚", text):
        return (18, 24)
    return None


def _days(text: str, today: date, days: Sequence[date]) -> List[date]:
    """The offered days the words name."""
    found: List[date] = []
    for word, ahead in RELATIVE_DAYS:
        if word in text:
            found.append(today + timedelta(days=ahead))
            break
    match = MONTH_DAY.search(text)
    if match:
        found += [d for d in days if (d.month, d.day) == (int(match.group(1)), int(match.group(2)))]
    elif DAY_ONLY.search(text):
        day = int(DAY_ONLY.search(text).group(1))
        found += [d for d in days if d.day == day]
    week = WEEK_DAY.search(text)
    if week:
        weekday = WEEKDAY[week.group(2)]
        week_end = today + timedelta(days=6 - today.weekday())
        found += [d for d in days if d.weekday() == weekday
                  and (not week.group(1) or d > week_end)][:1]
    return [d for d in found if d in days]


def pick_slot(text: str, slots: Sequence[Dict[str, Any]], today: date,
              offered: Sequence[str] = (), loose: bool = True
              ) -> Tuple[Optional[str], Optional[str]]:
    """(slot id, None) for the slot the words pick among `slots`, else (None, a hint).

    A button's id, a position among the buttons offered ("第二个"), "最早" (when `loose`: an
    answer to the question, not the request itself), or a day ("明天", "周六", "28号",
    "11月28日") with a part of the day ("上午", "下午3点") or a day with one window."""
    plain = normalise(unicodedata.normalize("NFKC", text))
    ids = [s["id"] for s in slots]
    match = SLOT_ID.search(plain)
    if match and match.group(0) in ids:
        return match.group(0), None
    if loose and any(word in plain for word in EARLIEST) and ids:
        return ids[0], None
    days = sorted({date.fromisoformat(s["day"]) for s in slots})
    picked_days = _days(plain, today, days)
    if not picked_days and offered:
        position = ordinal(plain, len(offered))
        if position is not None:
            return offered[position], None
    if not picked_days:
        return None, "没听出是哪一天😅 请点选下面的时间，或者说「明天上午」「周六下午」「28号上午」这样的时间："
    day = picked_days[0]
    of_day = [s for s in slots if s["day"] == day.isoformat()]
    if not of_day:
        return None, f"{day.month}月{day.day}日约不了，请换一天："
    hour, part = _hour(plain), _part_of_day(plain)
    for s in of_day:
        start, end = int(s["window"][:2]), int(s["window"][6:8])
        if hour is not None and start <= hour < end:
            return s["id"], None
    if hour is None and part is not None:
        fitting = [s for s in of_day if part[0] <= int(s["window"][:2]) < part[1]]
        if fitting:
            return fitting[0]["id"], None
    if hour is None and part is None and len(of_day) == 1:
        return of_day[0]["id"], None
    windows = "、".join(s["window"] for s in of_day)
    return None, f"{day.month}月{day.day}日可以约的时间段是 {windows}，您想约哪一段呢？"


def slot_label(slot_id: str, slots: Sequence[Dict[str, Any]]) -> str:
    """The label of a slot id ('11月24日（周二）09:00-12:00')."""
    return next((s["label"] for s in slots if s["id"] == slot_id), slot_id)


def describe_bookings(order: Dict[str, Any]) -> str:
    """What an order has booked."""
    booked = order.get("appointments") or []
    if not booked:
        return f"订单 {order['order_no']}（{order.get('item_summary', '')}）还没有预约。"
    lines = [f"订单 {order['order_no']}（{order.get('item_summary', '')}）已预约："]
    lines += [f"· {a['kind_label']}：{a['label']}" for a in booked]
    lines.append("师傅上门前会电话联系您。需要改时间的话，跟我说「改约」就行。")
    return "\n".join(lines)


def choose_appointment_order(orders: Sequence[Dict[str, Any]]) -> Tuple[str, Buttons]:
    """Which order is the visit for? (buttons that send book_appointment)."""
    text = "您想预约哪一笔订单呢？点选、回复序号（如「1」）或直接发订单号给我："
    return text, [order_button(o, "book_appointment") for o in orders]


def kind_buttons(order_no: str, kinds: Sequence[str]) -> Buttons:
    """One button per kind the order may book."""
    return [{"title": f"预约{KIND_LABELS[k]}",
             "payload": f'/book_appointment{{"order_no":"{order_no}","appointment_kind":"{k}"}}'}
            for k in kinds]


def appointment_booked(order_no: str, kind: str, label: str, changed: bool) -> str:
    """After the CRM booked or moved the time."""
    verb = "改约到" if changed else "预约了"
    return (f"好的，已为订单 {order_no} {verb}{KIND_LABELS[kind]}：{label}。师傅上门前会电话联系您，"
            "请保持电话畅通。需要再改时间的话随时告诉我。")
