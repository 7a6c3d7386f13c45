"""Unit tests of configuration from the environment."""

from __future__ import annotations

from datetime import date

import pytest

from crm_backend.core.config import DEFAULT_DATABASE_URL, REPO_ROOT, ConfigError, CRMConfig


def test_defaults() -> None:
    config = CRMConfig.from_env({})
    assert config.database_url == DEFAULT_DATABASE_URL
    assert DEFAULT_DATABASE_URL == f"sqlite+aiosqlite:///{REPO_ROOT / 'var' / 'crm.sqlite3'}"
    assert (config.host, config.port) == ("127.0.0.1", 8000)
    assert config.service_token == "kefu-dev-service-token"
    assert config.token_secret == "kefu-dev-token-secret"
    assert (config.customer_token_ttl, config.max_body_bytes) == (86400, 65536)
    assert config.customer_token_max_lifetime == 86400
    assert config.seed_anchor == date(2026, 11, 20)
    assert config.daily_jobs_hour == 3
    assert config.identity_policy_path.name == "identity.toml"
    assert CRMConfig.from_env({"CRM_IDENTITY_POLICY": "/etc/kefu/identity.toml"}
                              ).identity_policy_path.as_posix() == "/etc/kefu/identity.toml"


def test_daily_jobs_can_be_moved_or_disabled() -> None:
    assert CRMConfig.from_env({"CRM_DAILY_JOBS_HOUR": "0"}).daily_jobs_hour == 0
    assert CRMConfig.from_env({"CRM_DAILY_JOBS_HOUR": ""}).daily_jobs_hour is None


def test_overrides() -> None:
    config = CRMConfig.from_env({
        "CRM_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:5432/kefu",
        "CRM_PORT": "9000", "CRM_CUSTOMER_TOKEN_TTL": "60", "CRM_SEED_ANCHOR": "2027-01-31",
    })
    assert config.database_url.startswith("postgresql+asyncpg://")
    assert (config.port, config.customer_token_ttl) == (9000, 60)
    assert config.seed_anchor == date(2027, 1, 31)


@pytest.mark.parametrize("name,value", [("CRM_PORT", "abc"), ("CRM_MAX_BODY_BYTES", "0"),
                                        ("CRM_SEED_ANCHOR", "20261120x"),
                                        ("CRM_DAILY_JOBS_HOUR", "24"),
                                        ("CRM_DAILY_JOBS_HOUR", "three"),
                                        ("CRM_CUSTOMER_TOKEN_MAX_LIFETIME", "-5"),
                                        ("CRM_CUSTOMER_TOKEN_TTL", "86401")])
def test_bad_values_fail_loudly(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        CRMConfig.from_env({name: value})


def test_the_token_ttl_may_not_exceed_the_maximum_lifetime() -> None:
    config = CRMConfig.from_env({"CRM_CUSTOMER_TOKEN_TTL": "3600",
                                 "CRM_CUSTOMER_TOKEN_MAX_LIFETIME": "3600"})
    assert (config.customer_token_ttl, config.customer_token_max_lifetime) == (3600, 3600)
    with pytest.raises(ConfigError, match="CRM_CUSTOMER_TOKEN_TTL.*CRM_CUSTOMER_TOKEN_MAX_LIFETIME"):
        CRMConfig.from_env({"CRM_CUSTOMER_TOKEN_MAX_LIFETIME": "3600"})


def test_the_widget_settings() -> None:
    default = CRMConfig.from_env({"KEFU_RASA_URL": "http://127.0.0.1:5005/"})
    assert default.widget_socket_url == "http://127.0.0.1:5005"
    assert default.widget_script == REPO_ROOT / "web" / "widget" / "dist" / "kefu-widget.js"
    assert CRMConfig.from_env({}).widget_socket_url is None
    public = CRMConfig.from_env({"KEFU_RASA_URL": "http://10.0.0.2:5005",
                                 "KEFU_WIDGET_SOCKET_URL": "https://kefu.example.com",
                                 "KEFU_SHOP_NAME": "好店"})
    assert (public.widget_socket_url, public.shop_name) == ("https://kefu.example.com", "好店")


def test_the_wechat_settings() -> None:
    assert CRMConfig.from_env({}).wechat_api_base == "https://api.weixin.qq.com"
    configured = CRMConfig.from_env({"WECHAT_APP_ID": "wx1", "WECHAT_APP_SECRET": "s",
                                     "WECHAT_API_BASE": "http://127.0.0.1:9/"})
    assert (configured.wechat_app_id, configured.wechat_app_secret,
            configured.wechat_api_base) == ("wx1", "s", "http://127.0.0.1:9")
