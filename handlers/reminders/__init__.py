"""/提醒 and /廉政日历: the coming reminders, holidays and their warning, the 廉政 calendar.

The scheduler itself (planning rows, firing them once) is core: bot.scheduler.
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
from bot.feature import Feature
from bot.roles import Role
from bot.runtime import Runtime
from bot.scheduler import PUSH_AT
from bot.timers import JobContext
from handlers.reminders import texts as t
from handlers.reminders.upcoming import coming_for
from schedules.holidays import HolidayCalendar, HolidayFileError, parse_holiday_file
from schedules.lianzheng import lianzheng_calendar, render_calendar
from schedules.planner import load_calendar
from schedules.timeparse import When, format_when
from storage.models import ChatGroup, ChatParticipant
from storage.reminders import (
    Planned,
    ReminderOccurrence,
    admin_chats,
    set_mark,
    store_holidays,
)

feature = Feature("reminders", __name__)
# Lines per group in chat; the console shows the whole 60 days.
UPCOMING_SHOWN = 10
remind = feature.command("remind", "提醒", help="提醒与放假安排", role=Role.SECRETARY)
WARN_FROM_MONTH = 10


@feature.on("reminders.plan")
async def plan_holiday_warnings(
    session: AsyncSession, rt: Runtime, calendar: HolidayCalendar, start: datetime, end: datetime
) -> dict[str, list[Planned]]:
    """From October on, each Monday at 9:00, while next year's holidays are unknown."""
    tz = rt.settings.tz
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    plans: dict[str, list[Planned]] = {}
    while day <= last:
        if day.month >= WARN_FROM_MONTH and day.weekday() == 0:
            year = day.year + 1
            if calendar.missing_years(year, year):
                at = datetime.combine(day, PUSH_AT, tz)
                if at >= start:
                    plans.setdefault(f"holidays:{year}", []).append(
                        Planned(f"holidays:{year}", at, 0, at, at, data={"year": year})
                    )
        day += timedelta(days=1)
    return plans


@feature.on("reminder.holidays")
async def warn_admins(job: JobContext, due: list[ReminderOccurrence]) -> None:
    calendar = await load_calendar(job.session)
    admins = await admin_chats(job.session, job.runtime.settings.admins)
    for occ in due:
        year = int(occ.data["year"])
        if not calendar.missing_years(year, year):
            continue
        for platform, user in admins:
            key = f"rem:{occ.source}:{occ.occurrence.isoformat()}:{platform}:{user}"
            job.to_person(platform, user, t.holidays_missing(year), key=key)


# --- holidays -------------------------------------------------------------------------


async def load_holidays(rt: Runtime, session: AsyncSession, text: str) -> str:
    """Store a notice and re-plan; the answer to show. Raises HolidayFileError."""
    days = parse_holiday_file(text)
    count = await store_holidays(session, ((d.day, d.kind, d.name) for d in days), rt.clock.now())
    # The next tick re-plans with the new table.
    await set_mark(session, "planned_on", "")
    years = sorted({d.day.year for d in days})
    return t.holidays_loaded(count, years)


@remind.sub("holidays", "放假安排", role=Role.ADMIN, help="载入国务院放假安排")
async def holidays_chat(ctx: Context, args: Args) -> None:
    if not args.text:
        ctx.reply(t.HOLIDAYS_USAGE)
        return
    try:
        ctx.reply(await load_holidays(ctx.runtime, ctx.session, args.text))
    except HolidayFileError as bad:
        ctx.reply(str(bad))


@remind.sub("list", "列表", role=Role.TEACHER, help="查看近期提醒")
async def upcoming_list(ctx: Context, args: Args) -> None:
    """This group's coming reminders; in direct chat, those of the groups one manages or joined."""
    if ctx.in_group and ctx.group_id is not None:
        groups = list(
            await ctx.session.scalars(select(ChatGroup).where(ChatGroup.id == ctx.group_id))
        )
    elif ctx.actor.is_admin:
        groups = list(await ctx.session.scalars(select(ChatGroup).order_by(ChatGroup.id)))
    else:
        groups = list(
            await ctx.session.scalars(
                select(ChatGroup)
                .outerjoin(ChatParticipant, ChatParticipant.group_id == ChatGroup.id)
                .where(
                    (ChatParticipant.person_id == ctx.actor.person_id)
                    | ChatGroup.unit_id.in_(ctx.actor.secretary_units)
                )
                .distinct()
                .order_by(ChatGroup.id)
            )
        )
    if not groups:
        ctx.reply(t.UPCOMING_NO_GROUPS)
        return
    coming = await coming_for(ctx.session, groups, ctx.now)
    lines: list[str] = []
    for group in groups:
        entries = coming[group.id]
        if not entries:
            continue
        name = t.UPCOMING_THIS_GROUP if ctx.in_group else (group.title or group.chat_id)
        lines.append(t.upcoming_header(name))
        for e in entries[:UPCOMING_SHOWN]:
            due = format_when(When(e.due_at.astimezone(ctx.tz), True), ctx.local_now)
            lines.append(t.upcoming_line(due, e.kind, e.title))
        if len(entries) > UPCOMING_SHOWN:
            lines.append(t.UPCOMING_MORE.format(n=len(entries) - UPCOMING_SHOWN))
    ctx.reply("\n".join(lines) if lines else t.UPCOMING_NONE)


@remind.sub("status", "状态", help="提醒排期与免打扰设置")
async def status(ctx: Context, args: Args) -> None:
    counts = dict(
        (
            await ctx.session.execute(
                select(ReminderOccurrence.state, func.count()).group_by(ReminderOccurrence.state)
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
    if len(argv) != 1 or not argv[0].isdigit() or not 1901 <= int(argv[0]) <= 2099:
        print(t.CLI_CALENDAR_USAGE, file=sys.stderr)
        return 2
    async with rt.db.reading() as session:
        calendar = await load_calendar(session)
    print(render_calendar(lianzheng_calendar(int(argv[0]), calendar)))
    return 0


from handlers.reminders import console, lianzheng  # noqa: E402  (they register on `feature`)

__all__ = ["console", "feature", "lianzheng"]
