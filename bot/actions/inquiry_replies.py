"""Chinese wording and small decisions for refunds, order changes, products and complaint status.

Plain functions of the CRM's data (no Rasa, no I/O), so they are unit-tested directly.
"""

import re
from typing import Any, Dict, List, Optional, Tuple

from bot.actions.order_replies import order_button, short_time
from bot.actions.parsing import MOBILE, normalise
from crm_backend.orders.rules import FIELD_LABELS

Buttons = List[Dict[str, str]]

# ------------------------------------------------------------------ shared helpers


def first(data: Optional[Dict[str, Any]], *keys: str, default: Any = None) -> Any:
    """The first present, non-empty value among `keys` (the CRM's field names, with aliases)."""
    if not isinstance(data, dict):
        return default
    for key in keys:
        value = data.get(key)
        if value not in (None, "", [], {}):
            return value
    return default


def when(iso: Any) -> str:
    """A CRM timestamp as '11月19日 14:32'; a plain date as '11月19日'; anything else as is."""
    if not isinstance(iso, str) or not iso:
        return ""
    try:
        if len(iso) == 10:
            year, month, day = iso.split("-")
            return f"{int(month)}月{int(day)}日"
        return short_time(iso)
    except ValueError:
        return iso


# ------------------------------------------------------------------ refunds

REFUND_NEXT = {
    "requested": "您的退款申请正在等待商家审核，审核通过后会原路退回，审核结果会第一时间通知您。",
    "approved": "商家已同意退款，款项会原路退回您的付款账户，到账时间以支付渠道为准（银行卡/信用卡可能稍慢）。",
    "completed": "退款已经原路退回。如果付款账户里还没看到，可以查看一下支付渠道的账单明细，银行卡有时会晚1–3个工作日入账。",
    "rejected": "这笔退款申请没有通过。如果对结果有疑问，可以说「转人工」，同事会帮您核实原因。",
}

NO_REFUNDS = (
    "您最近的订单没有查到退款记录。如需申请退款，可以在「我的订单 → 申请售后」提交；"
    "已经申请过的，也可以把订单号发给我再查一次。"
)


def describe_refund(order: Dict[str, Any]) -> str:
    """One order's refund: amount, status, when it was asked for, and what happens next."""
    refund = order["refund"]
    lines = [
        f"订单 {order['order_no']}（{order.get('item_summary', '')}）的退款 ¥{refund['amount_yuan']}："
        f"{refund['status_label']}（申请于 {when(refund.get('created_at'))}）。"
    ]
    if refund.get("reason"):
        lines.append(f"退款原因：{refund['reason']}。")
    note = REFUND_NEXT.get(refund.get("status", ""))
    if note:
        lines.append(note)
    return "\n".join(lines)


def no_refund(order: Dict[str, Any]) -> str:
    return (
        f"订单 {order['order_no']}（{order.get('item_summary', '')}，{order.get('status_label', '')}）"
        "目前没有退款记录。如需退款，可以在「我的订单 → 申请售后」提交申请，或者告诉我遇到的问题。"
    )


def describe_refunds(orders: List[Dict[str, Any]]) -> str:
    """Several orders with refunds: one paragraph each, open refunds first."""
    open_first = sorted(orders, key=lambda o: o["refund"].get("status") in ("completed", "rejected"))
    return "您最近的退款情况如下：\n" + "\n\n".join(describe_refund(o) for o in open_first)


# ------------------------------------------------------------------ cancelling

CONFIRM_BUTTONS_CANCEL = [
    {"title": "确认取消", "payload": "/affirm"},
    {"title": "不取消", "payload": "/deny"},
]
CANCEL_KEPT = "好的，订单保留，不做任何改动。还有其他可以帮您的吗？"
NO_CANCELLABLE = (
    "您最近没有可以直接取消的订单（只有待付款、待发货的订单能取消）。"
    "已发货的订单可以在签收后7天内申请退货退款；如需查看某一笔订单，把订单号发给我就行。"
)


def confirm_cancel(order: Dict[str, Any]) -> str:
    return (
        f"确认取消订单 {order['order_no']}（{order.get('item_summary', '')}，¥{order.get('total_yuan', '')}，"
        f"{order.get('status_label', '')}）吗？取消后无法恢复，已付款项会原路退回。"
    )


def choose_order(orders: List[Dict[str, Any]], intent: str, verb: str) -> Tuple[str, Buttons]:
    text = f"您想{verb}哪一笔订单呢？点选、回复序号（如「1」）或直接发订单号给我："
    return text, [order_button(o, intent) for o in orders]


def cancelled(order_no: str, result: Optional[Dict[str, Any]]) -> str:
    """After the CRM cancelled: say so, and what happens to the money if the CRM says."""
    text = f"订单 {order_no} 已为您取消。"
    refund = first(result, "refund")
    if isinstance(refund, dict) and refund.get("amount_yuan"):
        label = refund.get("status_label") or "退款处理中"
        text += f"退款 ¥{refund['amount_yuan']}（{label}）会原路退回您的付款账户。"
    return text + "还有其他可以帮您的吗？"


def value_refused(message: str) -> str:
    """The CRM's reason a new value is unusable, and how to go on."""
    reason = message.strip().rstrip("。") or "这个内容暂时不能使用"
    return f"{reason}。请再发一次；不改了可以说「算了」。"


def refused(message: str, fallback: str) -> str:
    """The CRM's own reason for refusing, with a next step the customer can take."""
    reason = message.strip() or fallback
    if not reason.endswith(("。", "！", "？")):
        reason += "。"
    return reason + "\n如需进一步帮助，可以说「转人工」，同事会为您处理。"


# ------------------------------------------------------------------ modifying


# Checked in this order: "电话号码" is a phone, not a size ("码").
FIELD_WORDS: List[Tuple[str, Tuple[str, ...]]] = [
    ("phone", ("电话", "手机号", "手机", "号码", "联系方式")),
    ("address", ("地址", "驿站", "自提", "收货点", "送到公司", "送到家")),
    ("spec", ("尺码", "颜色", "规格", "型号", "码数", "色号", "尺寸", "码")),
    ("delivery_time", ("配送时间", "送货时间", "配送日期", "送货日期", "发货时间", "延迟发货",
                       "晚几天", "晚点发", "几点送", "周末送", "约个时间", "指定", "送货上门", "时间")),
]

FIELD_BUTTONS = [
    {"title": "收货地址", "payload": "修改收货地址"},
    {"title": "收货人电话", "payload": "修改收货人电话"},
    {"title": "尺码/颜色/规格", "payload": "修改商品规格"},
    {"title": "配送时间", "payload": "修改配送时间"},
]

CHANGE_WORDS = re.compile(r"(?:改成|改为|改到|换成|换为|更改为|修改为|变成)[：:\s]*(.+)$")
TRAILING = re.compile(r"[。！!？?，,~～\s]*(?:吧|吗|可以吗|行吗|好吗|谢谢|麻烦了|呀|哦|呢)?[。！!？?，,~～\s]*$")

CONFIRM_BUTTONS_MODIFY = [
    {"title": "确认修改", "payload": "/affirm"},
    {"title": "不改了", "payload": "/deny"},
]
MODIFY_KEPT = "好的，订单信息保持不变。还有其他可以帮您的吗？"
NO_MODIFIABLE = (
    "您最近没有还能修改的订单（只有待付款、待发货的订单能改信息）。"
    "已发货的订单可以联系快递改派，或者签收后申请售后；需要的话说「转人工」，同事会帮您。"
)
ASK_FIELD = "请问您想修改订单的哪一项信息？"


def modify_field(text: str) -> Optional[str]:
    """Which of the CRM's modifiable fields the customer is talking about, if any."""
    for field, words in FIELD_WORDS:
        if any(word in text for word in words):
            return field
    return None


def value_in_text(field: str, text: str) -> Optional[str]:
    """The new value when the customer already said it ("地址改成…", "电话改成 139…")."""
    text = normalise(text)
    if field == "phone":
        mobile = MOBILE.search(text)
        return mobile.group(0) if mobile else None
    match = CHANGE_WORDS.search(text)
    if not match:
        return None
    value = TRAILING.sub("", match.group(1)).strip()
    return value or None


def read_value(field: str, text: str) -> Tuple[Optional[str], Optional[str]]:
    """(the new value in the customer's words, None), else (None, what to tell the customer).
    Whether the CRM accepts it (an address long enough, a spec the product has) is the CRM's
    call: see `ValidateModifyOrderForm`."""
    text = normalise(text or "").strip()
    if field == "phone":
        mobile = MOBILE.search(text)
        if mobile:
            return mobile.group(0), None
        return None, "手机号需要是 11 位数字（例如 13912345678），请再发一次；不改了可以说「算了」。"
    value = value_in_text(field, text) or TRAILING.sub("", text).strip()
    if not value:
        return None, "没有识别到新的内容，请再发一次；不改了可以说「算了」。"
    return value, None


def confirm_modify(order_no: str, field: str, value: str) -> str:
    return f"把订单 {order_no} 的{FIELD_LABELS.get(field, field)}改为「{value}」，确认吗？"


def modified(order_no: str, field: str, value: str) -> str:
    return (
        f"已为您把订单 {order_no} 的{FIELD_LABELS.get(field, field)}改为「{value}」。"
        "发货后会按新信息配送，还有其他可以帮您的吗？"
    )


# ------------------------------------------------------------------ products

LOW_STOCK = 10
ASK_PRODUCT = "请问您想了解哪款商品呢？告诉我商品名称（例如「羽绒服」「小米手环8」），我帮您查价格和库存。"


def stock_text(stock: Any) -> str:
    if not isinstance(stock, int):
        return "库存以商品页为准"
    if stock <= 0:
        return "暂时缺货"
    if stock <= LOW_STOCK:
        return f"仅剩{stock}件"
    return "有货"


def describe_product(product: Dict[str, Any]) -> str:
    name = product["name"]
    brand = product.get("brand")
    title = name if not brand or brand in name else f"{brand} {name}"
    lines = [f"{title}：¥{product['price_yuan']}，{stock_text(product.get('stock'))}。"]
    if product.get("colours"):
        lines.append(f"颜色：{'、'.join(product['colours'])}。")
    if product.get("sizes"):
        lines.append(f"尺码/规格：{'、'.join(product['sizes'])}。")
    if product.get("description"):
        lines.append(product["description"])
    if isinstance(product.get("stock"), int) and product["stock"] <= 0:
        lines.append("可以在商品页点「到货提醒」，补货后第一时间通知您。")
    return "\n".join(lines)


def list_products(products: List[Dict[str, Any]]) -> Tuple[str, Buttons]:
    lines = ["为您找到以下几款商品，想详细了解哪一款？"]
    for p in products:
        lines.append(f"· {p['name']}  ¥{p['price_yuan']}（{stock_text(p.get('stock'))}）")
    buttons = [{"title": p["name"], "payload": f"{p['name']}怎么样"} for p in products]
    return "\n".join(lines), buttons


def product_not_found(query: str) -> str:
    return (
        f"抱歉，店里暂时没有找到「{query}」相关的商品。可以换个叫法或告诉我品牌、品类再试试，"
        "比如「羽绒服」「蓝牙耳机」。"
    )


# ------------------------------------------------------------------ complaint status

# What happens next, by the CRM's complaint status.
STATUS_NEXT = {
    "open": "投诉已登记，我们正在为您制定处理方案，会尽快给您答复。",
    "remedy_proposed": "处理方案已经提出，等待您的确认：回复「可以」接受，或说「换个方案」；不满意也可以说「转人工」。",
    "remedy_accepted": "方案正在执行中，完成后我们会回访您，确认问题真正解决。",
    "handed_off": "已转交人工客服专门跟进，同事会在这里直接联系您。",
    "awaiting_follow_up": "方案已执行，我们会按约定时间回访您，确认问题是否解决。",
    "closed": "这件投诉已经办结。如果还有不满意的地方，随时告诉我，我会重新为您处理。",
    "reopened": "投诉已重新打开，人工客服会优先跟进处理。",
}

NO_COMPLAINTS = "您的账户下没有查到投诉记录。如果遇到了问题，直接告诉我发生了什么，我马上为您登记处理。"


def complaint_not_found(number: str) -> str:
    return f"在您的账户下没有找到投诉单 {number}，请核对一下单号（TS 开头）。也可以直接说「查投诉进度」，我列出您最近的投诉。"


def describe_complaint(complaint: Dict[str, Any]) -> str:
    """Number, category, status, current step, remedy and what happens next (CRM's detail shape)."""
    number = first(complaint, "number", default="")
    category = first(complaint, "category_label")
    status = complaint.get("status", "")
    lines = [f"投诉单 {number}（{category or '其他'}）：当前状态「{first(complaint, 'status_label', default=status)}」。"]
    step = first(complaint, "current_step_label")
    if step:
        lines.append(f"目前处在四步处理中的「{step}」阶段。")
    executed = first(complaint, "remedy_executed")
    offered = first(complaint, "remedy_offered")
    if isinstance(executed, dict):
        lines.append(f"处理方案：{first(executed, 'summary', 'description', 'title')}（已执行）。")
    elif isinstance(offered, dict):
        lines.append(f"处理方案：{first(offered, 'description', 'title')}（待您确认）。")
    follow_up = first(complaint, "follow_up")
    if isinstance(follow_up, dict) and follow_up.get("due_at") and status != "closed":
        lines.append(f"回访时间：{when(follow_up['due_at'])}。")
    lines.append(STATUS_NEXT.get(status, "有新的进展会第一时间通知您，也可以随时找我查询。"))
    return "\n".join(lines)


def complaint_button(complaint: Dict[str, Any]) -> Dict[str, str]:
    number = first(complaint, "number", default="")
    category = first(complaint, "category_label")
    status_label = first(complaint, "status_label", "status", default="")
    return {"title": f"{number} {category}（{status_label}）",
            "payload": f'/complaint_status{{"complaint_no":"{number}"}}'}
