"""Staff logins over real HTTP, on SQLite and PostgreSQL: the login page and its cookie, the same
answer for unknown users and wrong passwords, the lockout, disabled accounts, session expiry,
logout, CSRF, the guard of pages and the staff API, roles, re-hashing old passwords, open
redirects and escaping.

The seeded database is shared by the whole session, so every test makes accounts of its own.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select, update
from yarl import URL

from crm_backend.app import create_app
from crm_backend.core.clock import FixedClock
from crm_backend.core.config import CRMConfig
from crm_backend.core.models import StaffSession, StaffUser
from crm_backend.seed.plan import build_plan
from crm_backend.staff import store
from crm_backend.staff.guard import require_staff, signed_in
from crm_backend.staff.passwords import verify_password

from .databases import ANCHOR, TestDatabase
from .staff_support import (PASSWORD, add_staff, browser, error_of, in_db, logged_in,
                            login_token, new_username, post_login, session_csrf, staff_row,
                            status_of)

BAD_CREDENTIALS = "账号或密码错误，请检查后重新输入。忘记密码请联系主管重置。"


@pytest.fixture
def origin(client: TestClient) -> URL:
    """Where the test server listens."""
    return client.make_url("/").origin()


@pytest.fixture
async def web_browser(origin: URL) -> AsyncIterator[aiohttp.ClientSession]:
    """A browser (with cookies) on the test server."""
    async with browser(origin) as session:
        yield session


async def _sessions_of(url: str, username: str) -> list:
    async def load(db):
        stmt = (select(StaffSession).join(StaffUser).where(StaffUser.username == username)
                .order_by(StaffSession.id))
        return list((await db.execute(stmt)).scalars())
    return await in_db(url, load, commit=False)


def _cookie(resp: aiohttp.ClientResponse, name: str) -> str:
    """The Set-Cookie header for `name`."""
    found = [h for h in resp.headers.getall("Set-Cookie", []) if h.startswith(f"{name}=")]
    assert len(found) == 1, resp.headers
    return found[0]


async def test_login_sets_a_strict_session_cookie_and_opens_the_home_page(
        web_browser, database: TestDatabase, clock: FixedClock) -> None:
    username = await add_staff(database.url, clock, display_name="测试小李")
    async with web_browser.get("/staff/login") as page:
        html = await page.text()
        assert page.status == 200 and "客服工作台登录" in html and "请输入" in html
        assert page.headers["Cache-Control"] == "no-store"
        assert page.headers["X-Frame-Options"] == "DENY"
        assert "HttpOnly" in _cookie(page, "kefu_staff_login")
    resp = await post_login(web_browser, username)
    assert resp.status == 303 and resp.headers["Location"] == "/staff/"
    cookie = _cookie(resp, "kefu_staff")
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite", "path"} <= flags and "secure" not in flags
    assert "SameSite=Lax" in cookie and "Path=/" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    (row,) = await _sessions_of(database.url, username)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    assert row.ended_at is None and row.expires_at == clock.now() + timedelta(hours=12)
    async with web_browser.get("/staff/", allow_redirects=False) as home:
        html = await home.text()
        assert home.status == 200
        assert "客服工作台" in html and "测试小李" in html and "客服" in html and username in html
        assert 'action="/staff/logout"' in html and row.csrf_token in html
    async with web_browser.get("/api/staff/me") as me:
        assert (await me.json())["staff"] == {
            "id": row.staff_id, "username": username, "display_name": "测试小李",
            "role": "agent"}


async def test_the_cookie_is_secure_when_the_browser_came_over_https(
        web_browser, database: TestDatabase, clock: FixedClock) -> None:
    username = await add_staff(database.url, clock)
    resp = await post_login(web_browser, username, headers={"X-Forwarded-Proto": "https"})
    assert resp.status == 303
    assert "Secure" in _cookie(resp, "kefu_staff")


async def test_the_seeded_demo_accounts_log_in(web_browser) -> None:
    await logged_in(web_browser, "xiaomei", "kefu-demo")
    async with web_browser.get("/api/staff/me") as me:
        assert (await me.json())["staff"]["display_name"] == "客服小美"


async def test_wrong_password_and_unknown_user_get_the_same_answer(
        web_browser, database: TestDatabase, clock: FixedClock) -> None:
    username = await add_staff(database.url, clock)
    wrong = await post_login(web_browser, username, "not-the-password")
    unknown = await post_login(web_browser, new_username("nobody"), PASSWORD)
    assert wrong.status == unknown.status == 401
    assert error_of(await wrong.text()) == error_of(await unknown.text()) == BAD_CREDENTIALS
    assert "kefu_staff=" not in " ".join(wrong.headers.getall("Set-Cookie", []))
    assert (await staff_row(database.url, username)).failed_logins == 1


async def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(
        web_browser, database: TestDatabase, clock: FixedClock) -> None:
    username = await add_staff(database.url, clock)
    for _ in range(4):
        assert (await post_login(web_browser, username, "wrong-password")).status == 401
    fifth = await post_login(web_browser, username, "wrong-password")
    assert fifth.status == 429 and fifth.headers["Retry-After"] == "900"
    message = error_of(await fifth.text())
    assert "账号已暂时锁定" in message and "15 分钟后" in message and "北京时间" in message
    right = await post_login(web_browser, username)
    assert right.status == 429 and "账号已暂时锁定" in error_of(await right.text())
    clock.advance(timedelta(minutes=14, seconds=30))
    still = await post_login(web_browser, username)
    assert still.status == 429 and still.headers["Retry-After"] == "30"
    assert "1 分钟后" in error_of(await still.text())
    clock.advance(timedelta(seconds=30))
    assert (await post_login(web_browser, username)).status == 303
    row = await staff_row(database.url, username)
    assert (row.failed_logins, row.locked_until) == (0, None)


async def test_a_disabled_account_cannot_log_in_and_its_sessions_end(
        web_browser, database: TestDatabase, clock: FixedClock) -> None:
    username = await add_staff(database.url, clock)
    await logged_in(web_browser, username)
    assert await status_of(web_browser) == 200
    _, ended = await in_db(database.url,
                           lambda db: store.disable_staff(db, username, clock.now()))
    assert ended == 1
    assert await status_of(web_browser) == 401
    refused = await post_login(web_browser, username)
    assert refused.status == 403
    assert error_of(await refused.text()) == "该账号已停用，不能登录。如有疑问请联系主管。"
    wrong = await post_login(web_browser, username, "wrong-password")
    assert wrong.status == 401 and error_of(await wrong.text()) == BAD_CREDENTIALS
    assert all(s.ended_at is not None for s in await _sessions_of(database.url, username))


async def test_a_session_ends_after_thirty_idle_minutes(
        web_browser, database: TestDatabase, clock: FixedClock) -> None:
    username = await add_staff(database.url, clock)
    await logged_in(web_browser, username)
    clock.advance(timedelta(minutes=29))
    assert await status_of(web_browser) == 200
    clock.advance(timedelta(minutes=29))
    assert await status_of(web_browser) == 200
    clock.advance(timedelta(minutes=30))
    assert await status_of(web_browser) == 401
    async with web_browser.get("/staff/", allow_redirects=False) as page:
        assert page.status == 302 and page.headers["Location"] == "/staff/login"


async def test_a_session_ends_twelve_hours_after_login_however_busy(
        web_browser, database: TestDatabase, clock: FixedClock) -> None:
    username = await add_staff(database.url, clock)
    await logged_in(web_browser, username)
    for _ in range(35):
        clock.advance(timedelta(minutes=20))
        assert await status_of(web_browser) == 200
    clock.advance(timedelta(minutes=20))
    assert await status_of(web_browser) == 401


async def test_logout_ends_the_session(web_browser, origin: URL, database: TestDatabase,
                                       clock: FixedClock) -> None:
    username = await add_staff(database.url, clock)
    await logged_in(web_browser, username)
    token = next(c.value for c in web_browser.cookie_jar if c.key == "kefu_staff")
    csrf = await session_csrf(web_browser)
    async with web_browser.post("/staff/logout", data={"csrf_token": csrf},
                                allow_redirects=False) as resp:
        assert resp.status == 303 and resp.headers["Location"] == "/staff/login?logged_out=1"
    assert "kefu_staff" not in {c.key for c in web_browser.cookie_jar}
    async with web_browser.get("/staff/login?logged_out=1") as page:
        assert "您已安全退出" in await page.text()
    (row,) = await _sessions_of(database.url, username)
    assert row.ended_at == clock.now()
    async with browser(origin) as replay:
        replay.cookie_jar.update_cookies({"kefu_staff": token})
        assert await status_of(replay) == 401


async def test_logging_in_again_ends_the_previous_session(
        web_browser, database: TestDatabase, clock: FixedClock) -> None:
    username = await add_staff(database.url, clock)
    other_tab = await login_token(web_browser)
    await logged_in(web_browser, username)
    assert (await post_login(web_browser, username, token=other_tab)).status == 303
    first, second = await _sessions_of(database.url, username)
    assert first.ended_at is not None and second.ended_at is None


async def test_the_login_form_needs_its_own_token(web_browser, origin: URL,
                                                  database: TestDatabase,
                                                  clock: FixedClock) -> None:
    username = await add_staff(database.url, clock)
    await login_token(web_browser)
    for token in ("", "forged-token-forged-token-forged-token-00"):
        resp = await post_login(web_browser, username, token=token)
        assert resp.status == 403
        assert "登录页面已过期" in error_of(await resp.text())
    async with browser(origin) as cookieless:
        resp = await post_login(cookieless, username, token="a" * 43)
        assert resp.status == 403
    assert (await post_login(web_browser, username)).status == 303


async def test_logout_without_the_csrf_token_is_refused(web_browser, database: TestDatabase,
                                                        clock: FixedClock) -> None:
    username = await add_staff(database.url, clock)
    await logged_in(web_browser, username)
    for data in ({}, {"csrf_token": "wrong"}):
        async with web_browser.post("/staff/logout", data=data, allow_redirects=False) as resp:
            assert resp.status == 403
            assert "页面已过期或请求来源无法确认" in error_of(await resp.text())
    assert await status_of(web_browser) == 200


@pytest.fixture
async def echo_browser(config: CRMConfig, clock: FixedClock
                       ) -> AsyncIterator[aiohttp.ClientSession]:
    """A browser on an app with two state-changing test routes behind the guard."""

    async def echo(request: web.Request) -> web.Response:
        return web.json_response({"by": signed_in(request).username})

    app = create_app(config, clock)
    app.router.add_post("/api/staff/echo", echo)
    app.router.add_post("/staff/echo", echo)
    app.router.add_post("/elsewhere/echo", require_staff()(echo))
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        async with browser(test_client.make_url("/").origin()) as session:
            yield session


async def test_every_change_needs_the_sessions_csrf_token(
        echo_browser, database: TestDatabase, clock: FixedClock) -> None:
    username = await add_staff(database.url, clock)
    await logged_in(echo_browser, username)
    csrf = await session_csrf(echo_browser)
    for path in ("/api/staff/echo", "/staff/echo", "/elsewhere/echo"):
        for headers, data in (({}, None), ({"X-CSRF-Token": "wrong"}, None),
                              ({}, {"csrf_token": "wrong"})):
            async with echo_browser.post(path, headers=headers, data=data,
                                         allow_redirects=False) as resp:
                assert resp.status == 403, path
        async with echo_browser.post(path, headers={"X-CSRF-Token": csrf}) as resp:
            assert resp.status == 200 and (await resp.json()) == {"by": username}
        async with echo_browser.post(path, data={"csrf_token": csrf}) as resp:
            assert resp.status == 200
    async with echo_browser.post("/api/staff/echo", allow_redirects=False) as resp:
        assert (await resp.json())["error"] == "csrf_failed"


async def test_anonymous_pages_go_to_the_login_page_and_come_back(
        web_browser, database: TestDatabase, clock: FixedClock) -> None:
    async with web_browser.get("/staff/?tab=queue", allow_redirects=False) as resp:
        assert resp.status == 302
        assert resp.headers["Location"] == "/staff/login?next=/staff/?tab%3Dqueue"
    async with web_browser.get("/staff/?tab=queue") as page:
        assert 'name="next" value="/staff/?tab=queue"' in await page.text()
    username = await add_staff(database.url, clock)
    resp = await post_login(web_browser, username, next_path="/staff/?tab=queue")
    assert resp.status == 303 and resp.headers["Location"] == "/staff/?tab=queue"
    async with web_browser.get("/staff/login?next=/staff/x", allow_redirects=False) as again:
        assert again.status == 303 and again.headers["Location"] == "/staff/x"


async def test_the_staff_api_answers_401_without_a_session(client: TestClient, auth: dict,
                                                           web_browser) -> None:
    for path in ("/api/staff/me", "/api/staff/team", "/api/staff/nothing"):
        resp = await client.get(path)
        assert resp.status == 401
        assert (await resp.json())["error"] == "not_logged_in"
        # The service token is no credential here.
        assert (await client.get(path, headers=auth)).status == 401
    async with web_browser.post("/api/staff/me") as resp:
        assert resp.status == 401


async def test_a_staff_session_opens_nothing_else_under_api(
        client: TestClient, web_browser, origin: URL, database: TestDatabase,
        clock: FixedClock) -> None:
    username = await add_staff(database.url, clock)
    await logged_in(web_browser, username)
    for path in ("/api/vocabulary", "/api/customers/1"):
        assert await status_of(web_browser, path) == 401
    token = next(c.value for c in web_browser.cookie_jar if c.key == "kefu_staff")
    for raw in ("/api/staff/../vocabulary", "/api/staff/%2E%2E/vocabulary",
                "/staff/../api/vocabulary", "/api/staff%2F..%2Fvocabulary"):
        # Sent as written, not normalised by the client: the router matches no /api route.
        resp = await client.session.get(URL(f"{origin}{raw}", encoded=True),
                                        headers={"Cookie": f"kefu_staff={token}"},
                                        allow_redirects=False)
        assert resp.status == 404, raw


async def test_an_agent_may_not_list_the_team_but_a_manager_may(
        web_browser, origin: URL, database: TestDatabase, clock: FixedClock) -> None:
    agent = await add_staff(database.url, clock)
    await logged_in(web_browser, agent)
    async with web_browser.get("/api/staff/team") as resp:
        assert resp.status == 403
        body = await resp.json()
        assert body["error"] == "forbidden" and "需要主管账号" in body["message"]
    async with browser(origin) as manager:
        await logged_in(manager, "chenjl", "kefu-demo")
        async with manager.get("/api/staff/team") as resp:
            assert resp.status == 200
            members = {m["username"]: m for m in (await resp.json())["staff"]}
    assert {"xiaomei", "xiaowang", "chenjl", agent} <= set(members)
    assert members["chenjl"]["role"] == "manager" and members[agent]["role_label"] == "客服"
    assert not any("password" in key for m in members.values() for key in m)


async def test_an_agent_gets_a_403_page_on_a_manager_page(
        config: CRMConfig, clock: FixedClock, database: TestDatabase) -> None:
    async def reports(request: web.Request) -> web.Response:
        return web.Response(text="reports")

    app = create_app(config, clock)
    app.router.add_get("/staff/reports", require_staff("manager")(reports))
    username = await add_staff(database.url, clock)
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        async with browser(test_client.make_url("/").origin()) as session:
            await logged_in(session, username)
            async with session.get("/staff/reports") as resp:
                assert resp.status == 403
                message = error_of(await resp.text())
                assert "没有权限" in message and "主管" in message


async def test_a_demo_account_seeded_with_pbkdf2_logs_in_and_is_rehashed_to_scrypt(
        web_browser, origin: URL, database: TestDatabase) -> None:
    # What the first seed wrote for xiaomei (a database seeded before scrypt), built here
    # independently of the code under test.
    salt = build_plan(ANCHOR).staff[0].salt
    digest = hashlib.pbkdf2_hmac("sha256", b"kefu-demo", salt.encode(), 120_000).hex()
    old = f"pbkdf2_sha256$120000${salt}${digest}"
    await in_db(database.url, lambda db: db.execute(
        update(StaffUser).where(StaffUser.username == "xiaomei").values(password_hash=old)))
    assert (await post_login(web_browser, "xiaomei", "wrong-password")).status == 401
    assert (await staff_row(database.url, "xiaomei")).password_hash == old
    await logged_in(web_browser, "xiaomei", "kefu-demo")
    stored = (await staff_row(database.url, "xiaomei")).password_hash
    assert stored.startswith("scrypt$16384$8$1$") and verify_password("kefu-demo", stored)
    async with browser(origin) as again:
        await logged_in(again, "xiaomei", "kefu-demo")
    assert (await staff_row(database.url, "xiaomei")).password_hash == stored


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/staff/",
                                    "/\\evil.example", "/api/orders", "javascript:alert(1)"])
async def test_a_login_never_leads_off_the_staff_pages(
        web_browser, database: TestDatabase, clock: FixedClock, target: str) -> None:
    username = await add_staff(database.url, clock)
    async with web_browser.get("/staff/login", params={"next": target}) as page:
        assert 'name="next" value="/staff/"' in await page.text()
    resp = await post_login(web_browser, username, next_path=target)
    assert resp.status == 303 and resp.headers["Location"] == "/staff/"


async def test_html_typed_into_the_form_or_in_a_name_is_shown_as_text(
        web_browser, database: TestDatabase, clock: FixedClock) -> None:
    typed = '"><script>alert(1)</script>'
    resp = await post_login(web_browser, typed, password="<b>secret-pw</b>")
    html = await resp.text()
    assert resp.status == 401
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert "<script>" not in html and "secret-pw" not in html
    username = await add_staff(database.url, clock, display_name="<img src=x onerror=alert(1)>")
    await logged_in(web_browser, username)
    async with web_browser.get("/staff/") as page:
        html = await page.text()
        assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html


async def test_the_home_page_address_without_a_slash_redirects(web_browser) -> None:
    async with web_browser.get("/staff", allow_redirects=False) as resp:
        assert resp.status == 301 and resp.headers["Location"] == "/staff/"
