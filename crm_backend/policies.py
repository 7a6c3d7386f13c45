"""Every business policy file, read and checked once when the CRM starts.

A broken file stops start-up with its path and the reason (TOML syntax errors carry the line);
afterwards every handler and background loop reads the same parsed values from the app.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from crm_backend.aftersales.policy import AfterSalesPolicy, load_after_sales_policy
from crm_backend.appointments.policy import AppointmentPolicy, load_appointment_policy
from crm_backend.complaints.remedies.policy import load_remedy_table
from crm_backend.complaints.remedies.rules import RemedyTable
from crm_backend.core.config import CRMConfig
from crm_backend.core.policy_files import PolicyError
from crm_backend.handoffs.policy import HandoffPolicy, load_handoff_policy
from crm_backend.identity.policy import IdentityPolicy, load_identity_policy
from crm_backend.invoices.policy import InvoicePolicy, load_invoice_policy
from crm_backend.loyalty.policy import (RewardsPolicy, TierPolicy, load_rewards_policy,
                                        load_tier_policy)
from crm_backend.orders.policy import OrderRules, load_order_rules
from crm_backend.pricing.policy import PriceProtectionPolicy, load_price_protection_policy
from crm_backend.risk.policy import RiskPolicy, load_risk_policy
from crm_backend.staff.policy import StaffPolicy, load_staff_policy


@dataclass(frozen=True)
class Policies:
    """The parsed policy files of one CRM configuration."""

    tiers: TierPolicy
    rewards: RewardsPolicy
    risk: RiskPolicy
    remedies: RemedyTable
    orders: OrderRules
    identity: IdentityPolicy
    staff: StaffPolicy
    handoffs: HandoffPolicy
    price_protection: PriceProtectionPolicy
    after_sales: AfterSalesPolicy
    invoices: InvoicePolicy
    appointments: AppointmentPolicy


def load_policies(config: CRMConfig) -> Policies:
    """Read and check every policy file named by `config`; PolicyError names the file at fault."""
    loaders = (("tiers", load_tier_policy, config.tiers_policy_path),
               ("rewards", load_rewards_policy, config.rewards_policy_path),
               ("risk", load_risk_policy, config.risk_policy_path),
               ("remedies", load_remedy_table, config.remedies_policy_path),
               ("orders", load_order_rules, config.orders_policy_path),
               ("identity", load_identity_policy, config.identity_policy_path),
               ("staff", load_staff_policy, config.staff_policy_path),
               ("handoffs", load_handoff_policy, config.handoffs_policy_path),
               ("price_protection", load_price_protection_policy,
                config.price_protection_policy_path),
               ("after_sales", load_after_sales_policy, config.after_sales_policy_path),
               ("invoices", load_invoice_policy, config.invoices_policy_path),
               ("appointments", load_appointment_policy, config.appointments_policy_path))
    parsed = {}
    for name, load, path in loaders:
        try:
            parsed[name] = load(path)
        except PolicyError as exc:
            message = str(exc)
            raise PolicyError(message if str(path) in message else f"{path}: {message}") from exc
    return Policies(**parsed)


POLICIES_KEY = web.AppKey("policies", Policies)


def policies(request: web.Request) -> Policies:
    """The policies the app loaded at start-up."""
    return request.app[POLICIES_KEY]
