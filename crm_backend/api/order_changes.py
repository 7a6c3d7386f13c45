"""Cancelling and modifying an order for its customer (issue #3)."""

from __future__ import annotations

from typing import Any, Dict

from aiohttp import web

from .. import body_fields, order_change_store, validation
from ..models import Order
from ..order_changes import FIELDS, load_order_rules
from ..queries import order_detail
from ..responses import json_response
from ..serializers import mask_phone, order_detail_json, refund_json
from ..state import CONFIG_KEY, now, session
from ..tiering import recompute_tier
from .complaint_params import MAX_CUSTOMER_ID

VALUE_MAX_LENGTH = 255


def changed_order_json(order: Order) -> Dict[str, Any]:
    """Order detail plus what the customer may change (address, phone, delivery time, specs)."""
    detail = order_detail_json(order)
    detail.update(address=order.address, receiver_name=order.receiver_name,
                  receiver_phone_masked=mask_phone(order.receiver_phone),
                  delivery_time=order.delivery_time)
    for line, item in zip(detail["items"], order.items):
        line.update(colour=item.colour, size=item.size)
    return detail


async def _reloaded(db, order_no: str) -> Order:
    """The order read again with everything the detail needs."""
    db.expunge_all()
    order = await order_detail(db, order_no)
    assert order is not None
    return order


async def cancel(request: web.Request) -> web.Response:
    """Cancel a pending order (refund requested when paid); 409 with the reason otherwise."""
    order_no = validation.order_no(request.match_info["order_no"])
    body = await validation.json_object(request)
    customer_id = body_fields.integer(body, "customer_id", 1, MAX_CUSTOMER_ID)
    reason = body_fields.optional_text(body, "reason")
    key = body_fields.idempotency_key(body)
    rules = load_order_rules(request.app[CONFIG_KEY].orders_policy_path)
    async with session(request) as db:
        order = await order_change_store.owned_order(db, order_no, customer_id)
        moment = now(request)
        refund, created = await order_change_store.cancel(db, order, reason, key, rules, moment)
        if created:
            await recompute_tier(db, customer_id, moment)
        await db.commit()
        order = await _reloaded(db, order_no)
    refund_body = refund_json([refund]) if refund is not None else None
    return json_response({"order": changed_order_json(order), "refund": refund_body,
                          "cancelled": True}, status=201 if created else 200)


async def modify(request: web.Request) -> web.Response:
    """Change address, phone, spec or delivery time before shipping; 409 with the reason after."""
    order_no = validation.order_no(request.match_info["order_no"])
    body = await validation.json_object(request)
    customer_id = body_fields.integer(body, "customer_id", 1, MAX_CUSTOMER_ID)
    field = body_fields.choice(body, "field", FIELDS)
    value = body_fields.text(body, "value", VALUE_MAX_LENGTH)
    key = body_fields.idempotency_key(body)
    rules = load_order_rules(request.app[CONFIG_KEY].orders_policy_path)
    async with session(request) as db:
        order = await order_change_store.owned_order(db, order_no, customer_id)
        created = await order_change_store.modify(db, order, field, value, key, rules, now(request))
        await db.commit()
        order = await _reloaded(db, order_no)
    return json_response({"order": changed_order_json(order), "field": field},
                         status=201 if created else 200)
