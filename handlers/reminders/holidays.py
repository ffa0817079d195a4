"""Holidays: the State Council's notice loaded from chat or the CLI, and the warning while a
year is missing; the scheduler's status and the 廉政 calendar CLI."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.args import Args
from bot.context import Context
from bot.roles import Role
from bot.runtime import Runtime
from bot.scheduler import PUSH_AT
from bot.timers import JobContext, PlanRequest
from handlers.reminders import feature, holidays_timer, remind
from handlers.reminders import texts as t
from schedules.holidays import HolidayFileError, parse_holiday_file
from schedules.lianzheng import lianzheng_calendar, render_calendar
from schedules.planner import load_calendar
from storage.people import admin_chats
from storage.reminders import store_holidays
from storage.schedule import Firing, Planned, set_mark

WARN_FROM_MONTH = 10


@holidays_timer.planner
async def plan_holiday_warnings(p: PlanRequest) -> dict[int, list[Planned]]:
    """From October on, each Monday at 9:00, while next year's holidays are unknown."""
    day = p.start.astimezone(p.tz).date()
    last = p.end.astimezone(p.tz).date()
    plans: dict[int, list[Planned]] = {}
    while day <= last:
        if day.month >= WARN_FROM_MONTH and day.weekday() == 0:
            year = day.year + 1
            if p.calendar.missing_years(year, year):
                at = datetime.combine(day, PUSH_AT, p.tz)
                if at >= p.start:
                    planned = holidays_timer.planned(year, at, at, data={"year": year})
                    plans.setdefault(year, []).append(planned)
        day += timedelta(days=1)
    return plans


@holidays_timer.handler
async def warn_admins(job: JobContext, year: int) -> None:
    occ = job.firing
    assert occ is not None
    calendar = await load_calendar(job.session)
    if not calendar.missing_years(year, year):
        return
    for platform, user in await admin_chats(job.session, job.runtime.settings.admins):
        key = f"rem:{occ.source}:{occ.occurrence.isoformat()}:{platform}:{user}"
        job.to_person(platform, user, t.holidays_missing(year), key=key)


async def load_holidays(rt: Runtime, session: AsyncSession, text: str) -> str:
    """Store a notice and re-plan; the answer to show. Raises HolidayFileError."""
    days = parse_holiday_file(text)
    count = await store_holidays(session, ((d.day, d.kind, d.name) for d in days), rt.clock.now())
    # The next tick re-plans with the new table.
    await set_mark(session, "planned_on", "")
    years = sorted({d.day.year for d in days})
    return t.holidays_loaded(count, years)


@remind.sub("holidays", "放假安排", role=Role.ADMIN, help=t.HELP_HOLIDAYS)
async def holidays_chat(ctx: Context, args: Args) -> None:
    if not args.text:
        ctx.reply(t.HOLIDAYS_USAGE)
        return
    try:
        ctx.reply(await load_holidays(ctx.runtime, ctx.session, args.text))
    except HolidayFileError as bad:
        ctx.reply(str(bad))


@remind.sub("status", "状态", help=t.HELP_STATUS)
async def status(ctx: Context, args: Args) -> None:
    counts = dict(
        (
            await ctx.session.execute(
                select(Firing.state, func.count()).where(Firing.push).group_by(Firing.state)
            )
        ).all()
    )
    ctx.reply(
        t.status(
            int(counts.get("pending", 0)),
            int(counts.get("sent", 0)),
            int(counts.get("missed", 0)),
            ctx.settings.quiet_hours,
            ctx.settings.reminder_grace_minutes,
        )
    )


@feature.cli_command("holidays load")
async def holidays_cli(rt: Runtime, argv: list[str]) -> int:
    """`tongxin holidays load FILE`: a year's 放假安排 (the State Council notice)."""
    if len(argv) != 1:
        print(t.CLI_HOLIDAYS_USAGE, file=sys.stderr)
        return 2
    if not await asyncio.to_thread(os.path.isfile, argv[0]):
        print(f"tongxin: no such file: {argv[0]}", file=sys.stderr)
        return 2
    try:
        async with rt.db.transaction() as session:
            print(await load_holidays(rt, session, argv[0]))
    except HolidayFileError as bad:
        print(bad)
        return 1
    return 0


@feature.cli_command("calendar")
async def calendar_cli(rt: Runtime, argv: list[str]) -> int:
    """`tongxin calendar YEAR`: print that year's 廉政 calendar."""
    if len(argv) != 1 or not argv[0].isdigit() or not 1901 <= int(argv[0]) <= 2099:
        print(t.CLI_CALENDAR_USAGE, file=sys.stderr)
        return 2
    async with rt.db.reading() as session:
        calendar = await load_calendar(session)
    print(render_calendar(lianzheng_calendar(int(argv[0]), calendar)))
    return 0


from handlers.reminders import console, lianzheng  # noqa: E402  (they register on `feature`)

__all__ = ["console", "feature", "lianzheng"]
