"""Appointments and bookable slots to the JSON shapes of the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List

from crm_backend.appointments import rules
from crm_backend.appointments.policy import AppointmentPolicy
from crm_backend.appointments.store import OrderOptions
from crm_backend.core.models import Appointment
from crm_backend.core.time import BEIJING, beijing_iso
from crm_backend.core.vocabulary import order_status_label
from crm_backend.orders.views import item_summary


def slot_json(slot: rules.Slot) -> Dict[str, Any]:
    """One bookable slot: `id` is what the bot sends back."""
    return {"id": f"{slot.day.isoformat()} {slot.window}", "day": slot.day.isoformat(),
            "window": slot.window, "label": slot.label}


def appointment_json(appointment: Appointment) -> Dict[str, Any]:
    """A booking: its kind, day and window."""
    slot = rules.Slot(appointment.day, appointment.time_window)
    return {"kind": appointment.kind, "kind_label": rules.KIND_LABELS[appointment.kind],
            "status": appointment.status, **slot_json(slot), "changes": appointment.changes,
            "booked_at": beijing_iso(appointment.created_at),
            "updated_at": beijing_iso(appointment.updated_at)}


def options_json(option: OrderOptions, now: datetime, policy: AppointmentPolicy,
                 with_slots: bool) -> Dict[str, Any]:
    """An order with the kinds it may book (and their slots) and its bookings."""
    order = option.order
    kinds: List[Dict[str, Any]] = []
    for kind, refusal in option.refusals.items():
        entry: Dict[str, Any] = {"kind": kind, "label": rules.KIND_LABELS[kind],
                                 "allowed": refusal is None, "reason": refusal}
        if with_slots and refusal is None:
            entry["slots"] = [slot_json(s) for s in rules.slots(kind, now, policy)]
        kinds.append(entry)
    return {"order_no": order.order_no, "status": order.status,
            "today": now.astimezone(BEIJING).date().isoformat(),
            "status_label": order_status_label(order.status),
            "item_summary": item_summary(order.items),
            "kinds": kinds,
            "appointments": [appointment_json(a) for a in option.booked]}
