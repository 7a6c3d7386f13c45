"""Routes of the tier, loyalty, risk and win-back endpoints, registered in one call."""

from __future__ import annotations

from aiohttp import web

from . import deliveries, loyalty, notifications, risk, tiers


def add_loyalty_routes(app: web.Application) -> None:
    """Register every tier, points, rewards, delivery, risk and win-back route on `app`."""
    r = app.router
    r.add_get("/api/customers/{customer_id}/points", loyalty.get_points)
    r.add_post("/api/customers/{customer_id}/points/grant", loyalty.grant)
    r.add_post("/api/customers/{customer_id}/points/redeem", loyalty.redeem_points)
    r.add_get("/api/customers/{customer_id}/membership", loyalty.membership)
    r.add_get("/api/rewards/catalogue", loyalty.catalogue)
    r.add_post("/api/orders/{order_no}/delivered", deliveries.delivered)
    r.add_post("/api/customers/{customer_id}/tier/recompute", tiers.recompute_one)
    r.add_post("/api/tiers/recompute", tiers.recompute_everyone)
    r.add_post("/api/customers/{customer_id}/bad-faith", tiers.set_bad_faith)
    r.add_post("/api/customers/{customer_id}/risk-signals", risk.record_signal)
    r.add_post("/api/customers/{customer_id}/winback", risk.winback)
    r.add_get("/api/winback/{attempt_id}", risk.get_attempt)
    r.add_patch("/api/winback/{attempt_id}", risk.record_outcome)
    r.add_post("/api/risk/scan", risk.run_scan)
    r.add_get("/api/risk-flags", risk.list_flags)
    r.add_get("/api/notifications", notifications.list_notifications)
    r.add_post("/api/notifications/{notification_id}/read", notifications.mark_read)
