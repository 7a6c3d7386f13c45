"""The machine's services the scale-out tests need: skip with the reason when one is missing."""

from pathlib import Path

import psycopg2
import pytest
import redis

from scripts.scaleout import NGINX
from tests.crm.databases import PG_ADMIN_DSN

REDIS_HOST = "127.0.0.1"
REDIS_PORT = 6379


def require_redis() -> None:
    try:
        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_timeout=3).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis on {REDIS_HOST}:{REDIS_PORT} is unreachable: {error}")


def require_postgres() -> None:
    try:
        psycopg2.connect(PG_ADMIN_DSN).close()
    except psycopg2.OperationalError as error:
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is unreachable: {error}")


def require_nginx() -> None:
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (bash scripts/scaleout_deps.sh installs it)")
