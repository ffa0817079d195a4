"""The scheduler: quiet hours, a stop over a due time, two processes, the alarm, holidays."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import Tongxin
from bot.clock import SystemClock
from bot.config import Settings
from bot.events import MeetingStarted
from bot.feature import Feature
from bot.scheduler import dispatch_due, plan_all
from bot.timers import JobContext
from handlers.reminders.holidays import calendar_cli, holidays_cli
from schedules.alarm import Alarm
from schedules.planner import QuietHours, push_time
from storage.schedule import Firing
from tests.harness import ChatHarness

SH = ZoneInfo("Asia/Shanghai")


async def weekly_meeting(chat: ChatHarness, when: str, offsets: str = "默认") -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    for answer in ("/会议 新建", "支委会", "每周", when, "无", "本群", offsets, "照常举行", "确认"):
        await sec.says(answer, g)
    sec.hears("已安排「支委会」")


async def reminders_in(chat: ChatHarness) -> list[str]:
    return [m for m in await chat.groups["g1"].messages() if m.startswith("【会议提醒】")]


def test_quiet_hours_and_jitter() -> None:
    quiet = QuietHours.parse("22:00-07:00")
    assert quiet is not None
    meeting = datetime(2026, 12, 4, 15, 0, tzinfo=SH)
    # One day before at 15:00 → off :00 by a minute or two.
    at = push_time(meeting - timedelta(days=1), meeting, "x", quiet, SH)
    assert at.hour == 15 and at.minute in (1, 2)
    # One hour before a 7:30 meeting is 6:30, quiet: the morning comes too late
    # (7:01 is fine, before 7:30) — it goes out at 7:0x.
    early = datetime(2026, 12, 4, 7, 30, tzinfo=SH)
    at = push_time(early - timedelta(hours=1), early, "x", quiet, SH)
    assert at.hour == 7 and at.minute in (1, 2)
    # For a 7:00 meeting the morning is too late: the evening before instead.
    seven = datetime(2026, 12, 4, 7, 0, tzinfo=SH)
    at = push_time(seven - timedelta(hours=1), seven, "x", quiet, SH)
    assert (at.day, at.hour, at.minute) == (3, 21, 59)
    assert QuietHours.parse("") is None


async def test_quiet_hours_hold_a_reminder_until_morning(chat: ChatHarness) -> None:
    # Now is Wed 2026-11-25 20:00. A Thursday 7:30 meeting: its day-before
    # reminder is Wednesday 7:30 (past); its hour-before is 6:30, quiet → 7:0x.
    await weekly_meeting(chat, "明天7:30")
    await chat.advance(hours=10)  # Thursday 6:00
    assert await reminders_in(chat) == []
    await chat.advance(hours=1, minutes=5)  # 7:05
    said = await reminders_in(chat)
    assert len(said) == 1 and "11月26日（周四）7:30" in said[0]


async def test_stopped_within_the_grace_sends_late_with_a_note(chat: ChatHarness) -> None:
    await weekly_meeting(chat, "周五15:00")
    await chat.stop()
    # Down from Wednesday 20:00 to Thursday 16:00: the day-before (15:0x) is an hour late.
    chat.clock.set(datetime(2026, 11, 26, 16, 0, tzinfo=SH))
    await chat.restart()
    await chat.tick()
    said = await reminders_in(chat)
    assert len(said) == 1 and "因系统暂停而延后" in said[0]


async def test_stopped_beyond_the_grace_is_recorded_missed(chat: ChatHarness) -> None:
    await weekly_meeting(chat, "周五15:00")
    await chat.stop()
    chat.clock.set(datetime(2026, 11, 26, 19, 0, tzinfo=SH))  # four hours late
    await chat.restart()
    await chat.tick()
    assert await reminders_in(chat) == []
    async with chat.db.reading() as s:
        first = await s.scalar(
            select(Firing.state)
            .where(Firing.offset_minutes == 1440)
            .order_by(Firing.occurrence)
            .limit(1)
        )
    assert first == "missed"
    await chat.run_until(datetime(2026, 11, 27, 14, 30, tzinfo=SH))
    assert len(await reminders_in(chat)) == 1  # the hour-before still goes out


async def test_meeting_start_emits_meeting_started(chat: ChatHarness) -> None:
    await weekly_meeting(chat, "明天15:00", offsets="1小时")
    seen: list[MeetingStarted] = []
    listener = Feature("listener")

    @listener.on(MeetingStarted)
    async def started(job: JobContext, event: MeetingStarted) -> None:
        seen.append(event)

    chat.app.router.features.append(listener)
    await chat.run_until(datetime(2026, 11, 26, 15, 1, tzinfo=SH))
    assert len(seen) == 1
    assert seen[0].chat_id == "g1" and seen[0].title == "支委会"
    assert seen[0].ends_at == datetime(2026, 11, 26, 16, 30, tzinfo=SH)


async def test_two_processes_deliver_each_reminder_once(pg_url: str, tmp_path: Path) -> None:
    db_url = pg_url
    start = datetime(2026, 11, 25, 20, 0, tzinfo=SH)
    chat = ChatHarness(db_url, start, tmp_path)
    await chat.start()
    try:
        for i in range(3):
            await weekly_meeting(chat, f"周五{9 + i}:10")
        other = Tongxin(Settings(database_url=db_url, local_channel=True), clock=chat.clock)
        # Outbox keys would hide a row fired twice; the listeners' calls do not.
        starts: list[str] = []
        probe = Feature("probe")

        @probe.on(MeetingStarted)
        async def started(job: JobContext, event: MeetingStarted) -> None:
            starts.append(event.key)

        chat.app.router.features.append(probe)
        other.router.features.append(probe)
        try:
            for _ in range(40):
                chat.clock.advance(hours=1)
                await asyncio.gather(
                    plan_all(chat.app.runtime),
                    plan_all(other.runtime),
                )
                await asyncio.gather(dispatch_due(chat.app.runtime), dispatch_due(other.runtime))
                # Delivered as they fire: a message still unsent a day after
                # it was written has expired (bot.outbox.MATTERS_FOR).
                await chat.settle()
        finally:
            await other.db.dispose()
        said = await reminders_in(chat)
        # Three meetings on Friday: a day before and an hour before each.
        assert len(said) == 6 and len(set(said)) == 6
        async with chat.db.reading() as s:
            states = list(await s.scalars(select(Firing.state)))
        assert states.count("sent") == 9  # six reminders and three starts
        assert len(starts) == 3 and len(set(starts)) == 3
    finally:
        await chat.stop()


async def test_the_alarm_wakes_the_dispatcher_at_the_next_due_row() -> None:
    woke = asyncio.Event()
    due = [datetime.now(SH) - timedelta(seconds=1)]

    async def wake() -> None:
        due.clear()
        woke.set()

    async def next_due() -> datetime | None:
        return due[0] if due else None

    alarm = Alarm(wake, next_due, SH, SystemClock())
    await alarm.start()
    try:
        await asyncio.wait_for(woke.wait(), 5)
        assert alarm.scheduler.timezone == SH
        assert alarm.scheduler.get_job("reminders.wake") is None  # nothing left to wake for
    finally:
        await alarm.close()


async def test_holidays_load_and_calendar_cli(
    chat: ChatHarness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rt = chat.app.runtime
    bad = tmp_path / "bad.csv"
    bad.write_text("2027-10-01,假期,国庆节\n", encoding="utf-8")
    assert await holidays_cli(rt, [str(bad)]) == 1
    assert "第1行" in capsys.readouterr().out
    good = tmp_path / "2027.csv"
    good.write_text(
        "日期,类型,名称\n2027-10-01~2027-10-07,休,国庆节\n2027-09-26,班,国庆节\n", encoding="utf-8"
    )
    assert await holidays_cli(rt, [str(good)]) == 0
    assert "已载入 2027 年放假安排 8 天" in capsys.readouterr().out
    assert await calendar_cli(rt, ["2027"]) == 0
    out = capsys.readouterr().out
    assert "2027-09-30 周四  国庆节前廉政提醒 — 国庆节 10月1日\n" in out
    assert "2027-05-10" in out and "估算" in out  # 劳动节 of 2027 is still estimated
    assert await calendar_cli(rt, ["3000"]) == 2
    assert await holidays_cli(rt, [str(tmp_path / "none.csv")]) == 2
    assert "tongxin: 找不到文件：" in capsys.readouterr().err


async def test_the_web_app_starts_and_stops_the_bot_in_one_place(db_url: str) -> None:
    app = Tongxin(Settings(database_url=db_url, local_channel=True))
    client = TestClient(TestServer(app.web))
    await client.start_server()
    try:
        # Started with the web app: a worker per periodic job, the outbox, the
        # anonymous writes, the alarm.
        assert len(app._tasks) == len(app.jobs.periodic) + 2
        assert all(not t.done() for t in app._tasks)
        assert (await client.get("/healthz")).status == 200
    finally:
        await client.close()
    assert app._tasks == [] and app._closers == []


async def test_the_alarm_of_the_app_fires_a_due_row_with_no_tick(chat: ChatHarness) -> None:
    from bot.scheduler import start_alarm

    rt = chat.app.runtime
    now = chat.clock.now()
    async with chat.db.transaction() as s:
        s.add(
            Firing(
                source="holidays:2027",
                occurrence=now,
                offset_minutes=0,
                event_at=now,
                due_at=now - timedelta(seconds=1),
                data={"year": 2027},
            )
        )
    alarm = await start_alarm(rt)
    try:
        await asyncio.wait_for(alarm.rang.wait(), 5)
    finally:
        await alarm.close()
    async with chat.db.reading() as s:
        assert await s.scalar(select(Firing.state)) == "sent"


async def test_found_due_in_the_quiet_hours_it_waits_for_the_morning(chat: ChatHarness) -> None:
    await weekly_meeting(chat, "周五21:50", offsets="1天")
    await chat.stop()
    chat.clock.set(datetime(2026, 11, 26, 22, 10, tzinfo=SH))  # due Thursday 21:50
    await chat.restart()
    await chat.tick()
    assert await reminders_in(chat) == []
    await chat.advance(hours=9)  # Friday 7:10
    said = await reminders_in(chat)
    assert len(said) == 1 and "11月27日（周五）21:50" in said[0]
