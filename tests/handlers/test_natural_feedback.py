"""征求意见 the way people answer it, and pushes that wait out the quiet hours (issue 16)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import update

from storage.models import Person
from tests.conftest import START, MakeChat
from tests.handlers.natural_helpers import branch
from tests.harness import ChatHarness

CALL = "/征求意见 新建 2027年度支部工作计划 截止 11月28日17:00"


async def test_one_line_call_tells_everyone_directly(chat: ChatHarness) -> None:
    sec, (wang, *_), g = branch(chat)
    await sec.says(f"{CALL} 匿名 https://example.com/plan.docx\n一、加强政治建设；二、改进作风", g)
    sec.hears(
        "标题：2027年度支部工作计划",
        "内容：一、加强政治建设；二、改进作风",
        "原文：https://example.com/plan.docx",
        "方式：允许匿名",
    )
    await sec.says("确认", g)
    sec.hears("已发布征求意见 #1，共 5 人参与", "已私信通知大家")
    notice = (await wang.inbox())[-1]
    assert "【征求意见 #1】2027年度支部工作计划" in notice and "回复「无意见」" in notice
    assert "一、加强政治建设；二、改进作风" in notice


async def test_defaults_of_a_one_line_call(chat: ChatHarness) -> None:
    sec, _, g = branch(chat)
    await sec.says("/征求意见 新建 食堂改进方案", g)
    sec.hears("截止：11月26日（周四）20:00", "方式：仅限实名", "范围：本支部名册上的全体同志")


@pytest.mark.parametrize("said", ["无意见", "没有意见", "我没意见。"])
async def test_no_objection_is_one_reply(chat: ChatHarness, said: str) -> None:
    sec, (wang, *_), g = branch(chat)
    await sec.says(CALL, g)
    await sec.says("确认", g)
    await wang.says(said)
    wang.hears("已收到您对「2027年度支部工作计划」的实名反馈")
    await sec.says("/征求意见 统计")
    sec.hears("明确无意见 1 人", "明确无意见：王老师")


async def test_feedback_with_its_text_goes_to_the_one_open_call(chat: ChatHarness) -> None:
    sec, (wang, *_), g = branch(chat)
    await sec.says(CALL, g)
    await sec.says("确认", g)
    await wang.says("/反馈 太咸，能否反映一下？")
    wang.hears("请确认您对「2027年度支部工作计划」的反馈（实名）", "太咸，能否反映一下？")
    await wang.says("可以")
    wang.hears("已收到")
    await sec.says("/征求意见 统计")
    sec.hears("王老师：太咸，能否反映一下？")


async def test_silence_is_no_objection_only_for_those_told(chat: ChatHarness) -> None:
    sec, (wang, *_), g = branch(chat)
    chat.user("d1", "钉钉老师", unit="一支部")
    await chat.setup_people()
    async with chat.db.transaction() as s:
        # A member on a platform this process does not deliver to is never told.
        moved = update(Person).where(Person.platform_user_id == "d1")
        await s.execute(moved.values(platform="dingtalk"))
    await sec.says(CALL, g)
    await sec.says("确认", g)
    await wang.says("无意见")
    await chat.run_until(datetime(2026, 11, 28, 17, 5, tzinfo=START.tzinfo))
    summary = (await sec.inbox())[-1]
    assert "视为无意见（逾期未反馈）：" in summary
    assert "未能通知到、不计为无意见：钉钉老师" in summary
    silent = summary.split("视为无意见（逾期未反馈）：")[1].splitlines()[0]
    assert "张丽" in silent and "钉钉老师" not in silent


async def test_a_call_opened_at_night_is_sent_in_the_morning(make_chat: MakeChat) -> None:
    chat = await make_chat(start=START.replace(hour=23))
    sec, (wang, *_), g = branch(chat)
    await sec.says(CALL, g)
    await sec.says("确认", g)
    sec.hears("11月26日（周四）7:01 私信通知大家")
    await chat.advance(minutes=30)
    assert not any("征求意见 #1" in m for m in await wang.inbox())
    await chat.run_until(datetime(2026, 11, 26, 7, 2, tzinfo=START.tzinfo))
    await chat.until_quiet()
    assert any("征求意见 #1" in m for m in await wang.inbox())


@pytest.mark.parametrize("kind", ["poll", "feedback"])
async def test_nudges_wait_for_the_morning(chat: ChatHarness, kind: str) -> None:
    sec, (wang, *_), g = branch(chat)
    if kind == "poll":
        # The nudge a day before a 23:00 deadline would fall at 23:00 tonight.
        await sec.says("/投票 新建 年度好党员推荐 张丽 王五 截止 明天23:00", g)
    else:
        await sec.says("/征求意见 新建 食堂改进方案 截止 明天23:00", g)
    await sec.says("确认", g)
    await chat.run_until(datetime(2026, 11, 26, 6, 59, tzinfo=START.tzinfo))
    reminded = [m for m in await wang.inbox() if "还没有" in m or "未投票" in m]
    assert reminded == []
    await chat.run_until(datetime(2026, 11, 26, 7, 5, tzinfo=START.tzinfo))
    await chat.until_quiet()
    everywhere = await wang.inbox() + await g.messages()
    assert any("还没有" in m or "未投票" in m for m in everywhere)


async def test_feedback_results_at_close_wait_for_the_morning(chat: ChatHarness) -> None:
    sec, _, g = branch(chat)
    await sec.says("/征求意见 新建 食堂改进方案 截止 11月26日23:00", g)
    await sec.says("确认", g)
    await chat.run_until(datetime(2026, 11, 26, 23, 30, tzinfo=START.tzinfo))
    assert not await g.received("已截止")
    assert not any("已截止）" in m for m in await sec.inbox())
    await chat.run_until(datetime(2026, 11, 27, 7, 2, tzinfo=START.tzinfo))
    assert await g.received("征求意见「食堂改进方案」已截止")
    assert any("（已截止）" in m for m in await sec.inbox())


async def test_a_late_check_in_nudge_comes_before_the_quiet(chat: ChatHarness) -> None:
    sec, _, g = branch(chat)
    await sec.says("/签到 发起 晚间学习 截止 22:30", g)
    await chat.run_until(datetime(2026, 11, 25, 22, 0, tzinfo=START.tzinfo))
    assert await g.received("「晚间学习」还有")


async def test_a_call_with_no_body_shows_none(chat: ChatHarness) -> None:
    sec, (wang, *_), g = branch(chat)
    await sec.says("/征求意见 新建 食堂改进方案", g)
    assert "内容：" not in "\n".join(sec.last)
    await sec.says("确认", g)
    assert "\n\n" not in (await wang.inbox())[-1]
