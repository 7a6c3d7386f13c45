"""Start, watch and stop Kefu's three processes: CRM backend, action server and Rasa server.

Used by `make run` (scripts/run.py), the end-to-end tests and the benchmarks, so all of them
run exactly the same commands.
"""

import base64
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = REPO / ".venv" / "bin"
CACHE_DIR = Path(os.environ.get("KEFU_CACHE_DIR", Path.home() / ".cache" / "kefu"))


REQUEST_MAX_BYTES = 65536

# The WeChat channel's settings under `make run` unless set (a real account sets all five; see
# docs/wechat.md). In demo mode the API base is the fake API `scripts/wechat_sim.py` serves.
WECHAT_DEV = {
    "WECHAT_APP_ID": "wxkefudemo00000000",
    "WECHAT_APP_SECRET": "kefu-dev-wechat-app-secret",
    "WECHAT_TOKEN": "kefu-dev-wechat-token",
    "WECHAT_ENCODING_AES_KEY": "S2VmdURldkVuY29kaW5nQUVTS2V5MDEyMzQ1Njc4OUE",
    "WECHAT_API_BASE": "http://127.0.0.1:8090",
}


class PortInUse(Exception):
    """A port the stack needs is already taken; the message says which and how to change it."""


class StackFailed(Exception):
    """A process exited or did not become ready; the message carries its log's tail."""


def free_port(host: str = "127.0.0.1") -> int:
    """A port the OS reports free right now (the tests never use fixed ports)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket listening on host:port that a child process may inherit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(256)
    sock.set_inheritable(True)
    return sock


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def base_env() -> Dict[str, str]:
    """Environment shared by every process: the repo on the path, quiet TensorFlow, no telemetry."""
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(REPO),
        PYTHONUNBUFFERED="1",
        RASA_TELEMETRY_ENABLED="false",
        RASA_CACHE_DIRECTORY=str(CACHE_DIR / "rasa-cache"),
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
    )
    return env


@dataclass(frozen=True)
class StackConfig:
    """Everything the three processes need; `from_env` for `make run`, `for_tests` for tests."""

    host: str
    crm_port: int
    actions_port: int
    rasa_port: int
    crm_database_url: str
    tracker_db: Path
    service_token: str
    token_secret: str
    rasa_api_token: str
    action_token: str
    log_dir: Path
    model_path: Path
    daily_jobs_hour: str = ""  # Beijing hour of the CRM's daily loyalty jobs; empty: none (tests)
    seed_anchor: str = ""  # last day of the demo seed's timeline; empty: the CRM's default
    demo_mode: bool = False  # `make run`: demo secrets allowed, demo-only pages on
    # Origins of the shop pages allowed to open the web widget, besides the CRM's demo page.
    widget_origins: Tuple[str, ...] = ()
    wechat: Dict[str, str] = field(default_factory=lambda: dict(WECHAT_DEV))
    # Where the action server finds the CRM when not at crm_url (the tests' slow proxy).
    actions_crm_url: Optional[str] = None
    # The queue policy file when not the CRM's own (the tests: people answer all day).
    handoffs_policy: Optional[Path] = None
    # The scale-out configuration (docs/scale-out.md); all empty for `make run`'s embedded
    # defaults. `endpoints`: Rasa's endpoints file; `tracker_url`: postgresql://user@host:port/db
    # for Rasa's tracker store; `redis_url`: redis://host:port/db for the lock store and the
    # widget's shared rooms, keys under `redis_prefix`; `rabbitmq_url`: amqp://user:password@
    # host:port/queue for Rasa's event broker; `behind_proxy`: Rasa's and the action server's
    # ports are a proxy's (the servers behind it listen on ports of their own).
    endpoints: str = "endpoints.yml"
    tracker_url: str = ""
    redis_url: str = ""
    redis_prefix: str = "kefu"
    rabbitmq_url: str = ""
    behind_proxy: bool = False
    port_env_names: Dict[str, str] = field(
        default_factory=lambda: {
            "crm": "KEFU_CRM_PORT",
            "actions": "KEFU_ACTIONS_PORT",
            "rasa": "KEFU_RASA_PORT",
        }
    )

    @classmethod
    def from_env(cls, model_path: Path) -> "StackConfig":
        var = REPO / "var"
        demo = os.environ.get("KEFU_DEMO_MODE", "true").lower() in ("1", "true", "yes")
        return cls(
            host=os.environ.get("KEFU_HOST", "127.0.0.1"),
            crm_port=int(os.environ.get("KEFU_CRM_PORT", "8000")),
            actions_port=int(os.environ.get("KEFU_ACTIONS_PORT", "5055")),
            rasa_port=int(os.environ.get("KEFU_RASA_PORT", "5005")),
            crm_database_url=os.environ.get(
                "CRM_DATABASE_URL", f"sqlite+aiosqlite:///{var / 'crm.sqlite3'}"
            ),
            tracker_db=Path(os.environ.get("KEFU_TRACKER_DB", var / "tracker.sqlite3")),
            service_token=os.environ.get("CRM_SERVICE_TOKEN", "kefu-dev-service-token"),
            token_secret=os.environ.get("CRM_TOKEN_SECRET", "kefu-dev-token-secret"),
            rasa_api_token=os.environ.get("KEFU_RASA_API_TOKEN") or secrets.token_urlsafe(24),
            action_token=os.environ.get("KEFU_ACTION_TOKEN") or secrets.token_urlsafe(32),
            log_dir=var / "log",
            model_path=model_path,
            daily_jobs_hour=os.environ.get("CRM_DAILY_JOBS_HOUR", "3"),
            demo_mode=demo,
            widget_origins=tuple(o for o in os.environ.get("KEFU_WIDGET_ORIGINS", "").split(",")
                                 if o.strip()),
            wechat={name: os.environ.get(name) or (
                default if name != "WECHAT_API_BASE" or demo else "https://api.weixin.qq.com")
                for name, default in WECHAT_DEV.items()},
            endpoints=os.environ.get("KEFU_ENDPOINTS") or "endpoints.yml",
            tracker_url=os.environ.get("KEFU_TRACKER_URL", ""),
            redis_url=os.environ.get("KEFU_REDIS_URL", ""),
            redis_prefix=os.environ.get("KEFU_REDIS_PREFIX") or "kefu",
            rabbitmq_url=os.environ.get("KEFU_RABBITMQ_URL", ""),
        )

    @classmethod
    def for_tests(cls, work_dir: Path, model_path: Path, crm_database_url: str,
                  actions_crm_url: Optional[str] = None) -> "StackConfig":
        return cls(
            host="127.0.0.1",
            crm_port=free_port(),
            actions_port=free_port(),
            rasa_port=free_port(),
            crm_database_url=crm_database_url,
            tracker_db=work_dir / "tracker.sqlite3",
            service_token=secrets.token_urlsafe(24),
            token_secret=secrets.token_urlsafe(24),
            # Starts with "-" on purpose: every test run proves such a token reaches Rasa intact.
            rasa_api_token="-" + secrets.token_urlsafe(24),
            action_token=secrets.token_urlsafe(32),
            log_dir=work_dir / "log",
            model_path=model_path,
            seed_anchor=seed_anchor_for_tests().isoformat(),
            # The browser tests use the demo shop page (the secrets above are strong anyway)
            # and a shop page of their own on this origin.
            demo_mode=True,
            widget_origins=(f"http://127.0.0.1:{free_port()}",),
            wechat={"WECHAT_APP_ID": "wx" + secrets.token_hex(8),
                    "WECHAT_APP_SECRET": secrets.token_urlsafe(24),
                    "WECHAT_TOKEN": secrets.token_urlsafe(16),
                    "WECHAT_ENCODING_AES_KEY": base64.b64encode(secrets.token_bytes(32))
                    .decode()[:43],
                    "WECHAT_API_BASE": f"http://127.0.0.1:{free_port()}"},
            actions_crm_url=actions_crm_url,
            handoffs_policy=REPO / "tests" / "e2e" / "policy" / "handoffs.toml",
        )

    @property
    def crm_url(self) -> str:
        return f"http://{self.host}:{self.crm_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{self.host}:{self.actions_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def allowed_widget_origins(self) -> List[str]:
        """The CRM's own origin (its demo page), under both loopback names, and the shops'."""
        origins = [self.crm_url]
        if self.host == "127.0.0.1":
            origins.append(f"http://localhost:{self.crm_port}")
        return origins + [o.strip().rstrip("/") for o in self.widget_origins]

    def shared_state_env(self) -> Dict[str, str]:
        """The variables endpoints.scale-out*.yml and credentials.yml read, from the URLs (every
        one set, empty when unused, since Rasa refuses a file naming an unset variable)."""
        tracker, redis, rabbit = (urlsplit(u) for u in (self.tracker_url, self.redis_url,
                                                       self.rabbitmq_url))
        return {
            "KEFU_TRACKER_HOST": f"{tracker.hostname}:{tracker.port or 5432}"
            if self.tracker_url else "",
            "KEFU_TRACKER_USER": unquote(tracker.username or ""),
            "KEFU_TRACKER_PASSWORD": unquote(tracker.password or ""),
            "KEFU_REDIS_HOST": redis.hostname or "",
            "KEFU_REDIS_PORT": str(redis.port or 6379),
            "KEFU_REDIS_DB": redis.path.strip("/") or "0",
            "KEFU_REDIS_PASSWORD": unquote(redis.password or ""),
            "KEFU_REDIS_PREFIX": self.redis_prefix,
            "KEFU_SOCKETIO_REDIS_URL": self.redis_url,
            "KEFU_SOCKETIO_CHANNEL": f"{self.redis_prefix}-socketio",
            "KEFU_RABBITMQ_HOST": rabbit.hostname or "",
            "KEFU_RABBITMQ_PORT": str(rabbit.port or 5672),
            "KEFU_RABBITMQ_USER": unquote(rabbit.username or ""),
            "KEFU_RABBITMQ_PASSWORD": unquote(rabbit.password or ""),
            "KEFU_RABBITMQ_QUEUE": rabbit.path.strip("/") or "kefu_events",
        }

    def env(self) -> Dict[str, str]:
        env = base_env()
        env.update(
            CRM_DATABASE_URL=self.crm_database_url,
            CRM_HOST=self.host,
            CRM_PORT=str(self.crm_port),
            CRM_SERVICE_TOKEN=self.service_token,
            CRM_TOKEN_SECRET=self.token_secret,
            CRM_URL=self.crm_url,
            KEFU_RASA_URL=self.rasa_url,
            KEFU_RASA_API_TOKEN=self.rasa_api_token,
            KEFU_ACTION_ENDPOINT=f"{self.actions_url}/webhook",
            KEFU_ACTION_TOKEN=self.action_token,
            KEFU_ACTIONS_HOST=self.host,
            KEFU_ACTIONS_PORT=str(self.actions_port),
            # The SQLite file, or with tracker_url the PostgreSQL database's name.
            KEFU_TRACKER_DB=(urlsplit(self.tracker_url).path.strip("/") if self.tracker_url
                             else str(self.tracker_db)),
            KEFU_DEMO_MODE="true" if self.demo_mode else "false",
            KEFU_WIDGET_ORIGINS=",".join(self.allowed_widget_origins),
            KEFU_WIDGET_SOCKET_URL=self.rasa_url,
            # Sanic (Rasa's server) reads SANIC_* settings: a request body over 64 KB is refused
            # with 413 before anything parses it (a chat message is at most 2,000 characters).
            SANIC_REQUEST_MAX_SIZE=str(REQUEST_MAX_BYTES),
            CRM_DAILY_JOBS_HOUR=self.daily_jobs_hour,
            **self.wechat,
            **self.shared_state_env(),
        )
        if self.behind_proxy:
            # Sanic takes the customer's address from the X-Forwarded-For the proxy appends
            # (the identity checks limit guesses per address), not the proxy's own.
            env["SANIC_PROXIES_COUNT"] = "1"
        if self.seed_anchor:
            env["CRM_SEED_ANCHOR"] = self.seed_anchor
        if self.handoffs_policy is not None:
            env["CRM_HANDOFFS_POLICY"] = str(self.handoffs_policy)
        return env


def seeded_stack(work_dir: Path, model_path: Path,
                 actions_crm_url: Optional[str] = None) -> "Stack":
    """A stack on free loopback ports whose CRM is a freshly migrated and seeded SQLite database
    in `work_dir` (tests, benchmarks, screenshots); not started yet."""
    config = StackConfig.for_tests(work_dir, model_path,
                                   f"sqlite+aiosqlite:///{work_dir / 'crm.sqlite3'}",
                                   actions_crm_url)
    crm_cli(config, "migrate")
    crm_cli(config, "seed")
    return Stack(config)


def seed_anchor_for_tests() -> date:
    """Yesterday in Beijing by the machine's clock: the test stack's seeded history is as recent
    on any day the tests run (a fixed anchor ages, and with it tiers, points and risk)."""
    return (datetime.now(timezone.utc) + timedelta(hours=8)).date() - timedelta(days=1)


def crm_cli(config: StackConfig, *args: str) -> str:
    """Run `python -m crm_backend ARGS` against this stack's database; its stdout."""
    result = subprocess.run(
        [str(VENV_BIN / "python"), "-m", "crm_backend", *args],
        cwd=REPO,
        env=config.env(),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise StackFailed(f"crm_backend {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def without_moved_clock(env: Dict[str, str]) -> Dict[str, str]:
    """`env` without libfaketime. The clock-ahead test pass moves the clock of the CRM, where
    every date rule lives; Rasa and the action server hold none, and TensorFlow can wait forever
    under libfaketime, so they keep the real clock."""
    return {k: v for k, v in env.items()
            if not k.startswith("FAKETIME") and not (k == "LD_PRELOAD" and "faketime" in v)}


@dataclass
class Process:
    """One server process: how to start it, where it logs, and the URL that says it is ready."""

    name: str
    argv: List[str]
    ready_url: str
    log_path: Path
    real_clock: bool = False
    # (host, port) this side listens on and hands to the process (KEFU_LISTEN_FD): while the
    # process restarts, callers' connections wait in the backlog instead of being refused.
    listen: Optional[Tuple[str, int]] = None
    popen: Optional[subprocess.Popen] = None
    sock: Optional[socket.socket] = None
    extra_env: Dict[str, str] = field(default_factory=dict)

    def start(self, cwd: Path, env: Dict[str, str]) -> None:
        env = {**env, **self.extra_env}
        if self.real_clock:
            env = without_moved_clock(env)
        fds: Tuple[int, ...] = ()
        if self.listen is not None:
            if self.sock is None:
                self.sock = listening_socket(*self.listen)
            env = {**env, "KEFU_LISTEN_FD": str(self.sock.fileno())}
            fds = (self.sock.fileno(),)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(
                self.argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True, pass_fds=fds,
            )

    def close_socket(self) -> None:
        """Stop listening on the process's behalf (callers are refused from now on)."""
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def wait_ready(self, timeout: float) -> None:
        """Poll the readiness URL until it answers 200; fail early if the process exits."""
        assert self.popen is not None, "start() first"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise StackFailed(
                    f"{self.name} exited with {self.popen.returncode}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(self.ready_url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.5)
        raise StackFailed(f"{self.name} not ready after {timeout:.0f}s:\n{self.log_tail()}")

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def terminate(self) -> None:
        if self.running():
            assert self.popen is not None
            os.killpg(self.popen.pid, signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL the process group at once (a crash, as tests and benchmarks need one)."""
        if self.running():
            assert self.popen is not None
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()

    def wait_or_kill(self, timeout: float) -> None:
        if self.popen is None:
            return
        try:
            self.popen.wait(timeout=max(0.1, timeout))
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


def crm_process(c: StackConfig) -> Process:
    """The CRM backend of configuration `c`."""
    return Process("crm", [str(VENV_BIN / "python"), "-m", "crm_backend", "serve"],
                   f"{c.crm_url}/health", c.log_dir / "crm.log", listen=(c.host, c.crm_port))


def actions_process(c: StackConfig, name: str = "actions", port: Optional[int] = None
                    ) -> Process:
    """An action server of configuration `c` on `port` (default: the configuration's)."""
    port = port or c.actions_port
    return Process(name, [str(VENV_BIN / "python"), "-m", "bot.action_server"],
                   f"http://{c.host}:{port}/health", c.log_dir / f"{name}.log", real_clock=True,
                   listen=(c.host, port),
                   extra_env={**({"CRM_URL": c.actions_crm_url} if c.actions_crm_url else {}),
                              "KEFU_ACTIONS_PORT": str(port)})


def rasa_process(c: StackConfig, name: str = "rasa", port: Optional[int] = None) -> Process:
    """A Rasa server of configuration `c` on `port` (default: the configuration's)."""
    port = port or c.rasa_port
    # token_urlsafe may start with "-": only the "=" form keeps it an argument value.
    # Rasa's command line with Kefu's speed-ups installed (bot/rasa_server.py).
    return Process(name, [str(VENV_BIN / "python"), "-m", "bot.rasa_server", "run", "--enable-api",
                          f"--auth-token={c.rasa_api_token}", "--interface", c.host,
                          "--port", str(port), "--model", str(c.model_path),
                          "--endpoints", c.endpoints, "--credentials", "credentials.yml"],
                   f"http://{c.host}:{port}/status?token={c.rasa_api_token}",
                   c.log_dir / f"{name}.log", real_clock=True)


class Stack:
    """The processes of one configuration, started in dependency order: by default the three of
    `make run`; the scale-out configuration passes its own (scripts/scaleout.py)."""

    def __init__(self, config: StackConfig, processes: Optional[List[Process]] = None) -> None:
        self.config = config
        self.processes = processes or [crm_process(config), actions_process(config),
                                       rasa_process(config)]

    def ports(self) -> List[Tuple[str, int, str]]:
        """(process, port, variable that changes it) of every port the stack listens on."""
        c = self.config
        return [(name, port, c.port_env_names[name]) for name, port in
                (("crm", c.crm_port), ("actions", c.actions_port), ("rasa", c.rasa_port))]

    def check_ports(self) -> None:
        c = self.config
        for name, port, env_name in self.ports():
            if not port_is_free(c.host, port):
                raise PortInUse(
                    f"端口 {port} 已被占用（{name}）。请关闭占用它的程序，"
                    f"或换一个端口：{env_name}=<端口> make run"
                )

    def start(self, progress: Callable[[str], None] = print, timeout: float = 240) -> None:
        """Start each process and wait until it answers its readiness URL."""
        self.check_ports()
        self.config.tracker_db.parent.mkdir(parents=True, exist_ok=True)
        for process in self.processes:
            progress(f"==> 启动 {process.name} … (日志: {process.log_path})")
            process.start(REPO, self.config.env())
        for process in self.processes:
            started = time.monotonic()
            process.wait_ready(timeout)
            progress(f"==> {process.name} 已就绪（{time.monotonic() - started:.0f} 秒）")

    def running(self) -> bool:
        return all(process.running() for process in self.processes)

    def process(self, name: str) -> Process:
        """The process called `name` ("crm", "actions" or "rasa")."""
        return next(p for p in self.processes if p.name == name)

    def restart(self, name: str, timeout: float = 240) -> None:
        """Stop one process and start it again with the same configuration."""
        process = self.process(name)
        stop_processes([process])
        process.start(REPO, self.config.env())
        process.wait_ready(timeout)

    def revive(self, log: Callable[[str], None] = print) -> List[str]:
        """Restart every process that exited (saying so in the log); the names restarted.
        Raises StackFailed when one does not come back."""
        revived = []
        for process in self.processes:
            if process.running():
                continue
            code = process.popen.returncode if process.popen is not None else None
            log(f"==> {process.name} 意外退出（退出码 {code}），正在重启 …\n{process.log_tail(10)}")
            self.restart(process.name)
            log(f"==> {process.name} 已重启")
            revived.append(process.name)
        return revived

    def take_down(self, name: str) -> None:
        """Stop one process and its listening socket: it is gone until `restart`."""
        process = self.process(name)
        stop_processes([process])
        process.close_socket()

    def stop(self, grace: float = 10) -> None:
        """SIGTERM every process group (Rasa first), SIGKILL what is left after `grace`."""
        stop_processes(reversed(self.processes), grace)
        for process in self.processes:
            process.close_socket()


class Supervisor:
    """Keeps a stack up under `make run`: a crashed process is restarted instead of taking the
    others down; more than `max_restarts` within `window` seconds is a real fault and stops."""

    def __init__(self, stack: Stack, max_restarts: int = 5, window: float = 300,
                 log: Callable[[str], None] = print) -> None:
        self.stack, self.max_restarts, self.window, self.log = stack, max_restarts, window, log
        self.restarts: List[float] = []

    def check(self, now: Optional[float] = None) -> None:
        """One round: revive what exited; StackFailed when restarts come too often."""
        moment = time.monotonic() if now is None else now
        self.restarts = [t for t in self.restarts if moment - t < self.window]
        if len(self.restarts) >= self.max_restarts and not self.stack.running():
            raise StackFailed(f"{len(self.restarts)} 次重启发生在 {self.window:.0f} 秒内，"
                              "请查看 var/log/ 下的日志")
        self.restarts += [moment for _ in self.stack.revive(self.log)]


def stop_processes(processes: Iterable[Process], grace: float = 10) -> None:
    processes = list(processes)
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        process.wait_or_kill(deadline - time.monotonic())
