"""Signing in to the console the way a secretary does (a link from the bot's reply),
and reading back what a page serves."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

from openpyxl import load_workbook
from playwright.async_api import Browser, BrowserContext, Page

from tests.harness import ChatHarness, User

LINK = re.compile(r"(http://\S+/console/\S+)")


def serve_publicly(chat: ChatHarness) -> str:
    """Point TONGXIN_PUBLIC_URL at the test server, as a deployment would."""
    assert chat.client is not None
    base = str(chat.client.make_url("")).rstrip("/")
    chat.app.settings.public_url = base
    return base


async def login_link(user: User) -> str:
    await user.says("/后台")
    found = LINK.search(user.last[0] if user.last else "")
    assert found, f"no link in {user.last}"
    return found.group(1)


async def client_signed_in(chat: ChatHarness, user: User) -> None:
    """The test client (chat.client) signed in as `user`, by the link the bot sends."""
    found = LINK.search(await user.says("/后台"))
    assert found, user.last
    assert chat.client is not None
    link = urlsplit(found.group(1))
    resp = await chat.client.get(f"{link.path}?{link.query}", allow_redirects=False)
    assert resp.status in (302, 303)


async def signed_in(browser: Browser, user: User) -> BrowserContext:
    ctx = await browser.new_context()
    page = await ctx.new_page()
    await page.goto(await login_link(user))
    await page.close()
    return ctx


def cells(content: bytes) -> list[str]:
    """Every cell of an XLSX file, sheet by sheet, as text."""
    book = load_workbook(io.BytesIO(content))
    return [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]


async def download(page: Page, selector: str) -> bytes:
    """Click `selector` and return the file the browser downloads."""
    async with page.expect_download() as info:
        await page.click(selector)
    path = await (await info.value).path()
    return path.read_bytes()


async def status(ctx: BrowserContext, url: str) -> int:
    return (await ctx.request.get(url)).status
