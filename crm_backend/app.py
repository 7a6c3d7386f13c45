"""The aiohttp application: every domain's routes, the middlewares, the database and the
background loops, built from one configuration."""

from __future__ import annotations

from functools import partial
from typing import AsyncIterator, Optional

from aiohttp import web

from crm_backend.aftersales import api as aftersales
from crm_backend.appointments import api as appointments
from crm_backend.at_risk import api as at_risk
from crm_backend.catalogue import api as catalogue
from crm_backend.complaint_log import api as complaint_log
from crm_backend.complaints import api as complaints
from crm_backend.complaints.follow_up import COMPLAINT_FOLLOW_UP
from crm_backend.console import api as console
from crm_backend.core import health
from crm_backend.core.auth import SERVICE_TOKEN_KEY, service_auth_middleware
from crm_backend.core.clock import Clock, SystemClock
from crm_backend.core.config import CRMConfig
from crm_backend.core.db import (create_engine, create_read_engine, create_read_sessionmaker,
                                 create_sessionmaker)
from crm_backend.core.http import error_middleware
from crm_backend.core.state import CLOCK_KEY, CONFIG_KEY, READ_SESSIONS_KEY, SESSIONS_KEY
from crm_backend.customers import api as customers
from crm_backend.demo import api as demo
from crm_backend.followups import api as followups
from crm_backend.followups.scheduler import FOLLOW_UPS_KEY, FollowUps, scheduler
from crm_backend.handoffs import api as handoffs
from crm_backend.handoffs.runner import expiry_loop
from crm_backend.identity import api as identity
from crm_backend.invoices import api as invoices
from crm_backend.jobs.runner import daily_jobs
from crm_backend.loyalty import api as loyalty
from crm_backend.notifications import api as notifications
from crm_backend.orders import api as orders
from crm_backend.policies import POLICIES_KEY, load_policies
from crm_backend.pricing import api as pricing
from crm_backend.review import api as review
from crm_backend.risk import api as risk
from crm_backend.staff import api as staff
from crm_backend.staff.guard import setup_templates, staff_guard_middleware
from crm_backend.transcripts import api as transcripts
from crm_backend.vocabulary import api as vocabulary
from crm_backend.wechat import api as wechat
from crm_backend.widget import api as widget
from crm_backend.winback import api as winback
from crm_backend.winback.follow_up import WINBACK_FOLLOW_UP

API_MODULES = (health, identity, customers, orders, catalogue, loyalty, risk, winback,
               notifications, complaints, handoffs, followups, vocabulary, widget, demo,
               wechat, transcripts, console, staff, pricing, aftersales, invoices, appointments,
               review, complaint_log, at_risk)


async def database(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the engine and session factory for the app's lifetime."""
    url = app[CONFIG_KEY].database_url
    engine = create_engine(url)
    readers = create_read_engine(url, engine)
    app[SESSIONS_KEY] = create_sessionmaker(engine)
    app[READ_SESSIONS_KEY] = create_read_sessionmaker(readers)
    yield
    await engine.dispose()
    if readers is not engine:
        await readers.dispose()


def create_app(config: CRMConfig, clock: Optional[Clock] = None) -> web.Application:
    """Build the CRM web application for `config`; every "now" comes from `clock`.

    Every policy file is read and checked here: a broken one stops start-up (PolicyError).
    Middlewares, outermost first: errors to JSON, the service token for /api (but /api/staff),
    the staff guard for /staff/ and /api/staff/, then the templates' context (added by
    `setup_templates`).
    """
    app = web.Application(
        middlewares=[error_middleware, service_auth_middleware, staff_guard_middleware],
        client_max_size=config.max_body_bytes,
    )
    setup_templates(app)
    app[CONFIG_KEY] = config
    app[CLOCK_KEY] = clock or SystemClock()
    policies = app[POLICIES_KEY] = load_policies(config)
    app[FOLLOW_UPS_KEY] = FollowUps((COMPLAINT_FOLLOW_UP, WINBACK_FOLLOW_UP),
                                    policies.remedies.follow_up)
    app[SERVICE_TOKEN_KEY] = config.service_token
    # Unwound in reverse: the loops stop before the database closes.
    app.cleanup_ctx.extend([
        database,
        scheduler,
        partial(daily_jobs, rewards=policies.rewards, risk=policies.risk),
        partial(expiry_loop, policy=policies.handoffs),
    ])
    for module in API_MODULES:
        module.add_routes(app.router)
    return app
