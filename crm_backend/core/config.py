"""All CRM settings, read from environment variables in this one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import List, Mapping, Optional

REPO_ROOT = Path(__file__).resolve().parents[2]


DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{REPO_ROOT / 'var' / 'crm.sqlite3'}"


POLICY_DIR = Path(__file__).resolve().parents[1] / "policy"


WIDGET_SCRIPT = REPO_ROOT / "web" / "widget" / "dist" / "kefu-widget.js"


DEFAULT_SERVICE_TOKEN = "kefu-dev-service-token"


DEFAULT_TOKEN_SECRET = "kefu-dev-token-secret"


MIN_SECRET_LENGTH = 32


class ConfigError(ValueError):
    """Raised when an environment variable holds an unusable value."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    """Read a positive integer variable or fail with a clear message."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {value}")
    return value


def _optional_seconds(env: Mapping[str, str], name: str) -> Optional[int]:
    """A non-negative whole number of seconds, or None when unset."""
    raw = env.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit():
        raise ConfigError(f"{name} must be a non-negative integer, got {raw!r}")
    return int(raw)


def _optional_hour(env: Mapping[str, str], name: str, default: str) -> Optional[int]:
    """An hour of the day 0–23, or None when set to empty (disabled)."""
    raw = env.get(name, default)
    if raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or int(raw) > 23:
        raise ConfigError(f"{name} must be an hour 0-23 (or empty to disable), got {raw!r}")
    return int(raw)


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    """A true/false switch (also 1/0), or `default` when unset or empty."""
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw not in ("true", "false", "1", "0"):
        raise ConfigError(f"{name} must be true or false, got {env.get(name)!r}")
    return raw in ("true", "1")


def _date(env: Mapping[str, str], name: str, default: str) -> date:
    """Read an ISO date (YYYY-MM-DD) variable."""
    raw = env.get(name) or default
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an ISO date, got {raw!r}") from exc


@dataclass(frozen=True)
class CRMConfig:
    """Immutable CRM settings; build with `CRMConfig.from_env()`.

    Secrets: CRM_SERVICE_TOKEN (the bearer token of every /api call) and CRM_TOKEN_SECRET (signs
    customer tokens). Outside demo mode `serve` refuses to start when either is a development
    default or shorter than 32 characters; KEFU_DEMO_MODE=true (default false, `make run` sets
    it) lets it start with a warning. Customer tokens: CRM_CUSTOMER_TOKEN_TTL, the lifetime of the
    tokens `token` issues (default 86400 s), and CRM_CUSTOMER_TOKEN_MAX_LIFETIME, the longest
    lifetime (exp - iat) a token may claim to be accepted (default 86400 s; the TTL may not
    exceed it).
    Business policy files (TOML, editable without code changes; read and checked once at
    start-up, so a change takes effect on restart):
    CRM_TIERS_POLICY (tier thresholds, benefits), CRM_REWARDS_POLICY (points, expiry,
    birthday/anniversary, retention offers, redemption catalogue) and CRM_RISK_POLICY
    (risk weights, windows, levels), CRM_REMEDIES_POLICY (complaint remedy table, follow-up
    timing), CRM_ORDERS_POLICY (cancel/modify rules) and CRM_IDENTITY_POLICY (failure limits and
    lock of order-number verification, lifetime of a conversation's binding) and CRM_STAFF_POLICY
    (staff session idle timeout and lifetime, lockout after wrong passwords), and the after-sales
    policies (docs/after-sales.md): CRM_PRICE_PROTECTION_POLICY, CRM_AFTER_SALES_POLICY,
    CRM_INVOICES_POLICY, CRM_APPOINTMENTS_POLICY; each defaults to crm_backend/policy/.
    Follow-ups: KEFU_RASA_URL (unset disables the scheduler), KEFU_RASA_API_TOKEN,
    CRM_FOLLOWUP_POLL_SECONDS, CRM_FOLLOWUP_DELAY_SECONDS (overrides the policy delay),
    CRM_RASA_TIMEOUT_SECONDS. Daily loyalty jobs (birthday/anniversary points, risk scan):
    CRM_DAILY_JOBS_HOUR, the Beijing hour they run at (default 3; empty disables them).
    Web widget: KEFU_WIDGET_SCRIPT (the built script served at /widget/kefu-widget.js, default
    web/widget/dist/), KEFU_WIDGET_SOCKET_URL (the Rasa server as the shop's pages reach it,
    default KEFU_RASA_URL), KEFU_SHOP_NAME (the name the demo page and widget show).
    WeChat: WECHAT_APP_ID, WECHAT_APP_SECRET and WECHAT_API_BASE (default
    https://api.weixin.qq.com), for the access token the CRM fetches once for every process.
    """

    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    service_token: str = DEFAULT_SERVICE_TOKEN
    token_secret: str = DEFAULT_TOKEN_SECRET
    customer_token_ttl: int = 86400
    customer_token_max_lifetime: int = 86400
    demo_mode: bool = False
    max_body_bytes: int = 65536
    seed_anchor: date = date(2026, 11, 20)
    tiers_policy_path: Path = POLICY_DIR / "tiers.toml"
    rewards_policy_path: Path = POLICY_DIR / "rewards.toml"
    risk_policy_path: Path = POLICY_DIR / "risk.toml"
    remedies_policy_path: Path = POLICY_DIR / "remedies.toml"
    orders_policy_path: Path = POLICY_DIR / "orders.toml"
    identity_policy_path: Path = POLICY_DIR / "identity.toml"
    staff_policy_path: Path = POLICY_DIR / "staff.toml"
    handoffs_policy_path: Path = POLICY_DIR / "handoffs.toml"
    price_protection_policy_path: Path = POLICY_DIR / "price_protection.toml"
    after_sales_policy_path: Path = POLICY_DIR / "after_sales.toml"
    invoices_policy_path: Path = POLICY_DIR / "invoices.toml"
    appointments_policy_path: Path = POLICY_DIR / "appointments.toml"
    rasa_url: Optional[str] = None
    rasa_token: str = ""
    rasa_timeout_seconds: int = 10
    followup_poll_seconds: int = 5
    followup_delay_seconds: Optional[int] = None
    daily_jobs_hour: Optional[int] = None
    listen_fd: Optional[int] = None
    widget_script: Path = WIDGET_SCRIPT
    widget_socket_url: Optional[str] = None
    shop_name: str = "小象优选"
    wechat_app_id: str = ""
    wechat_app_secret: str = ""
    wechat_api_base: str = "https://api.weixin.qq.com"

    def __post_init__(self) -> None:
        """A TTL longer than the accepted maximum would issue tokens nobody accepts."""
        if self.customer_token_ttl > self.customer_token_max_lifetime:
            raise ConfigError(
                f"CRM_CUSTOMER_TOKEN_TTL ({self.customer_token_ttl}) must not exceed "
                f"CRM_CUSTOMER_TOKEN_MAX_LIFETIME ({self.customer_token_max_lifetime})")

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "CRMConfig":
        """Build the config from `environ` (defaults to `os.environ`)."""
        env = os.environ if environ is None else environ
        return cls(
            database_url=env.get("CRM_DATABASE_URL") or DEFAULT_DATABASE_URL,
            host=env.get("CRM_HOST") or "127.0.0.1",
            port=_int(env, "CRM_PORT", 8000),
            service_token=env.get("CRM_SERVICE_TOKEN") or DEFAULT_SERVICE_TOKEN,
            token_secret=env.get("CRM_TOKEN_SECRET") or DEFAULT_TOKEN_SECRET,
            customer_token_ttl=_int(env, "CRM_CUSTOMER_TOKEN_TTL", 86400),
            customer_token_max_lifetime=_int(env, "CRM_CUSTOMER_TOKEN_MAX_LIFETIME", 86400),
            demo_mode=_flag(env, "KEFU_DEMO_MODE", False),
            max_body_bytes=_int(env, "CRM_MAX_BODY_BYTES", 65536),
            seed_anchor=_date(env, "CRM_SEED_ANCHOR", "2026-11-20"),
            tiers_policy_path=Path(env.get("CRM_TIERS_POLICY") or POLICY_DIR / "tiers.toml"),
            rewards_policy_path=Path(env.get("CRM_REWARDS_POLICY") or POLICY_DIR / "rewards.toml"),
            risk_policy_path=Path(env.get("CRM_RISK_POLICY") or POLICY_DIR / "risk.toml"),
            remedies_policy_path=Path(
                env.get("CRM_REMEDIES_POLICY") or POLICY_DIR / "remedies.toml"),
            orders_policy_path=Path(env.get("CRM_ORDERS_POLICY") or POLICY_DIR / "orders.toml"),
            identity_policy_path=Path(
                env.get("CRM_IDENTITY_POLICY") or POLICY_DIR / "identity.toml"),
            staff_policy_path=Path(env.get("CRM_STAFF_POLICY") or POLICY_DIR / "staff.toml"),
            handoffs_policy_path=Path(
                env.get("CRM_HANDOFFS_POLICY") or POLICY_DIR / "handoffs.toml"),
            price_protection_policy_path=Path(
                env.get("CRM_PRICE_PROTECTION_POLICY") or POLICY_DIR / "price_protection.toml"),
            after_sales_policy_path=Path(
                env.get("CRM_AFTER_SALES_POLICY") or POLICY_DIR / "after_sales.toml"),
            invoices_policy_path=Path(
                env.get("CRM_INVOICES_POLICY") or POLICY_DIR / "invoices.toml"),
            appointments_policy_path=Path(
                env.get("CRM_APPOINTMENTS_POLICY") or POLICY_DIR / "appointments.toml"),
            rasa_url=(env.get("KEFU_RASA_URL") or "").rstrip("/") or None,
            rasa_token=env.get("KEFU_RASA_API_TOKEN") or "",
            rasa_timeout_seconds=_int(env, "CRM_RASA_TIMEOUT_SECONDS", 10),
            followup_poll_seconds=_int(env, "CRM_FOLLOWUP_POLL_SECONDS", 5),
            followup_delay_seconds=_optional_seconds(env, "CRM_FOLLOWUP_DELAY_SECONDS"),
            daily_jobs_hour=_optional_hour(env, "CRM_DAILY_JOBS_HOUR", "3"),
            listen_fd=_optional_seconds(env, "KEFU_LISTEN_FD"),
            widget_script=Path(env.get("KEFU_WIDGET_SCRIPT") or WIDGET_SCRIPT),
            widget_socket_url=(env.get("KEFU_WIDGET_SOCKET_URL") or env.get("KEFU_RASA_URL")
                               or "").rstrip("/") or None,
            shop_name=env.get("KEFU_SHOP_NAME") or "小象优选",
            wechat_app_id=env.get("WECHAT_APP_ID") or "",
            wechat_app_secret=env.get("WECHAT_APP_SECRET") or "",
            wechat_api_base=(env.get("WECHAT_API_BASE") or "https://api.weixin.qq.com").rstrip("/"),
        )


def weak_secrets(config: CRMConfig) -> List[str]:
    """Why the service token or the token secret is unfit for production (empty when both are
    fine): a development default, or shorter than `MIN_SECRET_LENGTH` characters."""
    problems = []
    for name, value, default in (("CRM_SERVICE_TOKEN", config.service_token, DEFAULT_SERVICE_TOKEN),
                                 ("CRM_TOKEN_SECRET", config.token_secret, DEFAULT_TOKEN_SECRET)):
        if value == default:
            problems.append(f"{name} is the development default {default!r}")
        elif len(value) < MIN_SECRET_LENGTH:
            problems.append(f"{name} is shorter than {MIN_SECRET_LENGTH} characters")
    return problems


def check_secrets(config: CRMConfig) -> List[str]:
    """The secret problems to warn about in demo mode; outside it a ConfigError naming them all."""
    problems = weak_secrets(config)
    if problems and not config.demo_mode:
        raise ConfigError(
            "refusing to start with unsafe secrets: " + "; ".join(problems)
            + f". Set each to a random value of at least {MIN_SECRET_LENGTH} characters "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))'), "
            "or KEFU_DEMO_MODE=true for a local demo.")
    return problems
