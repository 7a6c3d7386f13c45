"""`make scale-out`: the scale-out configuration on this machine (docs/scale-out.md).

The same code as `make run`, configured differently: the CRM on PostgreSQL; Rasa's tracker store
on PostgreSQL, its lock store and the widget's socket.io rooms on Redis (optionally every event to
RabbitMQ); two action servers and two Rasa servers behind Debian's nginx, which listens on the
ports `make run` uses (5005 Rasa, 5055 actions). REST and Rasa's HTTP API go round-robin to any
Rasa server; socket.io sticks to one per client address (the widget long-polls, and every poll of
one connection must reach the server holding it).
"""

import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Tuple
from urllib.parse import unquote, urlsplit

import psycopg2
import redis

from scripts.stack import (REPO, PortInUse, Process, Stack, StackConfig, StackFailed,
                           Supervisor, actions_process, crm_cli, crm_process, free_port,
                           rasa_process)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

DEFAULT_CRM_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/kefu_crm"
DEFAULT_TRACKER_URL = "postgresql://postgres@127.0.0.1:5432/kefu_tracker"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"

# Path the proxy answers itself (its readiness check).
PROXY_HEALTH = "/kefu-proxy-health"


class ServiceMissing(Exception):
    """PostgreSQL, Redis or nginx is not there; the message says which and what to do."""


@dataclass(frozen=True)
class ScaleOut:
    """A scale-out configuration: `config`'s Rasa and action ports are nginx's; the servers
    behind it listen on `rasa_ports` and `actions_ports`; nginx keeps its files in `run_dir`."""

    config: StackConfig
    rasa_ports: Tuple[int, ...]
    actions_ports: Tuple[int, ...]
    run_dir: Path

    @classmethod
    def from_env(cls, model_path: Path) -> "ScaleOut":
        """`make scale-out`: `make run`'s variables, PostgreSQL and Redis on this machine by
        default, KEFU_RASA_SERVERS / KEFU_ACTION_SERVERS servers (2 each) on the ports after
        the proxy's, KEFU_RABBITMQ_URL for the event broker."""
        base = StackConfig.from_env(model_path)
        rabbit = os.environ.get("KEFU_RABBITMQ_URL", "")
        config = dataclasses.replace(
            base,
            crm_database_url=os.environ.get("CRM_DATABASE_URL", DEFAULT_CRM_DATABASE_URL),
            tracker_url=os.environ.get("KEFU_TRACKER_URL") or DEFAULT_TRACKER_URL,
            redis_url=os.environ.get("KEFU_REDIS_URL") or DEFAULT_REDIS_URL,
            rabbitmq_url=rabbit,
            endpoints=os.environ.get("KEFU_ENDPOINTS") or (
                "endpoints.scale-out-rabbitmq.yml" if rabbit else "endpoints.scale-out.yml"),
            behind_proxy=True)
        rasa_servers = int(os.environ.get("KEFU_RASA_SERVERS", "2"))
        action_servers = int(os.environ.get("KEFU_ACTION_SERVERS", "2"))
        return cls(config,
                   tuple(config.rasa_port + 1 + i for i in range(rasa_servers)),
                   tuple(config.actions_port + 1 + i for i in range(action_servers)),
                   REPO / "var" / "nginx")

    @classmethod
    def for_tests(cls, config: StackConfig, tracker_url: str, rasa_servers: int = 2,
                  action_servers: int = 2) -> "ScaleOut":
        """A test or bench configuration from a test stack's: every port free, Redis keys under
        a prefix of its own, nginx files in a fresh directory."""
        config = dataclasses.replace(
            config, tracker_url=tracker_url,
            redis_url=os.environ.get("KEFU_TEST_REDIS_URL", DEFAULT_REDIS_URL),
            redis_prefix="kefutest" + os.urandom(6).hex(), endpoints="endpoints.scale-out.yml",
            behind_proxy=True)
        return cls(config, tuple(free_port() for _ in range(rasa_servers)),
                   tuple(free_port() for _ in range(action_servers)),
                   Path(tempfile.mkdtemp(prefix="kefu-nginx-")))

    @property
    def rasa_urls(self) -> List[str]:
        """Each Rasa server's own URL (not the proxy's)."""
        return [f"http://{self.config.host}:{port}" for port in self.rasa_ports]


def nginx_conf(s: ScaleOut) -> str:
    """nginx's configuration: round-robin for REST, the HTTP API and the actions; socket.io
    sticky by client address; a server that refuses connections is skipped."""
    c, run = s.config, s.run_dir
    rasa = "\n".join(f"    server {c.host}:{p} max_fails=1 fail_timeout=10s;" for p in s.rasa_ports)
    actions = "\n".join(f"    server {c.host}:{p} max_fails=1 fail_timeout=10s;"
                        for p in s.actions_ports)
    forwarded = """proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 120s;"""
    temp = "\n".join(f"  {kind}_temp_path {run / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""# Generated by scripts/scaleout.py; see docs/scale-out.md.
worker_processes 1;
pid {run / 'nginx.pid'};
error_log stderr warn;
events {{ worker_connections 2048; }}
http {{
  access_log off;
{temp}
  upstream rasa {{
{rasa}
    keepalive 32;
  }}
  # The widget long-polls socket.io: every request of one connection must reach its server.
  upstream rasa_socketio {{
    hash $remote_addr consistent;
{rasa}
  }}
  upstream actions {{
{actions}
    keepalive 32;
  }}
  server {{
    listen {c.host}:{c.rasa_port};
    location = {PROXY_HEALTH} {{ return 200 "ok"; }}
    location /socket.io/ {{
      proxy_pass http://rasa_socketio;
      {forwarded}
      proxy_buffering off;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
    }}
    location / {{
      proxy_pass http://rasa;
      {forwarded}
      proxy_set_header Connection "";
    }}
  }}
  server {{
    listen {c.host}:{c.actions_port};
    # Rasa sends an action the whole tracker: a long conversation is well over nginx's 1 MB.
    client_max_body_size 0;
    client_body_buffer_size 1m;
    location = {PROXY_HEALTH} {{ return 200 "ok"; }}
    location / {{
      proxy_pass http://actions;
      {forwarded}
      proxy_set_header Connection "";
    }}
  }}
}}
"""


def nginx_process(s: ScaleOut) -> Process:
    """nginx in the foreground with the generated configuration (written by `prepare`)."""
    c = s.config
    user = " user root;" if os.geteuid() == 0 else ""
    return Process("nginx", [NGINX, "-p", str(s.run_dir), "-c", str(s.run_dir / "nginx.conf"),
                             "-g", f"daemon off;{user}"],
                   f"{c.rasa_url}{PROXY_HEALTH}", c.log_dir / "nginx.log", real_clock=True)


class ScaleOutStack(Stack):
    """CRM, the action servers, nginx and the Rasa servers of one scale-out configuration."""

    def __init__(self, scale_out: ScaleOut) -> None:
        c = scale_out.config
        self.scale_out = scale_out
        super().__init__(c, [crm_process(c)]
                         + [actions_process(c, f"actions-{i + 1}", port)
                            for i, port in enumerate(scale_out.actions_ports)]
                         + [nginx_process(scale_out)]
                         + [rasa_process(c, f"rasa-{i + 1}", port)
                            for i, port in enumerate(scale_out.rasa_ports)])

    def ports(self) -> List[Tuple[str, int, str]]:
        s = self.scale_out
        return (super().ports()
                + [(f"rasa-{i + 1}", p, "KEFU_RASA_PORT") for i, p in enumerate(s.rasa_ports)]
                + [(f"actions-{i + 1}", p, "KEFU_ACTIONS_PORT")
                   for i, p in enumerate(s.actions_ports)])

    def start(self, progress=print, timeout: float = 360) -> None:  # type: ignore[override]
        """Write nginx's configuration, then start everything (two Rasa servers loading their
        models at once on a small machine need longer than one)."""
        run = self.scale_out.run_dir
        run.mkdir(parents=True, exist_ok=True)
        # nginx's worker may run as another user: it must reach its temp directories.
        run.chmod(0o755)
        (run / "nginx.conf").write_text(nginx_conf(self.scale_out))
        super().start(progress, timeout)


def check_services(config: StackConfig) -> None:
    """PostgreSQL, Redis and nginx answer (ServiceMissing says which does not, in Chinese)."""
    if not Path(NGINX).exists():
        raise ServiceMissing("找不到 nginx。请以 root 运行：bash scripts/scaleout_deps.sh")
    try:
        redis.Redis.from_url(config.redis_url, socket_timeout=3).ping()
    except redis.RedisError as error:
        raise ServiceMissing(f"连不上 Redis（{config.redis_url}）：{error}。请启动 Redis，"
                             "或用 KEFU_REDIS_URL 指定地址。") from error
    for url in (config.tracker_url, config.crm_database_url):
        try:
            ensure_database(url)
        except psycopg2.Error as error:
            raise ServiceMissing(f"连不上 PostgreSQL（{url}）：{error}。请启动 PostgreSQL，"
                                 "或用 CRM_DATABASE_URL / KEFU_TRACKER_URL 指定地址。") from error


def _admin(url: str, sql: str, *params: str) -> bool:
    """Run one statement on the maintenance database of `url`'s server; whether it found a row
    (for a SELECT)."""
    parts = urlsplit(url.replace("+asyncpg", ""))
    conn = psycopg2.connect(host=parts.hostname, port=parts.port or 5432,
                            user=unquote(parts.username or "postgres"),
                            password=unquote(parts.password or "") or None,
                            dbname="postgres", connect_timeout=3)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql, params or None)
            return cur.description is not None and cur.fetchone() is not None
    finally:
        conn.close()


def database_name(url: str) -> str:
    return urlsplit(url).path.strip("/")


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of `url` when it does not exist (several Rasa servers
    starting at once would race to create it themselves)."""
    name = database_name(url)
    if not _admin(url, "SELECT 1 FROM pg_database WHERE datname = %s", name):
        _admin(url, f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    """Drop the PostgreSQL database of `url` (benchmarks' own databases)."""
    _admin(url, f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')


def instructions(s: ScaleOut) -> str:
    c = s.config
    return f"""
==================================================================
 Kefu 客服助手（横向扩展配置）已启动
   nginx → Rasa 服务器 {', '.join(s.rasa_urls)}
   入口（REST、socket.io、HTTP API）  {c.rasa_url}
   nginx → 动作服务器 {', '.join(f'http://{c.host}:{p}' for p in s.actions_ports)}
   CRM 后端     {c.crm_url}  （PostgreSQL）
   对话记录 PostgreSQL，锁和小部件房间 Redis{'，事件 RabbitMQ' if c.rabbitmq_url else ''}
   演示商店     {c.crm_url}/demo/
   Rasa HTTP API 令牌（本次运行）: {c.rasa_api_token}
 说明见 docs/scale-out.md。按 Ctrl-C 停止全部服务。
==================================================================
"""


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    from scripts.model import ensure_model, model_path, refresh_catalogue

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    stack: Optional[ScaleOutStack] = None
    try:
        scale_out = ScaleOut.from_env(model_path())
        check_services(scale_out.config)
        ScaleOutStack(scale_out).check_ports()
        print("==> 迁移并初始化 CRM 数据库（PostgreSQL）…")
        crm_cli(scale_out.config, "migrate")
        crm_cli(scale_out.config, "seed")
        # The product vocabulary comes from this CRM's catalogue, as under `make run`.
        refresh_catalogue()
        scale_out = ScaleOut.from_env(ensure_model())
        stack = ScaleOutStack(scale_out)
        stack.start()
        print(instructions(scale_out))
        supervisor = Supervisor(stack)
        while True:
            time.sleep(1)
            supervisor.check()
    except KeyboardInterrupt:
        return 0
    except subprocess.CalledProcessError as error:
        print(f"准备失败（{' '.join(map(str, error.cmd))} 退出码 {error.returncode}）：\n"
              f"{(error.stderr or '')[-2000:]}", file=sys.stderr)
        return 1
    except (ServiceMissing, PortInUse, StackFailed) as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        if stack is not None:
            print("\n==> 正在停止全部服务 …")
            stack.stop()
            print("==> 已停止。")


if __name__ == "__main__":
    sys.exit(main())
