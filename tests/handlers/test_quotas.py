"""Meeting quotas by cadence: nag days on workdays in each period's last month, paused in
寒暑假, recorded by `/会议 已开` or a meeting of the kind, for the right period."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from sqlalchemy import select

from storage.reminders import MonthlyDone, MonthlyItem
from tests.harness import ChatHarness, User

SH = ZoneInfo("Asia/Shanghai")


async def nagged_on(user: User, header: str) -> list[date]:
    """The days `user` was sent a nag starting with `header`."""
    return [
        datetime.fromisoformat(m["sent_at"]).astimezone(SH).date()
        for m in await user.chat.delivered(user.user_id)
        if m["text"].startswith(header)
    ]


def regular_workday(day: date) -> bool:
    """Monday to Friday and no holiday, by chinesecalendar (which knows 2026)."""
    return day.weekday() < 5 and bool(chinese_calendar.is_workday(day))


async def test_nags_until_recorded(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says("/会议 已开 政治学习", g)
    sec.hears("清单里没有")
    await sec.says("/会议 每月 政治学习", g)
    sec.hears("每月至少一次", "每月的20日和最后一个工作日")
    await sec.says("/会议 每月 政治学习", g)
    sec.hears("已在定期工作清单里")
    # November 2026: the last workday is Monday 11-30.
    await chat.run_until(datetime(2026, 11, 30, 9, 5, tzinfo=SH))
    nags = [m for m in await sec.inbox() if m.startswith("【每月清单】")]
    assert len(nags) == 1 and "今天是2026年11月的最后一个工作日" in nags[0]
    await chat.run_until(datetime(2026, 12, 1, 10, 0, tzinfo=SH))
    await sec.says("/会议 已开 政治学习", g)
    sec.hears("2026年12月的「政治学习」已开")
    # December is recorded: neither the 20th nor 12-31 nags.
    await chat.run_until(datetime(2027, 1, 1, 9, 0, tzinfo=SH))
    assert len([m for m in await sec.inbox() if m.startswith("【每月清单】")]) == 1


async def test_a_quarterly_duty_nags_in_the_quarters_last_month_on_workdays(
    chat: ChatHarness,
) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says("/会议 每月 党员大会", g)
    sec.hears("「党员大会」每季度至少一次", "每季度最后一个月的20日")
    await chat.run_until(datetime(2027, 4, 1, 0, 0, tzinfo=SH))
    days = await nagged_on(sec, "【季度清单】")
    # 2026-12-20 is a Sunday: the nag moves to Monday the 21st; then the quarter's
    # last workday. Nothing in January or February: the duty is not monthly.
    december = [d for d in days if d.year == 2026]
    assert december == [date(2026, 12, 21), date(2026, 12, 31)]
    assert all(regular_workday(d) for d in december)
    # 2027-03-20 is a Saturday (no holiday in March 2027, notice or not).
    assert [d for d in days if d.year == 2027] == [date(2027, 3, 22), date(2027, 3, 31)]
    said = [m for m in await sec.inbox() if m.startswith("【季度清单】")]
    assert "2026年第四季度即将结束" in said[0]
    assert "今天是2026年第四季度的最后一个工作日" in said[1]
    assert not any(m.startswith("【每月清单】") for m in await sec.inbox())


async def test_nags_pause_in_the_winter_vacation(chat: ChatHarness) -> None:
    admin = chat.user("adm", "赵主任", role="admin")
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says("/提醒 学期 2026-09-01", g)
    sec.hears("开始和结束两个日期")
    await sec.says("/提醒 学期 2027-01-22至2026-09-01", g)
    sec.hears("结束早于开始")
    # The county's terms, which the unit follows: 寒假 2027-01-23 to 02-28.
    await admin.says("/提醒 学期 2026年9月1日至2027年1月22日；2027年3月1日至2027年7月9日")
    admin.hears("已设置全县的 2 个学期")
    await sec.says("/提醒 学期", g)
    sec.hears("沿用全县", "寒假 2027年1月23日 至 2027年2月28日")
    await sec.says("/会议 每月 政治学习", g)
    await chat.run_until(datetime(2027, 3, 31, 12, 0, tzinfo=SH))
    days = await nagged_on(sec, "【每月清单】")
    # January: the 20th, and the last workday before the vacation instead of 1-29;
    # February lies wholly in the vacation; March as usual (03-20 is a Saturday).
    assert [d for d in days if d >= date(2027, 1, 1)] == [
        date(2027, 1, 20),
        date(2027, 1, 22),
        date(2027, 3, 22),
        date(2027, 3, 31),
    ]


async def test_a_meeting_of_the_kind_records_its_period(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says("/会议 定期 支部党员大会", g)
    sec.hears("每季度至少一次")
    await sec.says("/会议 每月 党员大会", g)
    sec.hears("「支部党员大会」已在定期工作清单里")
    for answer in ("/会议 新建", "党员大会", "只开一次", "12月10日15:00", "无", "本群", "1小时"):
        await sec.says(answer, g)
    for answer in ("1", "确认"):
        await sec.says(answer, g)
    await chat.run_until(datetime(2027, 1, 5, 0, 0, tzinfo=SH))
    async with chat.db.reading() as s:
        done = list(await s.execute(select(MonthlyDone.month, MonthlyDone.recorded_by)))
    assert done == [("2026-Q4", "meeting")]
    assert await nagged_on(sec, "【季度清单】") == []
    await sec.says("/会议 已开 党员大会", g)
    sec.hears("2027年第一季度的「支部党员大会」已开")


async def test_a_check_in_opened_by_hand_records_its_period(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says("/会议 每月 党员大会", g)
    await sec.says("/签到 发起 支部党员大会 截止 23:00", g)
    await sec.says("/签到 结束", g)
    await chat.run_until(chat.clock.now() + timedelta(minutes=1))
    async with chat.db.reading() as s:
        done = list(await s.execute(select(MonthlyDone.month, MonthlyDone.recorded_by)))
    assert done == [("2026-Q4", "meeting")]
    await chat.run_until(datetime(2027, 1, 5, 0, 0, tzinfo=SH))
    assert await nagged_on(sec, "【季度清单】") == []


@pytest.mark.chat(start=datetime(2027, 3, 10, 10, 0, tzinfo=SH))
async def test_a_seasonal_duty_is_recorded_only_in_its_season(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says("/会议 每月 组织生活会", g)
    sec.hears("每年一次（12月至次年2月）", "每年2月的20日")
    await sec.says("/会议 已开 组织生活会", g)
    sec.hears("现在不在这个时段，没有记录")
    await chat.run_until(datetime(2027, 12, 1, 10, 0, tzinfo=SH))
    await sec.says("/会议 已开 组织生活会", g)
    sec.hears("2027年度的「组织生活会」已开")
    await chat.run_until(datetime(2028, 3, 1, 10, 0, tzinfo=SH))
    assert await nagged_on(sec, "【年度清单】") == []


async def test_which_duty_is_asked_not_guessed(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says("/会议 每月", g)
    sec.hears("请写明哪项会议", "/会议 每月 党员大会")
    await sec.says("/会议 已开", g)
    sec.hears("请写明开了哪项会议")
    async with chat.db.reading() as s:
        assert list(await s.scalars(select(MonthlyItem))) == []


async def test_a_cadence_word_is_the_same_command_when_it_is_the_kinds(
    chat: ChatHarness,
) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    # 党课 is quarterly by the plans: 每季度 names it rightly.
    await sec.says("/会议 每季度 党课", g)
    sec.hears("已设置：「党课」每季度至少一次")
    await sec.says("/会议 每年 组织生活会", g)
    sec.hears("已设置：「组织生活会」每年一次（12月至次年2月）")
    # A cadence that is not the duty's own is answered, never taken.
    await sec.says("/会议 每季度 政治学习", g)
    sec.hears("「政治学习」按规定是每月至少一次，不是每季度", "/会议 每月 政治学习")
    async with chat.db.reading() as s:
        titles = sorted(i.title for i in await s.scalars(select(MonthlyItem)))
    assert titles == ["党课", "组织生活会"]
