"""Sub-commands `staff add | passwd | disable | list` of `python -m crm_backend`: managing the
accounts of the staff console from the server's shell (there is no sign-up page)."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime
from typing import Any, Awaitable, Callable, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.core.clock import SystemClock
from crm_backend.core.config import CRMConfig
from crm_backend.core.db import run_in_session
from crm_backend.core.errors import DomainError
from crm_backend.core.models import StaffUser
from crm_backend.core.time import BEIJING
from crm_backend.staff import rules, store

T = TypeVar("T")


class StaffCommandError(Exception):
    """A command that cannot go on, with what to tell the operator."""


def _in_session(config: CRMConfig, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work(session)` in a fresh event loop and commit; a database that cannot be used
    becomes a StaffCommandError saying what to check."""
    try:
        return run_in_session(config.database_url, work)
    except (DBAPIError, OSError) as exc:
        raise StaffCommandError(
            "无法读写 CRM 数据库，请确认 CRM_DATABASE_URL 正确，并已运行 "
            f"python -m crm_backend migrate（{type(exc).__name__}）") from exc


def read_new_password(args: argparse.Namespace) -> str:
    """The new password: one line of standard input with --password-stdin, else typed twice
    without echo."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"请输入新密码（至少 {rules.MIN_PASSWORD_LENGTH} 个字符，不能全是数字）：")
    second = getpass.getpass("请再次输入新密码：")
    if first != second:
        raise StaffCommandError("两次输入的密码不一致，没有做任何修改，请重新运行命令。")
    return first


def _run(work: Callable[[], int]) -> int:
    """Exit status of `work`: its own, or 2 with the reason on standard error."""
    try:
        return work()
    except StaffCommandError as exc:
        print(str(exc), file=sys.stderr)
    except DomainError as exc:
        print(f"{exc.message}，没有做任何修改。", file=sys.stderr)
    return 2


def cmd_staff_add(config: CRMConfig, args: argparse.Namespace) -> int:
    """`staff add <username> --name 显示名 --role agent|manager [--password-stdin]`."""

    def work() -> int:
        password = read_new_password(args)
        now = SystemClock().now()
        staff = _in_session(config, lambda db: store.create_staff(
            db, username=args.username, display_name=args.name, role=args.role,
            password=password, now=now))
        print(f"已创建账号 {staff.username}（{staff.display_name}，"
              f"{rules.ROLE_LABELS[staff.role]}），现在可以在 /staff/login 登录。")
        return 0

    return _run(work)


def cmd_staff_passwd(config: CRMConfig, args: argparse.Namespace) -> int:
    """`staff passwd <username> [--password-stdin]`: a new password; the account's sessions end
    and any lock is lifted."""

    def work() -> int:
        password = read_new_password(args)
        now = SystemClock().now()
        staff, ended = _in_session(config,
                                   lambda db: store.set_password(db, args.username, password, now))
        print(f"已为 {staff.username} 设置新密码，并解除锁定；原有的 {ended} 个登录会话已退出。")
        return 0

    return _run(work)


def cmd_staff_disable(config: CRMConfig, args: argparse.Namespace) -> int:
    """`staff disable <username>`: the account can no longer log in; its sessions end."""

    def work() -> int:
        now = SystemClock().now()
        staff, ended = _in_session(config, lambda db: store.disable_staff(db, args.username, now))
        print(f"已停用账号 {staff.username}（{staff.display_name}），结束了它的 {ended} 个登录会话。")
        return 0

    return _run(work)


def _status(staff: StaffUser, now: datetime) -> str:
    """An account's state in words."""
    if staff.disabled_at is not None:
        return f"已停用（{staff.disabled_at.astimezone(BEIJING):%Y-%m-%d %H:%M} 起）"
    if rules.is_locked(staff.locked_until, now):
        return f"密码错误已锁定（至 {staff.locked_until.astimezone(BEIJING):%H:%M}）"
    return "正常"


def cmd_staff_list(config: CRMConfig, args: argparse.Namespace) -> int:
    """`staff list`: every account with its role and state."""

    def work() -> int:
        members = _in_session(config, store.all_staff)
        if not members:
            print("还没有任何账号；用 python -m crm_backend staff add 创建一个。")
            return 0
        now = SystemClock().now()
        print("账号\t显示名\t角色\t状态\t创建时间（北京时间）")
        for m in members:
            print(f"{m.username}\t{m.display_name}\t{rules.ROLE_LABELS.get(m.role, m.role)}\t"
                  f"{_status(m, now)}\t{m.created_at.astimezone(BEIJING):%Y-%m-%d %H:%M}")
        return 0

    return _run(work)


def add_staff_commands(sub: Any) -> None:
    """Register the `staff` command group on the sub-parser set."""
    staff = sub.add_parser("staff", help="staff console accounts").add_subparsers(
        dest="action", required=True)
    add = staff.add_parser("add", help="create an account (password asked twice)")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="the name shown in the console (显示名)")
    add.add_argument("--role", required=True, choices=rules.ROLES)
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from one line of standard input")
    add.set_defaults(run=cmd_staff_add)
    passwd = staff.add_parser("passwd", help="set a new password (ends the account's sessions)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true",
                        help="read the password from one line of standard input")
    passwd.set_defaults(run=cmd_staff_passwd)
    disable = staff.add_parser("disable", help="stop an account logging in, end its sessions")
    disable.add_argument("username")
    disable.set_defaults(run=cmd_staff_disable)
    staff.add_parser("list", help="every account with its role and state").set_defaults(
        run=cmd_staff_list)
