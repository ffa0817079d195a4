"""Signing in to the console: one-time links, sessions, refusals, CSRF."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from playwright.async_api import Browser

from bot.outbox import PURGED
from bot.seal import SEALED
from tests.console.browser import screenshot
from tests.console.helpers import login_link, serve_publicly
from tests.handlers.anonymity_helpers import database_file, flat, pages, raw_tables
from tests.harness import ChatHarness


async def test_secretary_signs_in_with_a_link_from_the_bot(
    chat: ChatHarness, browser: Browser
) -> None:
    serve_publicly(chat)
    sec = chat.user("li", "李书记", role="secretary", unit="一支部")
    link = await login_link(sec)
    sec.hears("10 分钟内有效")
    ctx = await browser.new_context()
    page = await ctx.new_page()
    resp = await page.goto(link)
    assert resp is not None and resp.status == 200
    assert page.url.endswith("/console/")
    assert "李书记 · 支部书记" in await page.content()
    cookies = await ctx.cookies()
    session_cookie = next(c for c in cookies if c["name"] == "tongxin_console")
    assert session_cookie["httpOnly"] and session_cookie["sameSite"] == "Strict"
    await screenshot(page, "console-signed-in")
    # The same link again opens nothing, even in the same browser.
    again = await page.goto(link)
    assert again is not None and again.status == 403
    assert "链接已失效" in await page.content()
    await page.goto(link.replace("/console/login?t=", "/console/login?t=x"))
    assert "链接已失效" in await page.content()
    await page.goto(chat.app.settings.public_url + "/console/logout")
    resp = await page.goto(chat.app.settings.public_url + "/console/")
    assert resp is not None and resp.status == 401
    await ctx.close()


async def test_the_link_leaves_no_readable_trace_on_disk(chat: ChatHarness) -> None:
    """A login link is a key to the console: its outbox row keeps neither the link nor
    whom it went to (bot.sensitive), and no byte of the database files holds the token."""
    serve_publicly(chat)
    sec = chat.user("li", "李书记", role="secretary", unit="一支部")
    link = await login_link(sec)
    [token] = parse_qs(urlsplit(link).query)["t"]
    await chat.advance(seconds=5)
    tables = await raw_tables(chat)
    [row] = [r for r in tables["outbox"] if r["chat_type"] == "direct"]
    assert row["state"] == "sent" and row["chat_id"] == ""
    assert row["body"] == PURGED or set(row["body"]) == {SEALED}
    assert row["idempotency_key"].startswith("s:")
    for name, rows in tables.items():
        assert not any(token in flat(r) for r in rows), name
    if chat.db.is_sqlite:
        for file, n, raw in pages(database_file(chat)):
            assert token.encode() not in raw, (file, n)


async def test_expired_link_and_session(chat: ChatHarness, browser: Browser) -> None:
    base = serve_publicly(chat)
    sec = chat.user("li", "李书记", role="secretary", unit="一支部")
    stale = await login_link(sec)
    chat.clock.advance(minutes=11)
    ctx = await browser.new_context()
    page = await ctx.new_page()
    resp = await page.goto(stale)
    assert resp is not None and resp.status == 403
    resp = await page.goto(await login_link(sec))
    assert resp is not None and resp.status == 200
    chat.clock.advance(hours=8, minutes=1)
    resp = await page.goto(base + "/console/")
    assert resp is not None and resp.status == 401
    await ctx.close()


async def test_teachers_and_groups_get_no_link(chat: ChatHarness) -> None:
    serve_publicly(chat)
    t = chat.user("t1", "王老师")
    await t.says("/后台")
    t.hears("需要支部书记权限")
    sec = chat.user("li", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says("/后台", g)
    sec.hears("只在私聊中发送")


async def test_a_revoked_secretary_cannot_use_an_old_link(
    chat: ChatHarness, browser: Browser
) -> None:
    serve_publicly(chat)
    boss = chat.user("boss", role="admin")
    sec = chat.user("li", "李书记", role="secretary", unit="一支部")
    link = await login_link(sec)
    await boss.says("/撤销 @li 书记 一支部")
    ctx = await browser.new_context()
    page = await ctx.new_page()
    resp = await page.goto(link)
    assert resp is not None and resp.status == 403
    await ctx.close()


async def test_post_without_csrf_is_refused(chat: ChatHarness, browser: Browser) -> None:
    base = serve_publicly(chat)
    sec = chat.user("li", "李书记", role="secretary", unit="一支部")
    ctx = await browser.new_context()
    page = await ctx.new_page()
    await page.goto(await login_link(sec))
    resp = await page.request.post(base + "/console/anything", form={"x": "1"})
    assert resp.status == 403
    assert "页面已过期" in await resp.text()
    await ctx.close()


async def test_no_public_url_means_no_link(chat: ChatHarness) -> None:
    sec = chat.user("li", "李书记", role="secretary", unit="一支部")
    await sec.says("/后台")
    sec.hears("TONGXIN_PUBLIC_URL")
