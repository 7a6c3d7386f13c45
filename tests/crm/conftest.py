"""Fixtures: one seeded database per backend per session, a live server per test."""

from __future__ import annotations

from typing import AsyncIterator, Iterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from crm_backend.app import create_app
from crm_backend.core.clock import FixedClock
from crm_backend.core.config import CRMConfig

from .databases import SEED_NOW, TestDatabase, seeded_database

SERVICE_TOKEN = "test-service-token"
TOKEN_SECRET = "test-token-secret-that-is-long-enough-for-hs256"
MAX_BODY_BYTES = 4096


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestDatabase]:
    """A migrated and seeded database on each backend, shared by the whole session."""
    yield from seeded_database(request.param, lambda: tmp_path_factory.mktemp("crm-sqlite"))


@pytest.fixture
def config(database: TestDatabase) -> CRMConfig:
    """Settings pointing at the seeded database, with test secrets."""
    return CRMConfig(
        database_url=database.url,
        service_token=SERVICE_TOKEN,
        token_secret=TOKEN_SECRET,
        max_body_bytes=MAX_BODY_BYTES,
    )


@pytest.fixture
def clock() -> FixedClock:
    """The CRM app's clock in these tests, at `SEED_NOW`; a test may move it."""
    return FixedClock(SEED_NOW)


@pytest.fixture
async def client(config: CRMConfig, clock: FixedClock) -> AsyncIterator[TestClient]:
    """A real aiohttp server on loopback and a client for it."""
    server = TestServer(create_app(config, clock), host="127.0.0.1")
    test_client = TestClient(server)
    await test_client.start_server()
    try:
        yield test_client
    finally:
        await test_client.close()


@pytest.fixture
def auth() -> dict:
    """Headers carrying the service token."""
    return {"Authorization": f"Bearer {SERVICE_TOKEN}"}
