"""Command line: migrate, seed, serve, token, demo, catalogue, tiers, rewards, risk, staff."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import socket
import sys
from typing import Awaitable, Callable, List, Optional, TypeVar

import uvloop
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_backend.app import create_app
from crm_backend.catalogue.store import all_products
from crm_backend.catalogue.views import product_json
from crm_backend.core import migrate
from crm_backend.core.access_log import CRMAccessLogger
from crm_backend.core.clock import SystemClock
from crm_backend.core.config import ConfigError, CRMConfig, check_secrets
from crm_backend.core.db import create_engine, create_sessionmaker
from crm_backend.customers.store import customer_by_id
from crm_backend.identity.rules import issue_customer_token
from crm_backend.jobs.cli import add_loyalty_commands
from crm_backend.seed import demo
from crm_backend.seed import store as seed
from crm_backend.staff.cli import add_staff_commands

log = logging.getLogger("crm_backend")
T = TypeVar("T")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _with_engine(config: CRMConfig, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Run `work(engine)` in a fresh event loop and always dispose of the engine."""

    async def run() -> T:
        engine = create_engine(config.database_url)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def cmd_migrate(config: CRMConfig, args: argparse.Namespace) -> int:
    """`migrate`: upgrade the schema to head."""
    _with_engine(config, migrate.upgrade)
    log.info("数据库已升级到最新版本 %s", migrate.head_revision())
    return 0


def cmd_seed(config: CRMConfig, args: argparse.Namespace) -> int:
    """`seed [--reset]`: load the demo data (migrates first)."""

    async def work(engine: AsyncEngine) -> bool:
        await migrate.upgrade(engine)
        return await seed.seed(engine, config.seed_anchor, reset=args.reset)

    if _with_engine(config, work):
        log.info("演示数据已写入（时间线截止 %s）", config.seed_anchor.isoformat())
    else:
        log.info("数据库中已有客户数据，跳过；如需重建请使用 --reset")
    return 0


def cmd_serve(config: CRMConfig, args: argparse.Namespace) -> int:
    """`serve`: run the HTTP API until interrupted; unsafe secrets stop it outside demo mode."""
    try:
        problems = check_secrets(config)
    except ConfigError as exc:
        log.error("%s", exc)
        return 2
    for problem in problems:
        log.warning("KEFU_DEMO_MODE: %s; fine for a local demo only", problem)
    # A supervisor may hold the listening socket across restarts and hand it over (KEFU_LISTEN_FD).
    where = ({"sock": socket.socket(fileno=config.listen_fd)} if config.listen_fd is not None
             else {"host": config.host, "port": config.port})
    # uvloop (Rasa's own event loop, already installed with it): the CRM answers several
    # requests per customer message, and the default loop's Python-level I/O is a good part of it.
    web.run_app(
        create_app(config),
        **where,
        print=lambda _message: log.info("CRM ready on http://%s:%s", config.host, config.port),
        loop=uvloop.new_event_loop(),
        access_log_class=CRMAccessLogger,
    )
    return 0


def cmd_token(config: CRMConfig, args: argparse.Namespace) -> int:
    """`token <customer_id>`: print a signed customer token."""
    ttl = args.ttl or config.customer_token_ttl
    if ttl > config.customer_token_max_lifetime:
        print(f"--ttl {ttl} 超过 CRM_CUSTOMER_TOKEN_MAX_LIFETIME "
              f"({config.customer_token_max_lifetime} 秒)，这样的令牌会被拒绝", file=sys.stderr)
        return 2

    async def exists(engine: AsyncEngine) -> bool:
        async with create_sessionmaker(engine)() as db:
            return await customer_by_id(db, args.customer_id) is not None

    if not _with_engine(config, exists):
        print(f"客户 {args.customer_id} 不存在", file=sys.stderr)
        return 2
    print(issue_customer_token(config.token_secret, args.customer_id, ttl,
                               SystemClock().now()))
    return 0


def cmd_demo(config: CRMConfig, args: argparse.Namespace) -> int:
    """`demo [--markdown]`: list demo customers per tier with recent orders."""

    async def load(engine: AsyncEngine) -> tuple:
        return await demo.demo_customers(engine), await demo.status_examples(engine)

    picked, examples = _with_engine(config, load)
    render = demo.render_markdown if args.markdown else demo.render_text
    print(render(picked, examples))
    return 0


def cmd_catalogue_export(config: CRMConfig, args: argparse.Namespace) -> int:
    """`catalogue export`: every product as one JSON line (what the NLU learns product names
    from; the model build runs it)."""

    async def load(engine: AsyncEngine) -> list:
        async with create_sessionmaker(engine)() as db:
            return [product_json(p) for p in await all_products(db)]

    for product in _with_engine(config, load):
        print(json.dumps(product, ensure_ascii=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Argument parser with one sub-command per job."""
    parser = argparse.ArgumentParser(prog="python -m crm_backend", description="Kefu CRM backend")
    sub = parser.add_subparsers(dest="command", required=True)
    migrate_parser = sub.add_parser("migrate", help="upgrade the database schema to head")
    migrate_parser.set_defaults(run=cmd_migrate)
    seed_parser = sub.add_parser("seed", help="load deterministic demo data")
    seed_parser.add_argument("--reset", action="store_true", help="wipe all data and reseed")
    seed_parser.set_defaults(run=cmd_seed)
    sub.add_parser("serve", help="run the HTTP API").set_defaults(run=cmd_serve)
    token_parser = sub.add_parser("token", help="print a customer token for the web widget")
    token_parser.add_argument("customer_id", type=int)
    token_parser.add_argument("--ttl", type=int, default=None, help="lifetime in seconds")
    token_parser.set_defaults(run=cmd_token)
    demo_parser = sub.add_parser("demo", help="list demo customers per tier")
    demo_parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    demo_parser.set_defaults(run=cmd_demo)
    catalogue = sub.add_parser("catalogue", help="the product catalogue").add_subparsers(
        dest="action", required=True)
    catalogue.add_parser("export", help="print every product as a JSON line").set_defaults(
        run=cmd_catalogue_export)
    add_loyalty_commands(sub)
    add_staff_commands(sub)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of `python -m crm_backend`."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    args = build_parser().parse_args(argv)
    return args.run(CRMConfig.from_env(), args)


if __name__ == "__main__":
    sys.exit(main())
