"""花名册导入 of a county's roster through the test client: files over the app's 1 MB
body limit, 20,000 rows confirmed by a token, too-large uploads answered in Chinese."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from aiohttp import FormData
from sqlalchemy import func, select

from bot.console import texts as console_texts
from bot.roster_file import MAX_BYTES
from handlers.roster import texts as t
from storage.console import AuditEntry, ConsoleLink
from storage.models import Membership, Person, Unit
from tests.console.helpers import client_signed_in, serve_publicly
from tests.harness import ChatHarness

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
UPLOAD = re.compile(r'name="upload" value="([^"]+)"')
ROWS = 20_000


def county_roster() -> bytes:
    """20,000 teachers in 400 branches, our own columns: a CSV of about 1.6 MB."""
    lines = ["姓名,平台,用户ID,单位,角色"]
    lines += [
        f"第{i:05d}号老师,wecom,teacher-{i:05d}-shiyan-zhongxue,第{i % 400:03d}党支部,"
        for i in range(ROWS)
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


async def csrf(chat: ChatHarness) -> str:
    assert chat.client is not None
    found = CSRF.search(await (await chat.client.get("/console/import")).text())
    assert found
    return found.group(1)


async def uploads(chat: ChatHarness) -> int:
    """Uploads waiting for their confirmation."""
    async with chat.db.reading() as s:
        found = await s.scalar(select(func.count()).where(ConsoleLink.purpose == "upload"))
    return int(found or 0)


def upload_form(token: str, content: bytes, name: str = "county.csv") -> FormData:
    form = FormData()
    form.add_field("csrf", token)
    form.add_field("action", "preview")
    form.add_field("platform", "")
    form.add_field("file", content, filename=name, content_type="text/csv")
    return form


async def test_twenty_thousand_rows_over_a_megabyte_are_previewed_and_imported(
    chat: ChatHarness,
) -> None:
    serve_publicly(chat)
    await client_signed_in(chat, chat.user("boss", "王主任", role="admin"))
    assert chat.client is not None
    content = county_roster()
    assert len(content) > 1024 * 1024

    token = await csrf(chat)
    preview = await chat.client.post("/console/import", data=upload_form(token, content))
    html = await preview.text()
    assert preview.status == 200, html[:500]
    assert f'<b id="good">{ROWS}</b>' in html and '<b id="bad">0</b>' in html
    assert t.only_first(200, ROWS) in html
    assert html.count("<tr>") == 201  # the head and the first 200 rows, not 20,000
    found = UPLOAD.search(html)
    assert found
    assert await uploads(chat) == 1

    # The confirmation carries the token, not the rows.
    form = {"csrf": token, "action": "confirm", "upload": found.group(1)}
    assert sum(len(k) + len(v) for k, v in form.items()) < 200
    done = await chat.client.post("/console/import", data=form, allow_redirects=False)
    assert done.status == 303
    assert done.headers["Location"] == f"/console/people?imported={ROWS}"
    async with chat.db.reading() as s:
        people = await s.scalar(select(func.count()).where(Person.platform == "wecom"))
        members = await s.scalar(select(func.count()).select_from(Membership))
        units = await s.scalar(select(func.count()).select_from(Unit))
        entry = await s.scalar(select(AuditEntry).where(AuditEntry.action == "roster.import"))
    assert (people, members, units, await uploads(chat)) == (ROWS, ROWS, 400, 0)
    assert entry is not None and entry.detail == t.audit_import(ROWS, "同心花名册")

    # A second click on the same confirmation imports nothing twice.
    again = await chat.client.post("/console/import", data=form)
    assert again.status == 400 and t.STALE in await again.text()


async def test_an_unconfirmed_upload_expires_and_leaves_the_database(chat: ChatHarness) -> None:
    """Confirmed too late, it is refused; the next retention pass deletes it."""
    serve_publicly(chat)
    await client_signed_in(chat, chat.user("boss", "王主任", role="admin"))
    assert chat.client is not None
    await chat.tick()  # the day's retention pass, before the upload
    token = await csrf(chat)
    small = "姓名,平台,用户ID,单位\n李书记,wecom,LiMing,第一党支部\n".encode()
    preview = await chat.client.post("/console/import", data=upload_form(token, small))
    found = UPLOAD.search(await preview.text())
    assert found
    await chat.advance(minutes=31)
    form = {"csrf": token, "action": "confirm", "upload": found.group(1)}
    stale = await chat.client.post("/console/import", data=form)
    assert stale.status == 400 and t.STALE in await stale.text()
    async with chat.db.reading() as s:
        assert await s.scalar(select(Person.id).where(Person.platform_user_id == "LiMing")) is None
    assert await uploads(chat) == 1
    await chat.advance(days=1)
    assert await uploads(chat) == 0


async def test_too_large_uploads_are_answered_in_chinese(chat: ChatHarness) -> None:
    serve_publicly(chat)
    await client_signed_in(chat, chat.user("boss", "王主任", role="admin"))
    assert chat.client is not None
    token = await csrf(chat)
    said = console_texts.too_large(MAX_BYTES)
    assert "20 MB" in said

    # Just over the roster's limit: the request is taken, the roster reader says why not.
    over = b"x" * (MAX_BYTES + 1)
    resp = await chat.client.post("/console/import", data=upload_form(token, over))
    assert resp.status == 400 and "文件太大（20.0 MB），花名册最大 20 MB" in await resp.text()

    # Far over, with a Content-Length: answered before the body is read.
    big = b"x" * (MAX_BYTES + 1024 * 1024)
    resp = await chat.client.post("/console/import", data=upload_form(token, big))
    assert resp.status == 413 and said in await resp.text()

    # Sent in chunks, with no length given: stopped at the limit, the same answer.
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(21):
            yield b"y" * (1024 * 1024)

    form = FormData()
    form.add_field("csrf", token)
    form.add_field("action", "preview")
    form.add_field("file", chunks(), filename="big.csv", content_type="text/csv")
    resp = await chat.client.post("/console/import", data=form)
    assert resp.status == 413 and said in await resp.text()

    # Another page keeps the app's 1 MB, and says so in Chinese too.
    resp = await chat.client.post(
        "/console/supervision/kinds", data={"csrf": token, "name": "x" * (2 * 1024 * 1024)}
    )
    assert resp.status == 413 and console_texts.too_large(1024 * 1024) in await resp.text()
    assert await uploads(chat) == 0
