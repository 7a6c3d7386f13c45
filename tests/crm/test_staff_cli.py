"""`python -m crm_backend staff add | passwd | disable | list` on a throwaway SQLite database:
once through a real process, the rest by calling the command line in this process."""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from typing import Iterator, List

import pytest
from sqlalchemy import update

from crm_backend.__main__ import main
from crm_backend.core.config import REPO_ROOT
from crm_backend.core.models import StaffUser
from crm_backend.staff import store
from crm_backend.staff.cli import read_new_password
from crm_backend.staff.passwords import verify_password
from crm_backend.staff.policy import StaffPolicy

from .databases import sqlite_url
from .staff_support import in_db, staff_row

POLICY = StaffPolicy(timedelta(minutes=30), timedelta(hours=12), 5, timedelta(minutes=15))


@pytest.fixture
def cli_db(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated, empty SQLite database the command line is pointed at."""
    url = sqlite_url(tmp_path)
    monkeypatch.setenv("CRM_DATABASE_URL", url)
    assert main(["migrate"]) == 0
    yield url


def _typed(monkeypatch: pytest.MonkeyPatch, *answers: str) -> List[str]:
    """Make getpass answer `answers` in turn; returns the prompts it was shown."""
    prompts: List[str] = []
    queue = list(answers)

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return queue.pop(0)

    monkeypatch.setattr("crm_backend.staff.cli.getpass.getpass", fake_getpass)
    return prompts


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def test_the_real_command_line_adds_and_lists(tmp_path) -> None:
    env = {**os.environ, "CRM_DATABASE_URL": sqlite_url(tmp_path),
           "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "crm_backend", *args], input=stdin,
                              capture_output=True, text=True, env=env, cwd=REPO_ROOT,
                              timeout=120)

    assert run("migrate").returncode == 0
    added = run("staff", "add", "xiaoli", "--name", "客服小李", "--role", "agent",
                "--password-stdin", stdin="xiaoli-pw-2026\n")
    assert added.returncode == 0, added.stderr
    assert "已创建账号 xiaoli（客服小李，客服）" in added.stdout
    again = run("staff", "add", "xiaoli", "--name", "小李", "--role", "agent",
                "--password-stdin", stdin="xiaoli-pw-2026\n")
    assert again.returncode == 2 and "账号 xiaoli 已存在" in again.stderr
    listed = run("staff", "list")
    assert listed.returncode == 0
    assert "xiaoli\t客服小李\t客服\t正常" in listed.stdout


def test_add_asks_for_the_password_twice(cli_db: str, monkeypatch, capsys) -> None:
    prompts = _typed(monkeypatch, "chen-manager-1", "chen-manager-1")
    assert main(["staff", "add", "Chen.M", "--name", "陈主管", "--role", "manager"]) == 0
    assert len(prompts) == 2 and "至少 10 个字符" in prompts[0]
    assert "已创建账号 chen.m（陈主管，主管）" in capsys.readouterr().out
    row = asyncio.run(staff_row(cli_db, "chen.m"))
    assert row.role == "manager" and verify_password("chen-manager-1", row.password_hash)
    assert row.password_hash.startswith("scrypt$")


def test_add_refuses_mismatched_or_weak_passwords_and_bad_names(cli_db: str, monkeypatch,
                                                                capsys) -> None:
    _typed(monkeypatch, "first-password", "second-password")
    assert main(["staff", "add", "xiaoli", "--name", "小李", "--role", "agent"]) == 2
    assert "两次输入的密码不一致" in capsys.readouterr().err
    for password, reason in (("short", "至少需要 10 个字符"), ("12345678901", "不能全是数字"),
                             ("xiaoli.kefu", "不能与账号相同")):
        _stdin(monkeypatch, password + "\n")
        assert main(["staff", "add", "xiaoli.kefu", "--name", "小李", "--role", "agent",
                     "--password-stdin"]) == 2
        assert reason in capsys.readouterr().err
    _stdin(monkeypatch, "good-password-1\n")
    assert main(["staff", "add", "小李", "--name", "小李", "--role", "agent",
                 "--password-stdin"]) == 2
    assert "账号须为" in capsys.readouterr().err
    assert main(["staff", "list"]) == 0
    assert "还没有任何账号" in capsys.readouterr().out


def test_passwd_sets_a_new_password_unlocks_and_logs_out(cli_db: str, monkeypatch,
                                                         capsys) -> None:
    _stdin(monkeypatch, "old-password-1\n")
    assert main(["staff", "add", "xiaoli", "--name", "小李", "--role", "agent",
                 "--password-stdin"]) == 0
    now = datetime.now(timezone.utc)

    async def log_in_and_lock(db):
        staff = await store.staff_by_username(db, "xiaoli")
        await store.start_session(db, staff, now, POLICY)
        await db.execute(update(StaffUser).where(StaffUser.id == staff.id)
                         .values(failed_logins=0, locked_until=now + timedelta(minutes=10)))

    asyncio.run(in_db(cli_db, log_in_and_lock))
    capsys.readouterr()
    assert main(["staff", "list"]) == 0
    assert "密码错误已锁定" in capsys.readouterr().out
    _typed(monkeypatch, "new-password-2", "new-password-2")
    assert main(["staff", "passwd", "XiaoLi"]) == 0
    assert "已为 xiaoli 设置新密码，并解除锁定；原有的 1 个登录会话已退出" in capsys.readouterr().out
    row = asyncio.run(staff_row(cli_db, "xiaoli"))
    assert verify_password("new-password-2", row.password_hash)
    assert not verify_password("old-password-1", row.password_hash)
    assert row.locked_until is None
    _stdin(monkeypatch, "new-password-3\n")
    assert main(["staff", "passwd", "nobody", "--password-stdin"]) == 2
    assert "没有账号 nobody" in capsys.readouterr().err


def test_disable_ends_the_sessions_and_list_shows_it(cli_db: str, monkeypatch, capsys) -> None:
    _stdin(monkeypatch, "xiaoli-pw-2026\n")
    assert main(["staff", "add", "xiaoli", "--name", "小李", "--role", "agent",
                 "--password-stdin"]) == 0

    async def two_sessions(db):
        staff = await store.staff_by_username(db, "xiaoli")
        for _ in range(2):
            await store.start_session(db, staff, datetime.now(timezone.utc), POLICY)

    asyncio.run(in_db(cli_db, two_sessions))
    capsys.readouterr()
    assert main(["staff", "disable", "xiaoli"]) == 0
    assert "已停用账号 xiaoli（小李），结束了它的 2 个登录会话" in capsys.readouterr().out
    assert main(["staff", "list"]) == 0
    assert "xiaoli\t小李\t客服\t已停用" in capsys.readouterr().out
    assert main(["staff", "disable", "nobody"]) == 2
    assert "没有账号 nobody" in capsys.readouterr().err


def test_stdin_password_keeps_everything_but_the_line_end(monkeypatch) -> None:
    _stdin(monkeypatch, "  spaced pass phrase \r\n")
    args = argparse.Namespace(password_stdin=True)
    assert read_new_password(args) == "  spaced pass phrase "


def test_a_database_that_is_not_migrated_says_what_to_run(tmp_path, monkeypatch,
                                                          capsys) -> None:
    monkeypatch.setenv("CRM_DATABASE_URL", sqlite_url(tmp_path))
    assert main(["staff", "list"]) == 2
    assert "python -m crm_backend migrate" in capsys.readouterr().err
