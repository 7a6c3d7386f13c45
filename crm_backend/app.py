"""The aiohttp application: routes, middlewares and database lifecycle."""

from __future__ import annotations

from typing import Optional

from aiohttp import web

from .api import customers, health, identity, orders, products
from .api.complaint_routes import add_complaint_routes
from .api.loyalty_routes import add_loyalty_routes
from .auth import SERVICE_TOKEN_KEY, service_auth_middleware
from .clock import Clock, SystemClock
from .config import CRMConfig
from .daily_runner import start_daily_jobs, stop_daily_jobs
from .db import create_engine, create_sessionmaker
from .errors import error_middleware
from .state import CLOCK_KEY, CONFIG_KEY, ENGINE_KEY, SESSIONS_KEY


async def _open_database(app: web.Application) -> None:
    """Create the engine and session factory on startup."""
    engine = create_engine(app[CONFIG_KEY].database_url)
    app[ENGINE_KEY] = engine
    app[SESSIONS_KEY] = create_sessionmaker(engine)


async def _close_database(app: web.Application) -> None:
    """Dispose of the engine on cleanup."""
    await app[ENGINE_KEY].dispose()


def create_app(config: CRMConfig, clock: Optional[Clock] = None) -> web.Application:
    """Build the CRM web application for `config`; every "now" comes from `clock`."""
    app = web.Application(
        middlewares=[error_middleware, service_auth_middleware],
        client_max_size=config.max_body_bytes,
    )
    app[CONFIG_KEY] = config
    app[CLOCK_KEY] = clock or SystemClock()
    app[SERVICE_TOKEN_KEY] = config.service_token
    app.on_startup.append(_open_database)
    app.on_startup.append(start_daily_jobs)
    app.on_cleanup.append(stop_daily_jobs)
    app.on_cleanup.append(_close_database)
    app.router.add_get("/health", health.health)
    app.router.add_post("/api/identity/verify-token", identity.verify_token)
    app.router.add_post("/api/identity/bind", identity.bind)
    app.router.add_get("/api/customers/{customer_id}", customers.get_customer)
    app.router.add_get("/api/customers/{customer_id}/orders", customers.list_orders)
    app.router.add_get("/api/orders/{order_no}", orders.get_order)
    app.router.add_get("/api/products", products.search)
    add_loyalty_routes(app)
    add_complaint_routes(app)
    return app
