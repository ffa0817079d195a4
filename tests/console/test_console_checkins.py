"""Check-in pages in a real browser: a meeting's counts with names, the 台账 grid, scope."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from storage.people import unit_by_name
from tests.console.browser import screenshot
from tests.console.helpers import LINK, cells, download, serve_publicly, signed_in, status
from tests.handlers.checkin_helpers import two_meetings
from tests.handlers.recorder import Recorder
from tests.harness import ChatHarness


@pytest.mark.chat(recording=True)
async def test_meeting_counts_ledger_download_and_scope(
    chat: ChatHarness, browser: Browser, recorder: Recorder
) -> None:
    base = serve_publicly(chat)
    sec, _, g = await two_meetings(chat)
    async with chat.app.db.reading() as session:
        unit = await unit_by_name(session, "一支部")
    assert unit is not None

    # In chat: the summary in the group, the file by a private one-time link.
    await sec.says("/签到 台账 2026", g)
    sec.hears("11-25 主题党日：应到 4，实到 2（迟到 1），请假 1，缺席 1", "已私聊发给您")
    assert "/console/" not in "\n".join(sec.last)
    found = LINK.search(recorder.to(sec.user_id)[-2])
    assert found
    file = (await chat.delivered(sec.user_id))[-1]
    assert file["file"] == "签到台账-一支部-2026.xlsx"  # and the file itself, as a message

    ctx = await signed_in(browser, sec)
    resp = await ctx.request.get(found.group(1))
    assert resp.status == 200 and "张老师（外出培训）" in cells(await resp.body())
    page = await ctx.new_page()
    await page.goto(base + "/console/checkins")
    rows = [
        [c.strip() for c in await row.locator("td").all_text_contents()]
        for row in await page.locator("#meetings tr").all()
    ][1:]
    assert rows == [
        ["2026-11-25", "20:00", "主题党日", "4", "2", "1", "1", "1"],
        ["2026-11-26", "20:40", "政治学习", "4", "3", "0", "1", "0"],
    ]
    ledger = page.locator("#ledger tr", has_text="王老师")
    assert await ledger.locator("td").all_text_contents() == [
        *("王老师", "t1", "2", "1", "1", "0", "0", "迟到", "出席")
    ]
    await screenshot(page, "console-checkins")
    sheet = cells(await download(page, "#download"))
    assert "主题党日" in sheet and "政治学习" in sheet

    await page.click("text=主题党日")
    counts = [await page.text_content(f"#{k}") for k in ("expected", "attended", "late", "leave")]
    assert counts == ["4", "2", "1", "1"]
    assert await page.text_content("#leave-list") == "张老师（外出培训）"
    assert await page.text_content("#absent-list") == "赵老师"
    assert await page.text_content("#outsider-list") == "钱老师"
    await screenshot(page, "console-checkin")

    other = chat.user("sec2", "周书记", role="secretary", unit="二支部")
    octx = await signed_in(browser, other)
    for path in (
        f"/console/checkins?unit={unit.id}",
        "/console/checkins/1",
        f"/console/export/checkin?unit={unit.id}&year=2026",
    ):
        assert await status(octx, base + path) == 403, path
    own = await octx.new_page()
    await own.goto(base + "/console/checkins")
    assert "二支部 2026 年签到台账" in await own.content()
    assert "主题党日" not in await own.content()
    await octx.close()
    await ctx.close()
