"""征求意见 and 意见箱 pages in a real browser: the lists, XLSX, replies, scope."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser
from sqlalchemy import select

from storage.console import AuditEntry
from tests.console.browser import screenshot
from tests.console.helpers import LINK, cells, download, serve_publicly, signed_in, status
from tests.handlers.feedback_helpers import answer, open_call
from tests.handlers.recorder import Recorder
from tests.harness import ChatHarness

pytestmark = pytest.mark.chat(recording=True)


async def test_call_lists_download_and_box_reply(
    chat: ChatHarness, browser: Browser, recorder: Recorder
) -> None:
    base = serve_publicly(chat)
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    wang = chat.user("t1", "王老师", unit="一支部")
    zhang = chat.user("t2", "张老师", unit="一支部")
    zhao = chat.user("t3", "赵老师", unit="一支部")
    chat.user("t4", "孙老师", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await open_call(sec, g)
    await answer(wang, "主题党日可以走进社区。", "完成", way="实名")
    await answer(zhang, "建议增加一次集中调研。", "完成", way="匿名")
    await answer(zhao, "无意见")
    await chat.advance(days=3)

    ctx = await signed_in(browser, sec)
    page = await ctx.new_page()
    await page.goto(base + "/console/feedback")
    await page.click("text=2027年度支部工作计划")
    assert page.url.endswith("/console/feedback/1")
    stats = ("audience", "opinions", "no-opinion", "anonymous-count")
    counts = [await page.text_content(f"#{k}") for k in stats]
    # A single anonymous answer is counted apart, and its text shown merged, with a note.
    assert counts == ["5", "1", "1", "1"]
    assert "王老师" in (await page.text_content("#named") or "")
    assert await page.text_content("#anonymous") == "建议增加一次集中调研。"
    assert "不足 3 份" in (await page.text_content("#anonymous-note") or "")
    assert "赵老师" in (await page.text_content("#none-list") or "")
    assert await page.text_content("#silent-list") == "李书记、孙老师"
    # The anonymous answer stands alone: its author is on no list of the page.
    assert "张老师" not in await page.content()
    await screenshot(page, "console-feedback")
    sheet = cells(await download(page, "#download"))
    assert "主题党日可以走进社区。" in sheet and "建议增加一次集中调研。" in sheet

    # The 意见箱: an anonymous suggestion answered from the page.
    await zhang.says("/意见箱")
    await zhang.says("食堂晚餐能否延长到七点")
    await zhang.says("完成")
    await zhang.says("匿名")
    await zhang.says("确认")
    await page.goto(base + "/console/suggestions")
    box = cells(await download(page, "#download"))
    assert "食堂晚餐能否延长到七点" in box and "匿名" in box and "张老师" not in box
    await page.click("text=#1")
    assert "食堂晚餐能否延长到七点" in await page.content()
    assert "张老师" not in await page.content()
    await page.fill("textarea[name=text]", "已和食堂商量，下周起延长。")
    await page.click("#send")
    await chat.settle()
    assert page.url.endswith("/console/suggestions/1?sent=1")
    assert "已转达（建言 #1）" in (await page.text_content("#notice") or "")
    assert "已和食堂商量，下周起延长。" in await page.content()
    assert any("已和食堂商量" in m for m in recorder.to("t2"))
    await screenshot(page, "console-suggestion")
    async with chat.app.db.reading() as session:
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "suggestion.reply")
        )
    assert entry is not None and entry.detail == "#1"

    # In chat the export is a one-time link, and the file follows as a message.
    await sec.says("/征求意见 导出 1")
    found = LINK.search("\n".join(sec.last))
    assert found
    assert (await chat.delivered(sec.user_id))[-1]["file"].endswith(".xlsx")
    resp = await ctx.request.get(found.group(1))
    assert resp.status == 200 and "王老师" in cells(await resp.body())

    # Another unit's secretary: 403 on every page and file of this unit.
    other = chat.user("wang2", "王书记", role="secretary", unit="二支部")
    octx = await signed_in(browser, other)
    for path in ("/console/feedback/1", "/console/export/feedback?id=1", "/console/suggestions/1"):
        assert await status(octx, base + path) == 403, path
    listing = await octx.new_page()
    await listing.goto(base + "/console/suggestions")
    assert "食堂晚餐" not in await listing.content()
    theirs = await octx.request.get(base + "/console/export/suggestions")
    assert theirs.status == 200 and "食堂晚餐" not in cells(await theirs.body())
    await other.says("/征求意见 导出 1")
    other.hears("#1")
    assert not LINK.search("\n".join(other.last))
    await octx.close()
    await ctx.close()
