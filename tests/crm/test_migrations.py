"""The migration produces exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from crm_backend.core.db import create_engine
from crm_backend.core.migrate import current_revision, downgrade, head_revision, upgrade
from crm_backend.core.models import Base

from .databases import TestDatabase, sqlite_url


def _diff(sync_conn) -> list:
    context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)


async def test_migrated_schema_matches_models(database: TestDatabase) -> None:
    engine = create_engine(database.url)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()


async def test_downgrade_to_base_and_back(tmp_path) -> None:
    engine = create_engine(sqlite_url(tmp_path))
    try:
        await upgrade(engine)
        await downgrade(engine, "base")
        assert await current_revision(engine) is None
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()
