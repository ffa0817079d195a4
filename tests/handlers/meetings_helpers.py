"""Shared steps of the meeting tests: arranging a meeting through the flow, reading back
the days it was held, and the days a rule should give, computed independently.

`expected_days` is the holiday policy written out again from CALENDAR.md, on
dateutil's rrule and chinesecalendar's answers, not on schedules.recurrence or
schedules.holidays: what the bot did is compared with what the rules say.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import chinese_calendar
from dateutil.rrule import rrule
from sqlalchemy import select

from storage.schedule import Firing
from tests.harness import ChatHarness, Group, User


async def arrange(
    sec: User,
    g: Group,
    repeat: str,
    first: str,
    policy: str = "顺延到下一个工作日",
    *,
    kind: str = "支委会",
    offsets: str = "默认",
) -> str:
    """Arrange a meeting in `g` through /会议 新建; the preview shown before 确认."""
    for answer in ("/会议 新建", kind, repeat, first, "无", "本群", offsets, policy):
        await sec.says(answer, g)
    preview = "\n".join(sec.last)
    await sec.says("确认", g)
    sec.hears("已安排")
    return preview


async def held_on(chat: ChatHarness, meeting_id: int = 1) -> list[datetime]:
    """When each occurrence of the meeting started (its start row fired), in order."""
    async with chat.db.reading() as s:
        found = await s.scalars(
            select(Firing.event_at)
            .where(
                Firing.source == f"meeting:{meeting_id}",
                Firing.offset_minutes == 0,
                Firing.state == "sent",
            )
            .order_by(Firing.event_at)
        )
        return list(found)


def workday(day: date) -> bool:
    """chinesecalendar's answer; it knows up to 2026, later years count weekends only
    (the callers pick dates no later holiday reaches)."""
    if day.year <= 2026:
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5


def expected_days(
    rule: rrule,
    first: datetime,
    last: datetime,
    *,
    on_date: bool,
    policy: str,
    swapped: bool = False,
    is_workday: Callable[[date], bool] = workday,
) -> list[date]:
    """The days a rule's meetings in [first, last] are held on (CALENDAR.md):

    - a rule on a date moves off any day that is not a workday, weekends too; a rule on
      a weekday only off a weekday that is a holiday;
    - it moves to a Monday-to-Friday workday, or to a 调休 weekend too when `swapped`;
    - a moved meeting landing on a day the rule already has is that meeting.
    """

    def counts(day: date) -> bool:
        return is_workday(day) and (swapped or day.weekday() < 5)

    step = timedelta(days=-1 if policy == "previous" else 1)
    days = set()
    for start in rule.between(first - timedelta(days=31), last + timedelta(days=31), inc=True):
        day = start.date()
        moves = not counts(day) if on_date else day.weekday() < 5 and not is_workday(day)
        if moves and policy == "skip":
            continue
        if moves and policy != "keep":
            while not counts(day):
                day += step
        days.add(day)
    return sorted(d for d in days if first.date() <= d <= last.date())
