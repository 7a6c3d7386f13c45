"""Run the Alembic migrations programmatically, independent of the working directory."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"


def alembic_config(database_url: str, connection: Optional[Connection] = None) -> Config:
    """Alembic config built in code; `connection` lets env.py reuse an open connection."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest revision id shipped with the code."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def _upgrade_sync(connection: Connection, database_url: str, revision: str) -> None:
    """Upgrade on an already open synchronous connection."""
    command.upgrade(alembic_config(database_url, connection), revision)


def _downgrade_sync(connection: Connection, database_url: str, revision: str) -> None:
    """Downgrade on an already open synchronous connection."""
    command.downgrade(alembic_config(database_url, connection), revision)


def _current_sync(connection: Connection) -> Optional[str]:
    """The revision stamped in the database, if any."""
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade the database behind `engine` to `revision` (default: head)."""
    url = engine.url.render_as_string(hide_password=False)
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade_sync, url, revision)


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    """Downgrade the database behind `engine` to `revision` (default: drop everything)."""
    url = engine.url.render_as_string(hide_password=False)
    async with engine.begin() as conn:
        await conn.run_sync(_downgrade_sync, url, revision)


async def current_revision(engine: AsyncEngine) -> Optional[str]:
    """The revision the database is at, or None when unmigrated."""
    async with engine.connect() as conn:
        return await conn.run_sync(_current_sync)
