"""Helpers of the staff login tests: accounts of their own in the shared database, a browser with
a cookie jar, and the login form's steps."""

from __future__ import annotations

import re
import uuid
from typing import Any, Awaitable, Callable, Optional, TypeVar

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession

from crm_backend.core.clock import FixedClock
from crm_backend.core.db import create_engine, create_sessionmaker
from crm_backend.core.models import StaffUser
from crm_backend.staff import store

T = TypeVar("T")
PASSWORD = "correct-horse-42"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]*)"')
ERROR_BOX = re.compile(r'data-staff="error">([^<]*)<')


def new_username(prefix: str = "t") -> str:
    """A username no other test uses (the database is shared by the session)."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


async def in_db(url: str, work: Callable[[AsyncSession], Awaitable[T]], commit: bool = True) -> T:
    """Run `work` in a session of its own on the database at `url`."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as db:
            result = await work(db)
            if commit:
                await db.commit()
            return result
    finally:
        await engine.dispose()


async def add_staff(url: str, clock: FixedClock, role: str = "agent",
                    display_name: str = "测试客服", password: str = PASSWORD) -> str:
    """A new enabled account; returns its username."""
    username = new_username()
    await in_db(url, lambda db: store.create_staff(db, username=username,
                                                   display_name=display_name, role=role,
                                                   password=password, now=clock.now()))
    return username


async def staff_row(url: str, username: str) -> StaffUser:
    """The account as stored now."""
    return await in_db(url, lambda db: store.staff_by_username(db, username), commit=False)


def browser(base_url: Any) -> aiohttp.ClientSession:
    """A client that keeps cookies for 127.0.0.1 (the default jar refuses IP hosts)."""
    return aiohttp.ClientSession(base_url=str(base_url),
                                 cookie_jar=aiohttp.CookieJar(unsafe=True))


async def login_token(session: aiohttp.ClientSession, next_path: Optional[str] = None) -> str:
    """Open the login page and return the token its form carries."""
    params = {"next": next_path} if next_path is not None else None
    async with session.get("/staff/login", params=params) as resp:
        assert resp.status == 200
        return CSRF_INPUT.search(await resp.text()).group(1)


async def post_login(session: aiohttp.ClientSession, username: str, password: str = PASSWORD,
                     next_path: Optional[str] = None, token: Optional[str] = None,
                     **extra: Any) -> aiohttp.ClientResponse:
    """Submit the login form as a browser would (the page first, unless `token` is given);
    the response is read and not followed."""
    if token is None:
        token = await login_token(session, next_path)
    form = {"username": username, "password": password, "csrf_token": token}
    if next_path is not None:
        form["next"] = next_path
    resp = await session.post("/staff/login", data=form, allow_redirects=False, **extra)
    await resp.read()
    return resp


async def logged_in(session: aiohttp.ClientSession, username: str,
                    password: str = PASSWORD) -> None:
    """Log in and check it worked."""
    resp = await post_login(session, username, password)
    assert resp.status == 303, await resp.text()


async def session_csrf(session: aiohttp.ClientSession) -> str:
    """The logged-in session's CSRF token, as the home page's logout form carries it."""
    async with session.get("/staff/", allow_redirects=False) as resp:
        assert resp.status == 200
        return CSRF_INPUT.search(await resp.text()).group(1)


def error_of(html: str) -> str:
    """The error box of a staff page."""
    found = ERROR_BOX.search(html)
    assert found, html
    return found.group(1)


async def status_of(session: aiohttp.ClientSession, path: str = "/api/staff/me") -> int:
    """The status of a GET (redirects not followed)."""
    async with session.get(path, allow_redirects=False) as resp:
        return resp.status
