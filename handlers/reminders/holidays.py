"""Holidays: the State Council's notice loaded from chat or the CLI, and the warning while a
year is missing; the scheduler's status and the 廉政 calendar CLI.

The admins are warned each Monday at 9:0x while a notice is worth loading
(HolidayCalendar.to_load): next year's from October on, and this year's while
one of its holidays known only by estimate is still ahead — so January, with
春节 to come, is warned too. A warning names the holidays still missing when it
fires, and says nothing once they are loaded. A partial notice (only 国庆) is
taken, and the answer names what it lacks: those holidays stay estimated.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.args import Args
from bot.context import Context
from bot.messages import fold
from bot.numbers import year_in
from bot.roles import Role
from bot.runtime import Runtime
from bot.scheduler import PUSH_AT
from bot.timers import JobContext, PlanRequest
from handlers.reminders import feature, holidays_timer, remind
from handlers.reminders import texts as t
from handlers.reminders.options import calendar_options
from schedules.holidays import HolidayFileError, parse_holiday_file
from schedules.lianzheng import lianzheng_calendar, render_calendar
from schedules.planner import load_calendar
from storage.people import admin_chats
from storage.reminders import store_holidays
from storage.schedule import Firing, Planned, set_mark


@holidays_timer.planner
async def plan_holiday_warnings(p: PlanRequest) -> dict[int, list[Planned]]:
    """Each Monday at 9:00 while a year's notice is worth loading, by year."""
    day = p.start.astimezone(p.tz).date()
    last = p.end.astimezone(p.tz).date()
    # Every year the window can warn for: a year loaded meanwhile loses its rows.
    plans: dict[int, list[Planned]] = {y: [] for y in range(day.year, last.year + 2)}
    while day <= last:
        if day.weekday() == 0:
            at = datetime.combine(day, PUSH_AT, p.tz)
            for notice in p.calendar.to_load(day):
                if at >= p.start:
                    planned = holidays_timer.planned(
                        notice.year, at, at, data={"year": notice.year}
                    )
                    plans[notice.year].append(planned)
        day += timedelta(days=1)
    return plans


@holidays_timer.handler
async def warn_admins(job: JobContext, year: int) -> None:
    occ = job.firing
    assert occ is not None
    calendar = await load_calendar(job.session)
    today = job.now.astimezone(job.tz).date()
    notice = next((n for n in calendar.to_load(today) if n.year == year), None)
    if notice is None:
        return
    text = t.holidays_missing(year, notice.holidays)
    for platform, user in await admin_chats(job.session, job.runtime.settings.admins):
        key = f"rem:{occ.source}:{occ.occurrence.isoformat()}:{platform}:{user}"
        job.to_person(platform, user, text, key=key)


async def load_holidays(rt: Runtime, session: AsyncSession, text: str) -> str:
    """Store a notice and re-plan; the answer to show. Raises HolidayFileError."""
    days = parse_holiday_file(text)
    count = await store_holidays(session, ((d.day, d.kind, d.name) for d in days), rt.clock.now())
    # The next tick re-plans with the new table.
    await set_mark(session, "planned_on", "")
    years = sorted({d.day.year for d in days})
    calendar = await load_calendar(session)
    lacking = [(y, calendar.missing_holidays(y)) for y in years if calendar.source(y) == "table"]
    notes = [t.holidays_partial(y, missing) for y, missing in lacking if missing]
    return "\n".join([t.holidays_loaded(count, years), *notes])


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
        print(f"tongxin: {t.cli_no_file(argv[0])}", file=sys.stderr)
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
    year = year_in(fold(argv[0])) if len(argv) == 1 else None  # "２０２６" as typed in Chinese
    if year is None:
        print(t.CLI_CALENDAR_USAGE, file=sys.stderr)
        return 2
    async with rt.db.reading() as session:
        calendar = await load_calendar(session)
        options = await calendar_options(session)
    print(render_calendar(lianzheng_calendar(year, calendar, options)))
    return 0


from handlers.reminders import console, lianzheng  # noqa: E402  (they register on `feature`)

__all__ = ["console", "feature", "lianzheng"]
