"""The complaint log's rows, its export table and a complaint's page, with the CRM's Chinese
labels (complaint, tier, channel, handoff and transcript vocabularies)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple

from crm_backend.complaint_log import rules
from crm_backend.complaints import rules as complaint_rules
from crm_backend.transcripts.rules import AUTHOR_LABELS, CHANNEL_LABELS
from crm_backend.core.money import fen_to_yuan
from crm_backend.core.time import BEIJING
from crm_backend.core.vocabulary import (ORDER_STATUS_LABELS, REFUND_STATUS_LABELS, TIER_LABELS,
                                         TIERS)
from crm_backend.handoffs import rules as handoff_rules

Staff = Mapping[int, Tuple[str, bool]]


# What each of the four steps is (the procedure's own words).
STEP_TITLES: Dict[int, str] = {1: "让客户发泄", 2: "记录投诉内容", 3: "提出并实施方案", 4: "跟踪服务"}


FOLLOW_UP_STATUS_LABELS: Dict[str, str] = {"scheduled": "待回访", "firing": "正在发送",
                                           "fired": "已发出", "failed": "发送失败",
                                           "cancelled": "已取消"}


COUPON_STATUS_LABELS: Dict[str, str] = {"active": "可使用", "used": "已使用", "expired": "已过期"}


REMEDY_KIND_LABELS: Dict[str, str] = {"refund": "退款", "price_difference": "退还差价",
                                      "resend": "补发", "coupon": "补偿优惠券",
                                      "points": "补偿积分", "escalate": "专人处理"}


PREVIEW_LENGTH = 60


def when(moment: Optional[datetime], seconds: bool = False) -> str:
    """A moment in Beijing time, e.g. 2026-11-20 15:04 ('' for none)."""
    if moment is None:
        return ""
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def label(labels: Mapping[str, str], code: Optional[str]) -> str:
    """A code's Chinese label (the code itself when it has none)."""
    if code is None:
        return ""
    return labels.get(code, code)


def step_label(step: int) -> str:
    """e.g. "2 记录"."""
    return f"{step} {complaint_rules.step_label(step)}"


def staff_name(staff: Staff, staff_id: Optional[int]) -> str:
    """A staff member's display name ('' when unknown)."""
    return staff[staff_id][0] if staff_id in staff else ""


def handlers(handler_id: Optional[int], taken_by: Sequence[int], staff: Staff) -> str:
    """The complaint's handler and whoever took its handoffs, each once, e.g. "客服小美、客服小王"."""
    ids = [i for i in [handler_id, *taken_by] if i is not None]
    names = [staff_name(staff, i) for i in dict.fromkeys(ids)]
    return "、".join(n for n in names if n)


def preview(text: str) -> str:
    """The customer's words on one line, cut to PREVIEW_LENGTH characters."""
    flat = " / ".join(complaint_rules.split_words(text))
    return flat if len(flat) <= PREVIEW_LENGTH else flat[:PREVIEW_LENGTH] + "…"


def form_choices(staff: Staff) -> Dict[str, List[Tuple[str, str]]]:
    """(value, label) options of each select of the filter form."""
    return {
        "status": list(complaint_rules.STATUS_LABELS.items()),
        "step": [(code, step_label(n)) for n, code in complaint_rules.STEP_CODES.items()],
        "category": list(complaint_rules.CATEGORY_LABELS.items()),
        "severity": list(complaint_rules.SEVERITY_LABELS.items()),
        "tier": [(code, TIER_LABELS[code]) for code in TIERS],
        "channel": [(code, label(CHANNEL_LABELS, code)) for code in complaint_rules.CHANNELS],
        "agent": [(str(i), name + ("" if enabled else "（已停用）"))
                  for i, (name, enabled) in staff.items()],
        "sort": list(rules.SORTS.items()),
    }


def log_rows(rows: Iterable[Any], orders: Mapping[int, str], customers: Mapping[int, str],
             taken: Mapping[int, List[int]], staff: Staff) -> List[Dict[str, Any]]:
    """A page's complaints as the table shows them."""
    return [{
        "number": r.number,
        "created_at": when(r.created_at),
        "customer": customers.get(r.customer_id, ""),
        "customer_id": r.customer_id,
        "tier": label(TIER_LABELS, r.customer_tier),
        "order_no": orders.get(r.order_id, ""),
        "category": label(complaint_rules.CATEGORY_LABELS, r.category),
        "severity": label(complaint_rules.SEVERITY_LABELS, r.severity),
        "severity_code": r.severity,
        "status": label(complaint_rules.STATUS_LABELS, r.status),
        "step": step_label(r.current_step),
        "channel": label(CHANNEL_LABELS, r.channel),
        "handlers": handlers(r.handler_staff_id, taken.get(r.id, []), staff),
        "words": preview(r.customer_words),
        "score": r.score,
    } for r in rows]


EXPORT_HEADER = ("投诉单号", "登记时间（北京时间）", "客户编号", "客户姓名", "客户等级", "渠道",
                 "订单号", "类别", "严重程度", "状态", "当前步骤", "处理人", "客户原话", "客户诉求",
                 "方案是否接受", "方案执行时间（北京时间）", "回访结果", "满意度", "办结时间（北京时间）",
                 "会话编号")


def accepted_label(accepted: Optional[bool]) -> str:
    """Whether the customer accepted the remedy: 接受 / 不接受 / '' (not answered)."""
    return "" if accepted is None else ("接受" if accepted else "不接受")


def expectation_label(expectation: Optional[str]) -> str:
    """What the customer wants: a wish code's label, or their own words."""
    return label(complaint_rules.WISH_LABELS, expectation)


def export_rows(rows: Iterable[Sequence[Any]],
                taken: Mapping[int, List[str]]) -> Iterator[Tuple[Any, ...]]:
    """The export's rows (store.EXPORT_COLUMNS in order), in EXPORT_HEADER's order; rows are
    unpacked by position and labels looked up in plain dicts (tens of thousands of rows)."""
    steps = {n: step_label(n) for n in complaint_rules.STEP_CODES}
    tiers = TIER_LABELS
    channels = {code: label(CHANNEL_LABELS, code) for code in complaint_rules.CHANNELS}
    categories, severities = complaint_rules.CATEGORY_LABELS, complaint_rules.SEVERITY_LABELS
    statuses, wishes = complaint_rules.STATUS_LABELS, complaint_rules.WISH_LABELS
    accepted_labels = {None: "", True: "接受", False: "不接受"}
    for (complaint_id, number, created_at, customer_id, customer_name, tier, channel, order_no,
         category, severity, status, step, handler_name, words, expectation, accepted,
         executed_at, follow_up_result, score, resolved_at, conversation_id) in rows:
        names = taken.get(complaint_id)
        if names:
            handled_by = "、".join(dict.fromkeys([handler_name, *names] if handler_name else names))
        else:
            handled_by = handler_name or ""
        yield (number, when(created_at, True), customer_id, customer_name,
               tiers.get(tier, tier), channels.get(channel, channel), order_no or "",
               categories.get(category, category), severities.get(severity, severity),
               statuses.get(status, status), steps.get(step, ""), handled_by,
               words.replace(complaint_rules.WORDS_SEPARATOR, " / "),
               wishes.get(expectation, expectation) if expectation else "",
               accepted_labels.get(accepted, ""), when(executed_at, True), follow_up_result or "",
               score, when(resolved_at, True), conversation_id or "")


def cap_note(total: int) -> str:
    """The export's last line when it holds only the first EXPORT_CAP rows."""
    return (f"（仅导出前 {rules.EXPORT_CAP} 条；符合筛选的共 {total} 条，请缩小日期范围或增加筛选条件后"
            f"分批导出）")


def facts(complaint: Any, customer: Any, order_no: Optional[str], events: Sequence[Any],
          handoffs: Sequence[Any], staff: Staff) -> Dict[str, Any]:
    """The head of a complaint's page: codes as labels, times in Beijing, the people who handled
    it (its handler, whoever took its handoffs or acted on a step), its words and outcome."""
    people = [staff_name(staff, complaint.handler_staff_id)]
    people += [h.assigned_name for h in handoffs if h.complaint_id == complaint.id]
    people += [staff_name(staff, e.staff_id) for e in events if e.staff_id is not None]
    return {
        "number": complaint.number, "created_at": when(complaint.created_at, True),
        "updated_at": when(complaint.updated_at, True),
        "resolved_at": when(complaint.resolved_at, True),
        "status": label(complaint_rules.STATUS_LABELS, complaint.status),
        "step": step_label(complaint.current_step),
        "category": label(complaint_rules.CATEGORY_LABELS, complaint.category),
        "severity": label(complaint_rules.SEVERITY_LABELS, complaint.severity),
        "tier": label(TIER_LABELS, complaint.customer_tier),
        "channel": label(CHANNEL_LABELS, complaint.channel),
        "customer": customer.name if customer else "", "customer_id": complaint.customer_id,
        "customer_tier_now": label(TIER_LABELS, customer.tier) if customer else "",
        "bad_faith": bool(customer and customer.is_bad_faith),
        "order_no": order_no or "", "conversation_id": complaint.conversation_id or "",
        "handlers": "、".join(dict.fromkeys(name for name in people if name)),
        "words": complaint_rules.split_words(complaint.customer_words),
        "expectation": expectation_label(complaint.expectation),
        "score": complaint.score, "follow_up_result": complaint.follow_up_result or "",
    }


def execution(public: Mapping[str, Any],
              executed_at: Optional[datetime]) -> Optional[Dict[str, str]]:
    """What the carried-out remedy was and when (None before one was)."""
    if not public:
        return None
    return {"kind": label(REMEDY_KIND_LABELS, str(public.get("kind"))),
            "summary": str(public.get("summary", "")), "at": when(executed_at, True)}


def actor(actor_code: str, staff_id: Optional[int], staff: Staff) -> str:
    """Who acted on a step: 客户 / 机器人 / 系统 / 人工客服 + the person's name."""
    shown = label(complaint_rules.ACTOR_LABELS, actor_code)
    name = staff_name(staff, staff_id) if actor_code == "agent" else ""
    return f"{shown}（{name}）" if name else shown


def timeline(events: Iterable[Any], staff: Staff, current_step: int) -> List[Dict[str, Any]]:
    """The four steps, each with its entries (time, who acted, what) and whether it was reached."""
    steps = [{"number": n, "label": complaint_rules.step_label(n), "title": STEP_TITLES[n],
              "reached": n <= current_step, "current": n == current_step, "events": []}
             for n in complaint_rules.STEP_CODES]
    for e in events:
        steps[e.step - 1]["events"].append({"at": when(e.occurred_at, True), "actor": e.actor,
                                            "who": actor(e.actor, e.staff_id, staff),
                                            "note": e.note})
    return steps


def offers(remedy_offered: Optional[Dict[str, Any]]) -> List[Dict[str, str]]:
    """The remedies put to the customer, in order."""
    return [{"title": str(o.get("public", {}).get("title", "")),
             "description": str(o.get("public", {}).get("description", "")),
             "offered_at": _iso_text(o.get("offered_at"))}
            for o in (remedy_offered or {}).get("offers") or []]


def _iso_text(value: Any) -> str:
    """A stored ISO time text as the pages show times ('' when absent or unreadable)."""
    if not isinstance(value, str):
        return ""
    try:
        return when(datetime.fromisoformat(value), True)
    except ValueError:
        return value


def execution_public(remedy_execution: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """The public record of the carried-out remedy ({} when none)."""
    return dict((remedy_execution or {}).get("public") or {})


def records(public: Mapping[str, Any], refund: Any, coupon: Any, points: Any,
            resend: Any) -> List[Dict[str, Any]]:
    """The CRM rows the carried-out remedy wrote, each as a heading and its lines."""
    shown: List[Dict[str, Any]] = []
    if refund is not None:
        shown.append({"kind": "退款记录", "lines": [
            f"退款单 #{refund.id}，订单 {refund.order_no}",
            f"金额 ¥{fen_to_yuan(refund.amount_fen)}",
            f"状态：{label(REFUND_STATUS_LABELS, refund.status)}",
            f"提交于 {when(refund.created_at, True)}"
            + (f"，完成于 {when(refund.completed_at, True)}" if refund.completed_at else "")]})
    if coupon is not None:
        shown.append({"kind": "优惠券", "lines": [
            f"券码 {coupon.code}",
            f"面额 ¥{fen_to_yuan(coupon.value_fen)}，满 ¥{fen_to_yuan(coupon.min_spend_fen)} 可用",
            f"状态：{label(COUPON_STATUS_LABELS, coupon.status)}，有效期至 {when(coupon.expires_at)}"]})
    if points is not None:
        shown.append({"kind": "积分流水", "lines": [
            f"流水 #{points.id}：{points.delta:+d} 积分",
            f"原因：{points.reason}",
            f"记入于 {when(points.created_at, True)}"
            + (f"，到期 {when(points.expires_at)}" if points.expires_at else "")]})
    if resend is not None:
        shown.append({"kind": "补发订单", "lines": [
            f"订单 {resend.order_no}（¥{fen_to_yuan(resend.total_fen)}）",
            f"状态：{label(ORDER_STATUS_LABELS, resend.status)}，创建于 {when(resend.created_at, True)}"]})
    if public.get("handoff_id"):
        shown.append({"kind": "转人工", "lines": [f"转人工记录 #{public['handoff_id']}（见下方转人工）"]})
    expected = {"refund": "refund", "price_difference": "refund", "coupon": "coupon",
                "points": "points", "resend": "resend"}.get(str(public.get("kind")))
    found = {"refund": refund, "coupon": coupon, "points": points, "resend": resend}
    if expected and found[expected] is None:
        shown.append({"kind": "缺少记录", "lines": ["方案执行记录指向的 CRM 记录没有找到，请核查"]})
    return shown


def follow_up_rows(rows: Iterable[Any]) -> List[Dict[str, str]]:
    """The complaint's follow-ups: status, when due, when sent."""
    return [{"status": label(FOLLOW_UP_STATUS_LABELS, r.status), "due_at": when(r.due_at),
             "fired_at": when(r.fired_at)} for r in rows]


def answer_rows(rows: Iterable[Any]) -> List[Dict[str, Any]]:
    """The customer's satisfaction answers."""
    return [{"score": r.score,
             "resolved": "" if r.resolved is None else ("已解决" if r.resolved else "未解决"),
             "comment": r.comment or "", "at": when(r.created_at, True)} for r in rows]


def handoff_rows(rows: Iterable[Any], complaint_id: int) -> List[Dict[str, Any]]:
    """The conversation's handoffs with who took them."""
    return [{"id": r.id, "reason": label(handoff_rules.REASON_LABELS, r.reason),
             "status": label(handoff_rules.STATUS_LABELS, r.status),
             "for_this": r.complaint_id == complaint_id,
             "created_at": when(r.created_at), "assigned": r.assigned_name or "",
             "assigned_at": when(r.assigned_at), "first_response_at": when(r.first_response_at),
             "closed_at": when(r.closed_at), "handed_back": r.handed_back_at is not None,
             "note": r.resolution_note or "", "csat": r.csat_score} for r in rows]


def transcript_rows(rows: Iterable[Any]) -> List[Dict[str, str]]:
    """The transcript's messages with who wrote each (a person by name)."""
    shown = []
    for r in rows:
        who = label(AUTHOR_LABELS, r.author)
        if r.author == "agent" and r.staff_name:
            who = f"{who} · {r.staff_name}"
        shown.append({"author": r.author, "who": who, "text": r.text,
                      "at": when(r.created_at, True)})
    return shown
