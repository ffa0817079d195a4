"""The reminders page: per group, the coming 60 days of meeting and 廉政 reminders; for
admins, the county's own 廉政 occasions; days resting on an estimate are marked."""

from __future__ import annotations

from playwright.async_api import Browser
from sqlalchemy import func, select

from storage.console import ConsoleSession
from storage.models import Person
from storage.school import LianzhengOccasion
from tests.console.browser import screenshot
from tests.console.helpers import cells, download, serve_publicly, signed_in, status
from tests.handlers.meetings_helpers import arrange
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


async def test_admin_adds_and_removes_an_own_occasion(chat: ChatHarness, browser: Browser) -> None:
    base = serve_publicly(chat)
    admin = chat.user("adm", "赵主任", role="admin")
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says("/廉政日历 开启", g)
    # 元旦 2027 is known only by estimate: the meeting moves to Monday 01-04, marked so.
    await arrange(sec, g, "只开一次", "2027年1月1日10:00", offsets="1小时")

    ctx = await signed_in(browser, admin)
    page = await ctx.new_page()
    await page.goto(base + "/console/reminders")
    moved = page.locator("table[data-chat=g1] tr", has_text="支委会")
    assert [c.strip() for c in await moved.first.locator("td").all_text_contents()][1:] == [
        "会前提醒",
        "支委会（日期为估算）",
        "2027-01-04 10:00",
    ]
    form = page.locator("#add-occasion")
    await form.locator("input[name=name]").fill("招生工作")
    await form.locator("input[name=when]").fill("2月30日")
    await form.locator("#add").click()
    assert "没有「2月30日」这一天" in await page.locator("#error").inner_text()
    assert await form.locator("input[name=name]").input_value() == "招生工作"
    await form.locator("input[name=when]").fill("12月18日")
    await form.locator("input[name=ahead]").fill("2")
    await form.locator("textarea[name=text]").fill("严守招生纪律，不收受家长财物。")
    await form.locator("#add").click()
    assert "已添加" in await page.locator("#notice").inner_text()
    rows = [
        [c.strip() for c in await row.locator("td").all_text_contents()]
        for row in await page.locator("table.occasions tr").all()
    ][1:]
    assert rows == [
        ["招生工作", "2026年12月18日", "2", "2026-12-18", "严守招生纪律，不收受家长财物。", "删除"]
    ]
    # Two days ahead of Friday 12-18, and typed punctuation kept as typed.
    g_rows = page.locator("table[data-chat=g1] tr", has_text="招生工作")
    assert (await g_rows.locator("td").first.inner_text()).startswith("2026-12-16")
    await screenshot(page, "console-occasions")
    await page.locator("table.occasions button.remove").click()
    assert "已删除" in await page.locator("#notice").inner_text()
    assert await page.locator("table.occasions").count() == 0
    assert await page.locator("table[data-chat=g1] tr", has_text="招生工作").count() == 0

    # A secretary sees no form and may not post one.
    sctx = await signed_in(browser, sec)
    spage = await sctx.new_page()
    await spage.goto(base + "/console/reminders")
    assert await spage.locator("#add-occasion").count() == 0
    async with chat.app.db.reading() as session:
        csrf = await session.scalar(
            select(ConsoleSession.csrf)
            .join(Person, Person.id == ConsoleSession.person_id)
            .where(Person.platform_user_id == "sec1")
        )
    form = {"csrf": str(csrf), "action": "add", "name": "校庆", "when": "10月15日"}
    refused = await sctx.request.post(base + "/console/reminders", form=form)
    assert refused.status == 403
    async with chat.app.db.reading() as session:
        assert await session.scalar(select(func.count()).select_from(LianzhengOccasion)) == 0
    await sctx.close()
    await ctx.close()
