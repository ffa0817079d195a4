"""Poll pages in a real browser: charts, the 测评 grid, closing, XLSX, scope, anonymity."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Page
from sqlalchemy import select

from storage.console import AuditEntry, ConsoleSession
from storage.models import Person
from storage.polls import Poll
from tests.console.browser import screenshot
from tests.console.helpers import LINK, cells, download, serve_publicly, signed_in, status
from tests.handlers.polls_helpers import ANON_GRADE, NAMED_SINGLE, branch, create
from tests.handlers.recorder import Recorder
from tests.harness import ChatHarness


async def bars(page: Page) -> list[tuple[str | None, ...]]:
    """Each bar of the page's charts, in order: (label, value, percent)."""
    return [
        tuple([await g.get_attribute(f"data-{a}") for a in ("label", "value", "percent")])
        for g in await page.locator("svg.chart g.bar").all()
    ]


@pytest.mark.chat(recording=True)
async def test_named_poll_chart_download_close_and_scope(
    chat: ChatHarness, browser: Browser, recorder: Recorder
) -> None:
    base = serve_publicly(chat)
    b = branch(chat)
    t1, t2, t3 = b.teachers
    await create(b, *NAMED_SINGLE)
    await b.sec.says("确认", b.g)
    await t1.says("投票 1", b.g)
    await t2.says("投票 1", b.g)
    await t3.says("投票 2", b.g)

    ctx = await signed_in(browser, b.sec)
    page = await ctx.new_page()
    await page.goto(base + "/console/polls")
    await page.click("text=年度优秀党员推荐")
    assert page.url.endswith("/console/polls/1")
    assert await page.text_content("#voted") == "3"
    assert await page.text_content("#eligible") == "4"
    assert await bars(page) == [
        ("已投票", "3", "75"),
        ("张三", "2", "67"),
        ("李四", "1", "33"),
        ("王五", "0", "0"),
    ]
    # The page shows numbers only, even for a named poll.
    html = await page.content()
    assert not any(name in html for name in ("老师1", "老师2", "老师3"))
    await screenshot(page, "console-poll")
    sheet = cells(await download(page, "#download"))
    assert "张三" in sheet and "老师1" in sheet  # the named sheet, as the CLI export has

    # Another unit's secretary sees neither the page nor the file.
    other = chat.user("wang", "王书记", role="secretary", unit="二支部")
    octx = await signed_in(browser, other)
    assert await status(octx, base + "/console/polls/1") == 403
    assert await status(octx, base + "/console/export/poll?id=1") == 403
    listing = await octx.new_page()
    await listing.goto(base + "/console/polls")
    assert "年度优秀党员推荐" not in await listing.content()
    async with chat.app.db.reading() as session:
        csrf = await session.scalar(
            select(ConsoleSession.csrf)
            .join(Person, Person.id == ConsoleSession.person_id)
            .where(Person.platform_user_id == "wang")
        )
    form = {"csrf": str(csrf), "action": "close", "confirm": "1"}
    refused = await octx.request.post(base + "/console/polls/1", form=form)
    assert refused.status == 403
    async with chat.app.db.reading() as session:
        assert await session.scalar(select(Poll.state).where(Poll.id == 1)) == "open"
    await octx.close()

    # In chat the export is a one-time link and the file itself, sent privately.
    await b.sec.says("/投票 导出 1", b.g)
    b.sec.hears("下载链接已私聊发给您")
    # The link is sensitive (whoever reads it can download): sealed until
    # delivered, then wiped, so only the platform saw it.
    found = LINK.search(recorder.to(b.sec.user_id)[-2])
    assert found and "/console/download/" in found.group(1)
    assert (await chat.delivered(b.sec.user_id))[-1]["file"].endswith(".xlsx")
    first = await ctx.request.get(found.group(1))
    assert first.status == 200 and "张三" in cells(await first.body())
    again = await ctx.request.get(found.group(1))
    assert again.status == 403 and "下载链接已经用过" in await again.text()
    await other.says("/投票 导出 1")
    other.hears("没有找到这项投票")

    # Closing from the page: announced in the group, recorded with who did it.
    await page.check("#confirm-close")
    await page.click("#close")
    await chat.settle()
    assert page.url.endswith("/console/polls/1")
    assert await page.locator("#close").count() == 0
    assert await b.g.received("「年度优秀党员推荐」投票已截止")
    async with chat.app.db.reading() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "poll.close"))
    assert entry is not None and "年度优秀党员推荐" in entry.detail
    await ctx.close()


async def test_anonymous_evaluation_shows_counts_only_after_the_close(
    chat: ChatHarness, browser: Browser
) -> None:
    base = serve_publicly(chat)
    b = branch(chat)
    t1, t2, _ = b.teachers
    await create(b, *ANON_GRADE)
    await b.sec.says("确认", b.g)
    for voter, grades in ((t1, ("1", "2")), (t2, ("1", "3"))):
        await voter.says("投票")
        for grade in grades:
            await voter.says(grade)
        await voter.says("确认")

    ctx = await signed_in(browser, b.sec)
    page = await ctx.new_page()
    await page.goto(base + "/console/polls/1")
    # Open and anonymous: participation only, as in chat; no file either.
    assert await page.text_content("#voted") == "2"
    assert "匿名投票的结果截止后公布" in await page.content()
    assert await page.locator("#download").count() == 0
    assert await bars(page) == [("已投票", "2", "50")]
    assert await status(ctx, base + "/console/export/poll?id=1") == 403
    await b.sec.says("/投票 导出 1")
    b.sec.hears("匿名投票的结果截止后公布")
    assert not LINK.search("\n".join(b.sec.last))

    await page.check("#confirm-close")
    await page.click("#close")
    grid = [
        [c.strip() for c in await row.locator("td").all_text_contents()]
        for row in await page.locator("#grid tr").all()
    ][1:]
    assert grid == [
        ["赵主任", "2（100%）", "0（0%）", "0（0%）", "0（0%）"],
        ["钱主任", "0（0%）", "1（50%）", "1（50%）", "0（0%）"],
    ]
    assert (await bars(page))[1:] == [
        ("优秀", "2", "100"),
        ("称职", "0", "0"),
        ("基本称职", "0", "0"),
        ("不称职", "0", "0"),
        ("优秀", "0", "0"),
        ("称职", "1", "50"),
        ("基本称职", "1", "50"),
        ("不称职", "0", "0"),
    ]
    assert "仅 2 人投票" in (await page.text_content("#few-voters") or "")
    await screenshot(page, "console-poll-evaluation")
    sheet = cells(await download(page, "#download"))
    assert "赵主任" in sheet and "优秀" in sheet

    # Nothing on the pages or in the file names or identifies a voter.
    pages = [await page.content()]
    await page.goto(base + "/console/polls")
    pages.append(await page.content())
    for text in [*pages, *sheet]:
        for voter in b.teachers:
            assert voter.name not in text
            assert not re.search(rf"\b{voter.user_id}\b", text)
    await ctx.close()


async def test_admin_sees_all_teacher_gets_nothing_stale_link_refused(
    chat: ChatHarness, browser: Browser
) -> None:
    base = serve_publicly(chat)
    b = branch(chat, teachers=1)
    await create(b, *NAMED_SINGLE)
    await b.sec.says("确认", b.g)
    teacher = b.teachers[0]
    await teacher.says("投票 2", b.g)
    for command in ("/投票 导出 1", "/后台"):
        await teacher.says(command)
        teacher.hears("需要支部书记权限")
    await b.sec.says("/投票 导出 1")
    stale = LINK.search("\n".join(b.sec.last))
    assert stale
    chat.clock.advance(minutes=11)

    boss = chat.user("boss", "周校长", role="admin")
    ctx = await signed_in(browser, boss)
    resp = await ctx.request.get(stale.group(1))
    assert resp.status == 403 and "已过期" in await resp.text()
    page = await ctx.new_page()
    await page.goto(base + "/console/polls")
    row = page.locator("tr", has_text="年度优秀党员推荐")
    assert "1/2" in (await row.text_content() or "")
    await screenshot(page, "console-polls")
    assert await status(ctx, base + "/console/polls/1") == 200
    assert await status(ctx, base + "/console/polls/99") == 404
    assert await status(ctx, base + "/console/polls/x") == 404
    await ctx.close()
