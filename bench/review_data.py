"""Build a large history for the managers' pages in a fresh database.

    .venv/bin/python -m bench.review_data --backend sqlite|postgresql
        [--complaints 100000] [--messages 1000000] [--seed 14] [--work-dir DIR]

SQLite: a new file `review-bench.sqlite3` in the work directory (default $KEFU_BENCH_DIR or
/tmp/kefu-bench). PostgreSQL: the database `kefu_bench_review` on 127.0.0.1:5432 (user postgres,
trust auth), dropped and created again. The schema comes from the CRM's own migrations; the rows
(bench/review_history.py) are deterministic for a seed and lie before a fixed reference time,
which `bench.review_speed` gives the CRM as its clock. Rows go in with plain bulk inserts
(sqlite3 executemany, asyncpg COPY), then the tables are analysed (SQLite ANALYZE; PostgreSQL
VACUUM ANALYZE, as autovacuum would soon do). Prints what it built and how
long each part took; the manager account is bench-manager / bench-manager-password-14.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import asyncpg
import psycopg2
from sqlalchemy import JSON, Boolean, Date

from bench.review_history import (MANAGER_PASSWORD, MESSAGE_COLUMNS, REFERENCE, TABLE_ORDER,
                                  History, Sizes, long_transcript_complaint, rows_of)
from crm_backend.core.config import CRMConfig
from crm_backend.core.db import create_engine
from crm_backend.core.migrate import upgrade
from crm_backend.core.models import Base, UTCDateTime
from crm_backend.policies import load_policies
from crm_backend.staff.passwords import hash_password

PG_HOST_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=5"


PG_DATABASE = "kefu_bench_review"


BATCH = 20_000


def work_dir(raw: Optional[str] = None) -> Path:
    """Where the SQLite database and the run's notes live (never inside the repository)."""
    return Path(raw or os.environ.get("KEFU_BENCH_DIR") or Path(tempfile.gettempdir()) / "kefu-bench")


def database_url(backend: str, directory: Path) -> str:
    """The bench database's URL for the CRM."""
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{directory / 'review-bench.sqlite3'}"
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{PG_DATABASE}"


def notes_path(backend: str, directory: Path) -> Path:
    """The JSON file that tells the speed bench what was built (sizes, a long transcript)."""
    return directory / f"review-bench-{backend}.json"


def _fresh(backend: str, directory: Path) -> None:
    """Remove the previous bench database."""
    if backend == "sqlite":
        directory.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            (directory / f"review-bench.sqlite3{suffix}").unlink(missing_ok=True)
        return
    conn = psycopg2.connect(PG_HOST_DSN)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    finally:
        conn.close()


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def _converter(backend: str, table: str, column: str) -> Optional[Callable[[Any], Any]]:
    """How a Python value is handed to the driver (None: as it is)."""
    model = Base.metadata.tables.get(table)
    kind = model.c[column].type if model is not None and column in model.c else None
    if isinstance(kind, JSON):
        return lambda v: None if v is None else json.dumps(v)
    if backend == "postgresql":
        return None
    if isinstance(kind, UTCDateTime):
        return lambda v: None if v is None else v.isoformat(sep=" ", timespec="microseconds")
    if isinstance(kind, Date):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(kind, Boolean):
        return lambda v: None if v is None else int(v)
    return None


def _converted(backend: str, table: str, columns: Sequence[str],
               rows: Iterable[Tuple[Any, ...]]) -> Iterable[Tuple[Any, ...]]:
    converters = [_converter(backend, table, c) for c in columns]
    if not any(converters):
        yield from rows
        return
    pairs = list(enumerate(converters))
    for row in rows:
        yield tuple(value if convert is None else convert(value)
                    for (_, convert), value in zip(pairs, row))


def _batches(rows: Iterable[Tuple[Any, ...]]) -> Iterable[List[Tuple[Any, ...]]]:
    batch: List[Tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class SqliteSink:
    """Bulk inserts through the standard library's sqlite3 (no per-row ORM work)."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("PRAGMA foreign_keys=OFF")

    async def columns(self, table: str) -> List[str]:
        return [row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")]

    async def write(self, table: str, columns: Sequence[str], rows: Iterable[Tuple[Any, ...]]) -> int:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        count = 0
        self.conn.execute("BEGIN")
        for batch in _batches(_converted("sqlite", table, columns, rows)):
            self.conn.executemany(sql, batch)
            count += len(batch)
        self.conn.execute("COMMIT")
        return count

    async def finish(self, analyse: bool) -> None:
        if analyse:
            self.conn.execute("ANALYZE")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()


class PostgresSink:
    """COPY through asyncpg; the id sequences are moved past the rows written; VACUUM ANALYZE at
    the end (statistics, and the visibility map index-only scans need)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    @classmethod
    async def open(cls) -> "PostgresSink":
        return cls(await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres",
                                         database=PG_DATABASE))

    async def columns(self, table: str) -> List[str]:
        rows = await self.conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = $1 "
            "ORDER BY ordinal_position", table)
        return [r["column_name"] for r in rows]

    async def write(self, table: str, columns: Sequence[str], rows: Iterable[Tuple[Any, ...]]) -> int:
        count = 0
        for batch in _batches(_converted("postgresql", table, columns, rows)):
            await self.conn.copy_records_to_table(table, records=batch, columns=list(columns))
            count += len(batch)
        await self.conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)")
        return count

    async def finish(self, analyse: bool) -> None:
        if analyse:
            await self.conn.execute("VACUUM ANALYZE")
        await self.conn.close()


async def _load(sink: Any, history: History, say: Callable[[str], None]) -> Dict[str, int]:
    """Every generated table, parents first; returns the row counts."""
    counts: Dict[str, int] = {}
    for table in TABLE_ORDER:
        present = await sink.columns(table)
        columns = [c for c in present if c in _wanted(history, table)] or ["id"]
        started = time.perf_counter()
        counts[table] = await sink.write(table, columns, rows_of(table, columns, history))
        say(f"  {table:<22} {counts[table]:>9} rows  {time.perf_counter() - started:6.1f} s")
    present = await sink.columns("complaint_events")
    extra = [c for c in ("actor", "staff_id") if c in present]
    columns = ["id", "complaint_id", "step", "occurred_at", "note", *extra]
    started = time.perf_counter()
    counts["complaint_events"] = await sink.write(
        "complaint_events", columns, history.event_rows("actor" in extra, "staff_id" in extra))
    say(f"  {'complaint_events':<22} {counts['complaint_events']:>9} rows  "
        f"{time.perf_counter() - started:6.1f} s" + (f"  (with {', '.join(extra)})" if extra else ""))
    started = time.perf_counter()
    counts["conversation_messages"] = await sink.write("conversation_messages", MESSAGE_COLUMNS,
                                                       history.message_rows())
    say(f"  {'conversation_messages':<22} {counts['conversation_messages']:>9} rows  "
        f"{time.perf_counter() - started:6.1f} s")
    return counts


def _wanted(history: History, table: str) -> set:
    """Every column some generated row of `table` sets."""
    names: set = set()
    for row in history.rows.get(table, []):
        names.update(row)
    return names


async def build(backend: str, sizes: Sizes, seed: int, directory: Path, analyse: bool = True,
                say: Callable[[str], None] = print) -> Dict[str, Any]:
    """Generate, migrate a fresh database, load, analyse; what was built (also written next to
    the database for the speed bench)."""
    clock = time.perf_counter()
    _fresh(backend, directory)
    url = database_url(backend, directory)
    await _migrate(url)
    migrated = time.perf_counter()
    say(f"{backend}: migrated a fresh database in {migrated - clock:.1f} s ({url})")
    policies = load_policies(CRMConfig())
    history = History(sizes, seed, policies.rewards, policies.risk)
    history.build(hash_password(MANAGER_PASSWORD), hash_password(f"bench-{seed}-agents-only"))
    generated = time.perf_counter()
    say(f"generated {sizes.complaints} complaints and {len(history.messages)} messages "
        f"(seed {seed}) in {generated - migrated:.1f} s")
    sink = (SqliteSink(url.split("///", 1)[1]) if backend == "sqlite" else
            await PostgresSink.open())
    counts = await _load(sink, history, say)
    loaded = time.perf_counter()
    await sink.finish(analyse)
    done = time.perf_counter()
    say(f"loaded in {loaded - generated:.1f} s, analysed in {done - loaded:.1f} s; "
        f"total {done - clock:.1f} s")
    notes = {"backend": backend, "url": url, "seed": seed, "reference": REFERENCE.isoformat(),
             "counts": counts, "long_transcript_complaint": long_transcript_complaint(history),
             "seconds": {"migrate": round(migrated - clock, 1),
                         "generate": round(generated - migrated, 1),
                         "load": round(loaded - generated, 1),
                         "analyse": round(done - loaded, 1), "total": round(done - clock, 1)}}
    notes_path(backend, directory).write_text(json.dumps(notes, ensure_ascii=False, indent=2))
    return notes


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--work-dir", default=None,
                        help="where the SQLite file and the run's notes go (default "
                             "$KEFU_BENCH_DIR or /tmp/kefu-bench)")
    parser.add_argument("--no-analyse", action="store_true",
                        help="skip ANALYZE (to see the pages on unanalysed tables)")
    args = parser.parse_args(argv)
    directory = work_dir(args.work_dir)
    directory.mkdir(parents=True, exist_ok=True)
    asyncio.run(build(args.backend, Sizes(args.complaints, args.messages), args.seed, directory,
                      analyse=not args.no_analyse))


if __name__ == "__main__":
    main()
