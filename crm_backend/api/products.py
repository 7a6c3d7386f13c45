"""Product catalogue search."""

from __future__ import annotations

from aiohttp import web

from .. import queries, validation
from ..responses import json_response
from ..serializers import product_json
from ..state import session

DEFAULT_PRODUCT_LIMIT = 10
MAX_PRODUCT_LIMIT = 50


async def search(request: web.Request) -> web.Response:
    """Products matching `q` in name, brand or category."""
    query = request.query.get("q", "").strip()
    limit = validation.int_value(
        request.query.get("limit"), "limit", DEFAULT_PRODUCT_LIMIT, 1, MAX_PRODUCT_LIMIT
    )
    async with session(request) as db:
        products = await queries.search_products(db, query, limit or DEFAULT_PRODUCT_LIMIT)
    return json_response({"products": [product_json(p) for p in products]})
