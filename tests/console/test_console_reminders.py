"""The reminders page: per group, the coming 60 days of meeting and 廉政 reminders."""

from __future__ import annotations

from playwright.async_api import Browser

from tests.console.browser import screenshot
from tests.console.helpers import serve_publicly, signed_in
from tests.console.test_console_polls import cells, download, status
from tests.harness import ChatHarness


async def test_coming_reminders_per_group(chat: ChatHarness, browser: Browser) -> None:
    base = serve_publicly(chat)
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    other_sec = chat.user("sec2", "周书记", role="secretary", unit="二支部")
    other_group = chat.group("g2", unit="二支部")
    for answer in ("/会议 新建", "主题党日", "4", "2026-12-04 15:00", "三楼会议室", "本群"):
        await sec.says(answer, g)
    for answer in ("默认", "顺延到下一个工作日", "确认"):
        await sec.says(answer, g)
    sec.hears("已安排「主题党日」（编号 1）")
    await sec.says("/廉政日历 开启", g)
    await other_sec.says("/廉政日历 开启", other_group)
    await chat.tick()

    ctx = await signed_in(browser, sec)
    page = await ctx.new_page()
    await page.goto(base + "/console/reminders")
    rows = [
        [c.strip() for c in await row.locator("td").all_text_contents()]
        for row in await page.locator("table[data-chat=g1] tr").all()
    ][1:]
    # Advance reminders carry a little jitter: the day of each, and the rest exactly.
    meeting = [(r[0][:10], *r[1:]) for r in rows if r[2] == "主题党日"]
    assert meeting[:3] == [
        ("2026-12-03", "会前提醒", "主题党日", "2026-12-04 15:00"),
        ("2026-12-04", "会前提醒", "主题党日", "2026-12-04 15:00"),
        ("2026-12-04", "会议开始（发起签到）", "主题党日", "2026-12-04 15:00"),
    ]
    assert any(r[1] == "廉政提醒" for r in rows)
    assert all(r[0] <= "2027-01-24" for r in rows)
    # Only this unit's groups.
    assert await page.locator("table[data-chat=g2]").count() == 0
    await screenshot(page, "console-reminders")
    sheet = cells(await download(page, "#download"))
    assert "主题党日" in sheet and "会议开始（发起签到）" in sheet and "廉政提醒" in sheet
    assert "2026-12-04 15:00" in sheet

    octx = await signed_in(browser, other_sec)
    other_page = await octx.new_page()
    await other_page.goto(base + "/console/reminders")
    assert "主题党日" not in await other_page.content()
    assert "主题党日" not in cells(await download(other_page, "#download"))
    assert await other_page.locator("table[data-chat=g2] tr", has_text="廉政提醒").count() > 0
    teacher = chat.user("t1", "王老师", unit="一支部")
    await teacher.says("/后台")
    teacher.hears("需要支部书记权限")
    assert await status(octx, base + "/console/reminders") == 200
    await octx.close()
    await ctx.close()
