"""nudge_before: the one moment every feature nudges the non-responders, through its timer."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.nudges import nudge_before
from bot.timers import Timer
from storage.schedule import Firing
from tests.harness import ChatHarness

SH = ZoneInfo("Asia/Shanghai")
NUDGE = Timer("poll.nudge", int, push=True)


async def test_nudge_times(chat: ChatHarness) -> None:
    settings = chat.settings
    now = datetime(2026, 11, 25, 20, 0, tzinfo=SH)
    async with chat.db.transaction() as s:
        # A day before a Friday 17:00 deadline: Thursday 17:0x, off the hour.
        at = await nudge_before(
            s,
            NUDGE,
            1,
            datetime(2026, 11, 27, 17, 0, tzinfo=SH),
            now=now,
            settings=settings,
        )
        assert at is not None and (at.day, at.hour, at.minute) in ((26, 17, 1), (26, 17, 2))
        # A deadline tomorrow 9:00: a day before is past; halfway is 2:30, quiet;
        # the morning (7:0x) is still before the deadline.
        at = await nudge_before(
            s,
            NUDGE,
            2,
            datetime(2026, 11, 26, 9, 0, tzinfo=SH),
            now=now,
            settings=settings,
        )
        assert at is not None and at.astimezone(SH).hour == 7
        # A deadline at 7:00 tomorrow has no moment left outside the quiet hours
        # but 21:59 tonight.
        at = await nudge_before(
            s,
            NUDGE,
            3,
            datetime(2026, 11, 26, 7, 0, tzinfo=SH),
            now=now,
            settings=settings,
            before=timedelta(hours=2),
        )
        assert at is not None and (at.hour, at.minute) == (21, 59)
        # Nothing left: a deadline in a minute.
        assert (
            await nudge_before(s, NUDGE, 4, now + timedelta(seconds=30), now=now, settings=settings)
            is None
        )
    async with chat.db.reading() as s:
        sources = sorted(await s.scalars(select(Firing.source)))
    assert sources == ["poll.nudge:1", "poll.nudge:2", "poll.nudge:3"]
