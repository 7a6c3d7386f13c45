"""E-invoice rules as plain functions: titles, tax numbers (统一社会信用代码, with its check
character), email addresses, and when a re-issue or a send is allowed."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Dict, Optional, Tuple

from crm_backend.core.time import BEIJING
from crm_backend.invoices.policy import InvoicePolicy

KIND_LABELS: Dict[str, str] = {"personal": "个人", "company": "企业"}
STATUS_LABELS: Dict[str, str] = {"pending": "待开具", "issued": "已开具", "voided": "已作废"}

# GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z), the last one a check.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_SHAPE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}",
                   re.ASCII)
TITLE_LENGTH = (2, 100)
EMAIL_LENGTH = 254
REFUNDED = ("cancelled", "refunding", "refunded")


def normalise_tax_no(text: str) -> str:
    """Upper case, no spaces or dashes."""
    return re.sub(r"[\s-]", "", text).upper()


def uscc_check_char(first17: str) -> str:
    """The check character of a unified social credit code's first 17 characters."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def tax_no_problem(text: str) -> Optional[str]:
    """Why a tax number is not a valid 统一社会信用代码 (Chinese), or None."""
    code = normalise_tax_no(text)
    if len(code) != 18:
        return "税号应为 18 位统一社会信用代码（数字和大写字母）"
    if not USCC_SHAPE.fullmatch(code):
        return "税号只能包含数字和大写字母（不含 I、O、S、V、Z），请核对"
    if uscc_check_char(code[:17]) != code[17]:
        return "税号的校验位不对，请核对后再发一次"
    return None


def title_problem(kind: str, title: str) -> Optional[str]:
    """Why a title does not fit the invoice kind (Chinese), or None."""
    low, high = TITLE_LENGTH
    if not low <= len(title.strip()) <= high:
        return f"发票抬头应为 {low} 到 {high} 个字"
    if kind == "company" and title.strip() in ("个人", "本人"):
        return "企业发票的抬头应填写单位全称"
    return None


def email_problem(email: str) -> Optional[str]:
    """Why an email address is unusable (Chinese), or None."""
    if len(email) > EMAIL_LENGTH or not EMAIL.fullmatch(email):
        return "邮箱格式不正确，例如 name@example.com"
    return None


def details_problem(kind: str, title: str, tax_no: Optional[str]) -> Optional[Tuple[str, str]]:
    """(field, why) when the new invoice details are not usable, else None."""
    problem = title_problem(kind, title)
    if problem:
        return "title", problem
    if kind == "company":
        if not tax_no:
            return "tax_no", "企业发票需要填写税号（18 位统一社会信用代码）"
        problem = tax_no_problem(tax_no)
        if problem:
            return "tax_no", problem
    return None


def reissue_refusal(status: str, order_status: str, first_issued_at: Optional[datetime],
                    reissues: int, now: datetime, policy: InvoicePolicy
                    ) -> Optional[Tuple[str, str]]:
    """(code, reason) when the invoice may not be re-issued now, else None."""
    if order_status in REFUNDED or status == "voided":
        return "invoice_voided", "订单已取消或退款，发票已作废，不能再修改"
    if status != "issued" or first_issued_at is None:
        return "invoice_not_issued", "发票还没有开出（一般在签收后开具），开出后才能修改"
    if now > first_issued_at + timedelta(days=policy.change_days):
        return "change_window_passed", (f"发票开具已超过 {policy.change_days} 天，不能再修改抬头或税号；"
                                        "如确需处理，可以说「转人工」")
    if reissues >= policy.max_reissues:
        return "too_many_reissues", (f"这张发票已经重开过 {reissues} 次，最多只能重开 "
                                     f"{policy.max_reissues} 次；如确需处理，可以说「转人工」")
    return None


def send_refusal(status: str, sends_today: int, policy: InvoicePolicy) -> Optional[Tuple[str, str]]:
    """(code, reason) when the invoice may not be sent now, else None."""
    if status == "voided":
        return "invoice_voided", "发票已作废，不能再发送"
    if status != "issued":
        return "invoice_not_issued", "发票还没有开出（一般在签收后开具），开出后会自动发送"
    if sends_today >= policy.max_sends_per_day:
        return "too_many_sends", (f"这张发票今天已经发送了 {sends_today} 次，请明天再试，"
                                  "或先查看邮箱的垃圾邮件箱")
    return None


def invoice_number(order_id: int, version: int, issued_at: datetime) -> str:
    """A 20-digit e-invoice number: year, region, order and version."""
    year = issued_at.astimezone(BEIJING).strftime("%y")
    return f"{year}3300{order_id:012d}{version:02d}"


def mask_email(email: Optional[str]) -> Optional[str]:
    """'wa***@qq.com' — enough for the customer to recognise it."""
    if not email or "@" not in email:
        return email
    name, domain = email.split("@", 1)
    return f"{name[:2]}***@{domain}"
