"""Product catalogue search."""

from __future__ import annotations

from aiohttp import web

from crm_backend.catalogue.store import search_products
from crm_backend.catalogue.views import product_json
from crm_backend.core import body as validation
from crm_backend.core.http import json_response
from crm_backend.core.state import session

DEFAULT_PRODUCT_LIMIT = 10


MAX_PRODUCT_LIMIT = 50


async def search(request: web.Request) -> web.Response:
    """Products matching `q` in name, brand or category."""
    query = request.query.get("q", "").strip()
    limit = validation.int_value(
        request.query.get("limit"), "limit", DEFAULT_PRODUCT_LIMIT, 1, MAX_PRODUCT_LIMIT
    )
    async with session(request) as db:
        products = await search_products(db, query, limit or DEFAULT_PRODUCT_LIMIT)
    return json_response({"products": [product_json(p) for p in products]})


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_get("/api/products", search)
