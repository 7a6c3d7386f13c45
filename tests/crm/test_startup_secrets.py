"""Outside demo mode the CRM will not serve with development or short secrets; in demo mode it
warns (issue 10). The check sits at `serve`, so tests building the app directly are unaffected."""

from __future__ import annotations

import argparse
import logging
from typing import List

import pytest

from crm_backend import __main__ as cli
from crm_backend.core.config import (DEFAULT_SERVICE_TOKEN, DEFAULT_TOKEN_SECRET, ConfigError,
                                     CRMConfig, check_secrets, weak_secrets)

STRONG_TOKEN = "s" * 32
STRONG_SECRET = "t" * 32


def _config(**overrides: object) -> CRMConfig:
    values = {"service_token": STRONG_TOKEN, "token_secret": STRONG_SECRET, **overrides}
    return CRMConfig(**values)  # type: ignore[arg-type]


def test_strong_secrets_pass_in_either_mode() -> None:
    assert weak_secrets(_config()) == []
    assert check_secrets(_config()) == []
    assert check_secrets(_config(demo_mode=True)) == []


@pytest.mark.parametrize("overrides, names", [
    ({"service_token": DEFAULT_SERVICE_TOKEN}, ["CRM_SERVICE_TOKEN"]),
    ({"token_secret": DEFAULT_TOKEN_SECRET}, ["CRM_TOKEN_SECRET"]),
    ({"service_token": "s" * 31}, ["CRM_SERVICE_TOKEN"]),
    ({"token_secret": "t" * 31}, ["CRM_TOKEN_SECRET"]),
    ({"service_token": "x", "token_secret": DEFAULT_TOKEN_SECRET},
     ["CRM_SERVICE_TOKEN", "CRM_TOKEN_SECRET"]),
])
def test_each_weak_secret_is_named(overrides: dict, names: List[str]) -> None:
    problems = weak_secrets(_config(**overrides))
    assert [p.split()[0] for p in problems] == names


def test_outside_demo_mode_weak_secrets_stop_start_up() -> None:
    with pytest.raises(ConfigError, match="CRM_SERVICE_TOKEN.*CRM_TOKEN_SECRET.*KEFU_DEMO_MODE"):
        check_secrets(CRMConfig())


def test_in_demo_mode_weak_secrets_are_warnings() -> None:
    assert len(check_secrets(CRMConfig(demo_mode=True))) == 2


@pytest.mark.parametrize("raw, expected", [("", False), ("false", False), ("0", False),
                                           ("true", True), ("TRUE", True), ("1", True)])
def test_demo_mode_from_the_environment(raw: str, expected: bool) -> None:
    assert CRMConfig.from_env({"KEFU_DEMO_MODE": raw}).demo_mode is expected
    assert CRMConfig.from_env({}).demo_mode is False


def test_a_bad_demo_mode_value_fails_loudly() -> None:
    with pytest.raises(ConfigError, match="KEFU_DEMO_MODE"):
        CRMConfig.from_env({"KEFU_DEMO_MODE": "yes please"})


def _run_app_calls(monkeypatch: pytest.MonkeyPatch) -> list:
    calls: list = []
    monkeypatch.setattr(cli.web, "run_app", lambda app, **kwargs: calls.append(kwargs))
    return calls


def test_serve_refuses_the_demo_secrets(monkeypatch: pytest.MonkeyPatch,
                                        caplog: pytest.LogCaptureFixture) -> None:
    calls = _run_app_calls(monkeypatch)
    assert cli.cmd_serve(CRMConfig(), argparse.Namespace()) == 2
    assert calls == []
    assert "kefu-dev-token-secret" in caplog.text and "KEFU_DEMO_MODE=true" in caplog.text


def test_serve_in_demo_mode_warns_and_runs(monkeypatch: pytest.MonkeyPatch,
                                           caplog: pytest.LogCaptureFixture) -> None:
    calls = _run_app_calls(monkeypatch)
    with caplog.at_level(logging.WARNING):
        assert cli.cmd_serve(CRMConfig(demo_mode=True), argparse.Namespace()) == 0
    assert len(calls) == 1
    assert [r.levelno for r in caplog.records] == [logging.WARNING, logging.WARNING]


def test_serve_with_strong_secrets_runs_silently(monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    calls = _run_app_calls(monkeypatch)
    with caplog.at_level(logging.WARNING):
        assert cli.cmd_serve(_config(), argparse.Namespace()) == 0
    assert len(calls) == 1 and caplog.records == []
