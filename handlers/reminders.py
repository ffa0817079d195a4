"""The reminder scheduler: plan rows, fire them exactly once; holidays and their warning.

How it runs (docs/reminders.md has the whole story):

- `plan` (a periodic job) re-plans every source for the next 60 days once a
  local day, and at the first tick of a new process; features answer the
  "reminders.plan" event with their wanted firings.
- `dispatch` (a periodic job, and the APScheduler alarm at the next due row)
  claims due rows — FOR UPDATE SKIP LOCKED on PostgreSQL — and emits
  "reminder.<kind>" to the feature that owns the row, in the transaction that
  marks it sent, so its outbox messages and the mark commit together.
- A row found due more than TONGXIN_REMINDER_GRACE_MINUTES late (the process
  was down) is recorded as missed; an advance reminder whose meeting has begun
  is missed too. Within the grace it goes out with a note that it is late.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.args import Args
from bot.context import Context
from bot.feature import Feature
from bot.roles import Role
from bot.runtime import Runtime
from bot.timers import JobContext
from handlers import reminders_texts as t
from handlers.upcoming import coming_for
from schedules.alarm import Alarm
from schedules.holidays import HolidayCalendar, HolidayFileError, parse_holiday_file
from schedules.lianzheng import lianzheng_calendar, render_calendar
from schedules.planner import HORIZON, QuietHours, load_calendar, write_plan
from schedules.timeparse import When, format_when
from storage.models import ChatGroup, ChatParticipant
from storage.reminders import (
    Planned,
    ReminderOccurrence,
    admin_chats,
    get_mark,
    next_due,
    set_mark,
    store_holidays,
)

log = logging.getLogger("tongxin.reminders")

feature = Feature("reminders")
# Lines per group in chat; the console shows the whole 60 days.
UPCOMING_SHOWN = 10
remind = feature.command("remind", "提醒", help="提醒与放假安排", role=Role.SECRETARY)

# A late firing within the grace says so when it is later than a tick or two.
LATE_NOTE_AFTER = timedelta(minutes=10)
BATCH = 200
WARN_FROM_MONTH = 10
PUSH_AT = time(9, 0)
# Off the hour the quiet hours end on (WeCom asks pushes to avoid :00 and :30).
QUIET_JITTER = timedelta(minutes=1)


def quiet_hours(rt: Runtime) -> QuietHours | None:
    return QuietHours.parse(rt.settings.quiet_hours)


def late_note(job: JobContext, occ: ReminderOccurrence) -> str:
    """The note a late firing carries ("" when it is on time)."""
    if job.now - occ.due_at < LATE_NOTE_AFTER:
        return ""
    return "\n" + t.late_note(occ.due_at.astimezone(job.runtime.settings.tz))


# --- planning -------------------------------------------------------------------------


async def plan_all(rt: Runtime) -> int:
    """Re-plan every source for the next 60 days; the number of rows written."""
    async with rt.db.transaction() as session:
        now = rt.clock.now()
        # Back by the grace: a firing of a day the process never planned (it
        # was down) still goes out late rather than not at all.
        since = now - timedelta(minutes=rt.settings.reminder_grace_minutes)
        calendar = await load_calendar(session)
        plans: dict[str, list[Planned]] = {}
        for result in await rt.emit("reminders.plan", session, rt, calendar, since, now + HORIZON):
            plans.update(result)
        written = await write_plan(
            session, plans, since=since, quiet=quiet_hours(rt), tz=rt.settings.tz
        )
        await set_mark(session, "planned_on", now.astimezone(rt.settings.tz).date().isoformat())
    return written


async def replan(rt: Runtime, session: AsyncSession, plans: dict[str, list[Planned]]) -> None:
    """Write the plan of a few sources at once (a meeting just made or edited)."""
    await write_plan(session, plans, since=rt.clock.now(), quiet=quiet_hours(rt), tz=rt.settings.tz)


@feature.every(timedelta(minutes=5))
async def plan(rt: Runtime) -> None:
    today = rt.clock.now().astimezone(rt.settings.tz).date().isoformat()
    async with rt.db.reading() as session:
        planned_on = await get_mark(session, "planned_on")
    if planned_on != today:
        await plan_all(rt)
        await dispatch_due(rt)


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


# --- dispatching ----------------------------------------------------------------------


async def dispatch_due(rt: Runtime, batch: int = BATCH) -> int:
    """Fire every row that is due; the number handled (sent, missed or failed).

    Rows go in batches, one transaction each, the hooks of a kind called once
    with all its rows. A hook that raises spoils its batch: the batch rolls
    back and its rows are fired one by one, the faulty one marked failed.
    """
    handled = 0
    while True:
        try:
            n = await _dispatch(rt, batch)
        except Exception:
            log.exception("reminder batch failed; firing its rows one by one")
            n = await _dispatch_singly(rt, batch)
        handled += n
        if n < batch:
            return handled


async def _claim(
    session: AsyncSession, rt: Runtime, now: datetime, limit: int
) -> list[ReminderOccurrence]:
    pick = (
        select(ReminderOccurrence)
        .where(ReminderOccurrence.state == "pending", ReminderOccurrence.due_at <= now)
        .order_by(ReminderOccurrence.due_at, ReminderOccurrence.id)
        .limit(limit)
    )
    if not rt.db.is_sqlite:
        pick = pick.with_for_update(skip_locked=True)
    return list(await session.scalars(pick))


async def _dispatch(rt: Runtime, limit: int) -> int:
    async with rt.db.transaction() as session:
        now = rt.clock.now()
        rows = await _claim(session, rt, now, limit)
        await _fire(session, rt, rows, now)
    return len(rows)


async def _dispatch_singly(rt: Runtime, limit: int) -> int:
    done = 0
    while done < limit:
        try:
            n = await _dispatch(rt, 1)
        except Exception:
            log.exception("reminder failed")
            async with rt.db.transaction() as session:
                now = rt.clock.now()
                rows = await _claim(session, rt, now, 1)
                for row in rows:
                    row.state, row.fired_at = "failed", now
                n = len(rows)
        if n == 0:
            break
        done += n
    return done


async def _fire(
    session: AsyncSession, rt: Runtime, rows: list[ReminderOccurrence], now: datetime
) -> None:
    tz = rt.settings.tz
    quiet = quiet_hours(rt)
    grace = timedelta(minutes=rt.settings.reminder_grace_minutes)
    by_kind: dict[str, list[ReminderOccurrence]] = {}
    for row in rows:
        if row.push and quiet is not None and quiet.contains(now.astimezone(tz)):
            # Found due in the quiet hours (the process was down over its
            # time): it waits for the morning, and counts as late from then.
            row.due_at = quiet.ends(now.astimezone(tz)) + QUIET_JITTER
            # Held: a re-plan must not take the moved row for one it dropped.
            row.data = {**row.data, "held": True}
        elif now - row.due_at > grace or (row.offset_minutes > 0 and now >= row.event_at):
            log.warning("reminder %s at %s missed (due %s)", row.source, row.occurrence, row.due_at)
            row.state, row.fired_at = "missed", now
        else:
            by_kind.setdefault(row.kind, []).append(row)
    job = JobContext(session, rt, now)
    for kind, due in by_kind.items():
        if not await rt.emit(f"reminder.{kind}", job, due):
            log.warning("reminders of kind %s have no listener", kind)
    fired_at = rt.clock.now()
    for due in by_kind.values():
        for row in due:
            row.state, row.fired_at = "sent", fired_at
    await rt.send(session, job.out)


@feature.every(timedelta(seconds=15))
async def dispatch(rt: Runtime) -> None:
    await dispatch_due(rt)


async def _next_due(rt: Runtime) -> datetime | None:
    async with rt.db.reading() as session:
        return await next_due(session)


@feature.on("app.started")
async def start_alarm(rt: Runtime) -> Callable[[], Awaitable[None]]:
    async def wake() -> None:
        await dispatch_due(rt)

    async def due() -> datetime | None:
        return await _next_due(rt)

    alarm = Alarm(wake, due, rt.settings.tz, rt.clock)
    await alarm.start()
    return alarm.close


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
