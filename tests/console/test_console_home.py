"""The console's home is a workbench: what a secretary's units and the bureau need now."""

from __future__ import annotations

from datetime import timedelta

from playwright.async_api import Browser, Page

from storage.messaging import OutboxMessage
from tests.console.browser import PHONE, screenshot
from tests.console.helpers import serve_publicly, signed_in
from tests.handlers.feedback_helpers import open_call
from tests.handlers.polls_helpers import NAMED_SINGLE, branch, create
from tests.harness import ChatHarness


async def items(page: Page, selector: str) -> list[str]:
    return [" ".join(t.split()) for t in await page.locator(f"{selector} li").all_inner_texts()]


async def fits_a_phone(page: Page) -> bool:
    """Nothing runs off a 390 px screen: wide tables scroll inside their own box."""
    await page.set_viewport_size(PHONE)
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    return bool(width <= PHONE["width"])


async def test_a_secretary_sees_what_needs_doing(chat: ChatHarness, browser: Browser) -> None:
    base = serve_publicly(chat)
    b = branch(chat, teachers=2)
    t1 = b.teachers[0]
    # This month's 主题党日 was held with the bot; the 支委会 is still to come.
    await b.sec.says("/签到 发起 十一月主题党日 截止 20:30", b.g)
    await t1.says("签到", b.g)
    await b.sec.says("/签到 结束", b.g)
    for answer in ("/会议 新建", "支委会", "4", "2026-12-04 15:00", "三楼会议室", "本群"):
        await b.sec.says(answer, b.g)
    for answer in ("默认", "顺延到下一个工作日", "确认"):
        await b.sec.says(answer, b.g)
    await b.sec.says("/廉政日历 开启", b.g)
    await create(b, *NAMED_SINGLE)
    await b.sec.says("确认", b.g)
    await t1.says("投票 1", b.g)
    await open_call(b.sec, b.g)
    await chat.tick()

    ctx = await signed_in(browser, b.sec)
    page = await ctx.new_page()
    await page.goto(base + "/console/")
    assert await page.text_content("h1") == "工作台"
    unit = page.locator("#units [data-unit=一支部]")
    assert await unit.locator("[data-kind=主题党日]").get_attribute("data-status") == "held"
    committee = " ".join((await unit.locator("[data-kind=支委会]").inner_text()).split())
    assert "11月 待开 · 11月30日前" in committee
    assert "今年缺开 10 期" in committee
    lecture = " ".join((await unit.locator("[data-kind=党课]").inner_text()).split())
    assert "第四季度 待开 · 12月31日前" in lecture
    assert "今年缺开：第一季度、第二季度、第三季度" in lecture
    polls = await items(page, "#polls")
    assert len(polls) == 1 and "年度优秀党员推荐" in polls[0] and "参与 1/3" in polls[0]
    calls = await items(page, "#calls")
    assert len(calls) == 1 and "2027年度支部工作计划" in calls[0] and "参与 0/3" in calls[0]
    assert "截止 11-28 17:00" in calls[0]
    reminders = await items(page, "#reminders")
    # In time order: the 廉政 reminder before 国际反腐败日 (12-09) comes first.
    assert reminders[0].startswith("12-02") and "国际反腐败日" in reminders[0]
    assert reminders[1].startswith("12-03") and "会议提醒 · 支委会 （12-04 15:00）" in reminders[1]
    assert "12-04 15:00 会议开始 · 支委会" in reminders[3]
    assert any("廉政提醒 · 国际反腐败日" in r for r in reminders)
    # A secretary is not shown the bot's failed deliveries: that is the admins' page.
    assert await page.locator("#failed").count() == 0
    assert await fits_a_phone(page)
    await screenshot(page, "console-home")

    # The pages that used to run off a phone: wide tables now scroll in their box.
    for path in ("/console/checkins", "/console/feedback", "/console/supervision"):
        await page.goto(base + path)
        assert await fits_a_phone(page), path
    await ctx.close()


async def test_the_bureau_sees_counts_and_failed_deliveries(
    chat: ChatHarness, browser: Browser
) -> None:
    base = serve_publicly(chat)
    boss = chat.user("boss", "局党委", role="admin")
    for n in range(1, 6):
        chat.group(f"g{n}", unit=f"第{n}党支部")
    sec = chat.user("sec", "李书记", role="secretary", unit="第1党支部")
    await sec.says("/签到 发起 支委会 截止 20:30", chat.groups["g1"])
    await sec.says("/签到 结束", chat.groups["g1"])
    now = chat.clock.now()
    async with chat.db.transaction() as s:
        s.add(
            OutboxMessage(
                idempotency_key="lost",
                platform="wecom",
                chat_type="group",
                chat_id="wrkX",
                body={"text": "x"},
                state="failed",
                next_attempt_at=now,
                created_at=now - timedelta(hours=1),
                last_error="errcode 93000",
            )
        )
    ctx = await signed_in(browser, boss)
    page = await ctx.new_page()
    await page.goto(base + "/console/")
    assert " ".join((await page.inner_text("#failed")).split()) == "发送失败的消息 1 查看投递情况 ›"
    rows = {
        r[0]: r[1:]
        for r in [
            [c.strip() for c in await tr.locator("td").all_text_contents()]
            for tr in await page.locator("#kinds tr").all()
        ][1:]
    }
    assert rows["支委会"] == ["11月", "1", "4", "5"]
    assert rows["支部党员大会"] == ["第四季度", "0", "5", "5"]
    assert "5 个单位" in await page.content()
    assert await fits_a_phone(page)
    await screenshot(page, "console-home-admin")
    await ctx.close()
