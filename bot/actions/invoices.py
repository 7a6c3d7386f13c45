"""E-invoice of an order: show it, send it again to an email, or change the title / tax number
(a re-issue, confirmed first). The form asks only what the words did not already say."""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import after_sales_replies as replies
from bot.actions.choices import offer_orders
from bot.actions.crm_client import CRMClient, CRMRejected
from bot.actions.customer_action import CustomerAction, slot_order_no, slot_text
from bot.actions.failures import HonestAction
from bot.actions.idempotency import message_key
from bot.actions.order_matching import orders_mentioned
from bot.actions.pending import ask_confirmation
from bot.actions.requests import request_text
from crm_backend.invoices.rules import tax_no_problem, title_problem

INTENT = "invoice_request"
FORM = "invoice_form"
SLOTS = ("invoice_order_no", "invoice_operation", "invoice_email", "invoice_title",
         "invoice_tax_no")
MAX_CHOICES = 5
EMAIL_HINT = "邮箱格式好像不对，例如 name@qq.com，请再发一次（不办了可以说「算了」）。"


def cleared() -> List[EventType]:
    """Every invoice slot emptied."""
    return [SlotSet(name, None) for name in SLOTS]


def kind_of(title: str) -> str:
    """个人 or a person's name is a personal invoice; an organisation's name a company one."""
    return "personal" if title == "个人" else replies.title_kind(title)


def candidates(invoices: List[Dict[str, Any]], operation: str) -> List[Dict[str, Any]]:
    """The invoices a request may be about: issued ones to send or change, any to look at."""
    if operation == "status":
        return invoices[:MAX_CHOICES]
    issued = [i for i in invoices if i["status"] == "issued"]
    return (issued or invoices)[:MAX_CHOICES]


class ActionInvoiceRequest(CustomerAction):
    """Which order's invoice, what to do with it; asks the missing details through the form."""

    def name(self) -> Text:
        return "action_invoice_request"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int) -> List[EventType]:
        said = request_text(tracker, INTENT)
        operation = replies.invoice_operation(said)
        events: List[EventType] = [SlotSet("order_no", None)] + cleared()
        order_no = slot_order_no(tracker)
        if order_no:
            invoice = await crm.invoice(order_no, customer_id)
            if invoice is None:
                dispatcher.utter_message(text=f"没有查到订单 {order_no} 的发票，请核对订单号；"
                                              "下单时没开票的，可以在「订单详情 → 申请开票」补开。")
                return events
        else:
            invoices = candidates(await crm.invoices(customer_id), operation)
            if not invoices:
                dispatcher.utter_message(text=replies.NO_INVOICES)
                return events
            named = orders_mentioned([said], invoices)
            if len(invoices) > 1 and len(named) != 1:
                text, buttons = replies.choose_invoice(invoices)
                return events + [offer_orders(dispatcher, text, buttons)]
            invoice = named[0] if named else invoices[0]
        return events + await self.handle(dispatcher, tracker, crm, customer_id, invoice,
                                          operation, said)

    @staticmethod
    async def handle(dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int, invoice: Dict[str, Any], operation: str, said: str
                     ) -> List[EventType]:
        """Show the invoice; or send it / repeat the change back when the words said all that is
        needed; or ask the rest through the form."""
        if operation == "status" or invoice["status"] != "issued":
            dispatcher.utter_message(text=replies.describe_invoice(invoice))
            return []
        known: Dict[str, Any] = {"invoice_order_no": invoice["order_no"],
                                 "invoice_operation": operation}
        if operation == "resend":
            known["invoice_email"] = replies.email_in(said)
            ready = bool(known["invoice_email"])
        else:
            title, tax_no = replies.title_in(said), replies.tax_no_in(said)
            known["invoice_title"] = title
            known["invoice_tax_no"] = tax_no if tax_no and not tax_no_problem(tax_no) else None
            ready = bool(title) and (kind_of(title) == "personal" or bool(known["invoice_tax_no"]))
        events: List[EventType] = [SlotSet(name, value) for name, value in known.items()]
        if not ready:
            return events + [FollowupAction(FORM)]
        view = tracker.copy()
        view.slots.update(known)
        return events + await ActionInvoiceSubmit().answer(dispatcher, view, crm, customer_id)


class ValidateInvoiceForm(HonestAction, FormValidationAction):
    """The email for a send; the title, and for a company the tax number, for a change."""

    def name(self) -> Text:
        return "validate_invoice_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        if slot_text(tracker, "invoice_operation") == "resend":
            return ["invoice_email"]
        title = slot_text(tracker, "invoice_title")
        if title and kind_of(title) == "personal":
            return ["invoice_title"]
        return ["invoice_title", "invoice_tax_no"]

    def validate_invoice_email(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        email = replies.email_in(str(value or ""))
        if email is None:
            dispatcher.utter_message(text=EMAIL_HINT)
        return {"invoice_email": email}

    def validate_invoice_title(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        title = replies.clean_title(str(value or ""))
        problem = (replies.title_answer_problem(title) or title_problem(kind_of(title), title)
                   if title else "发票抬头应为 2 到 100 个字")
        if problem:
            dispatcher.utter_message(text=f"{problem}，请再发一次（不改了可以说「算了」）。")
            return {"invoice_title": None}
        slots: Dict[Text, Any] = {"invoice_title": title}
        tax_no = replies.tax_no_in(tracker.latest_message.get("text") or "")
        if tax_no and not tax_no_problem(tax_no):
            slots["invoice_tax_no"] = tax_no
        return slots

    def validate_invoice_tax_no(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        tax_no = replies.tax_no_in(str(value or ""))
        problem = tax_no_problem(tax_no) if tax_no else "没有识别到税号"
        if problem:
            dispatcher.utter_message(text=f"{problem}。税号是 18 位统一社会信用代码，"
                                          "请再发一次（不改了可以说「算了」）。")
            return {"invoice_tax_no": None}
        return {"invoice_tax_no": tax_no}


class ActionInvoiceSubmit(CustomerAction):
    """A send goes out now; a change is repeated back and waits for a yes."""

    def name(self) -> Text:
        return "action_invoice_submit"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int) -> List[EventType]:
        order_no = slot_text(tracker, "invoice_order_no")
        operation = slot_text(tracker, "invoice_operation")
        if not order_no:
            dispatcher.utter_message(response="utter_invoice_incomplete")
            return cleared()
        if operation == "resend":
            email = slot_text(tracker, "invoice_email")
            try:
                result = await crm.send_invoice(order_no, customer_id, email,
                                                message_key(tracker, "invoice-send", order_no))
            except CRMRejected as rejected:
                dispatcher.utter_message(text=f"{rejected.message}。")
                return cleared()
            dispatcher.utter_message(text=replies.invoice_sent(order_no, result))
            return cleared()
        invoice = await crm.invoice(order_no, customer_id)
        title = slot_text(tracker, "invoice_title")
        if invoice is None or not title:
            dispatcher.utter_message(response="utter_invoice_incomplete")
            return cleared()
        kind = kind_of(title)
        tax_no: Optional[str] = slot_text(tracker, "invoice_tax_no") if kind == "company" else None
        dispatcher.utter_message(text=replies.confirm_reissue(invoice, kind, title, tax_no),
                                 buttons=replies.CONFIRM_REISSUE)
        return cleared() + [ask_confirmation("invoice_reissue", order_no=order_no,
                                             invoice_kind=kind, title=title, tax_no=tax_no)]


class InvoiceReissueConfirmation:
    """Yes: the CRM re-issues the invoice (once per message) or says why not; no: nothing."""

    async def on_yes(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                     customer_id: int, pending: Dict[str, Any]) -> List[EventType]:
        order_no = pending["order_no"]
        try:
            result = await crm.reissue_invoice(order_no, customer_id, pending["invoice_kind"],
                                               pending["title"], pending.get("tax_no"),
                                               message_key(tracker, "invoice-reissue", order_no))
        except CRMRejected as rejected:
            dispatcher.utter_message(text=f"{rejected.message}。")
            return []
        dispatcher.utter_message(text=replies.invoice_reissued(result))
        return []

    async def on_no(self, dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient,
                    customer_id: int, pending: Dict[str, Any]) -> List[EventType]:
        dispatcher.utter_message(response="utter_invoice_kept")
        return []
