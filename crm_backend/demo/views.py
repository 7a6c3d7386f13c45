"""The demo shop page, rendered from a template with every value escaped."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from jinja2 import Environment, PackageLoader, select_autoescape

from crm_backend.core.models import Customer, Order
from crm_backend.core.vocabulary import tier_label
from crm_backend.customers.views import mask_phone

TEMPLATES = Environment(loader=PackageLoader("crm_backend.demo", "templates"),
                        autoescape=select_autoescape(("html",)))


def customer_choice(customer: Customer) -> Dict[str, Any]:
    """One entry of the page's customer switch."""
    return {"id": customer.id, "name": customer.name, "tier_label": tier_label(customer.tier),
            "phone_masked": mask_phone(customer.phone)}


def render_page(*, shop_name: str, socket_url: str, customers: List[Customer],
                example: Optional[Order], example_customer: Optional[Customer]) -> str:
    """The page: a shop front, the switch between demo customers, and the widget's config."""
    example_json = None
    if example is not None and example_customer is not None:
        example_json = {"order_no": example.order_no, "phone_tail": example_customer.phone[-4:]}
    return TEMPLATES.get_template("demo.html").render(
        shop_name=shop_name,
        customers=[customer_choice(c) for c in customers],
        example=example_json,
        widget_config={"socketUrl": socket_url, "socketPath": "/socket.io/",
                       "shopId": "kefu-demo", "shopName": shop_name,
                       "greeting": f"您好，欢迎光临{shop_name}！我是在线客服助手，"
                                   "订单、物流、退款、积分会员都可以问我。"},
    )
