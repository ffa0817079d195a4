"""The reminder scheduler: plan rows, fire them exactly once.

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

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.runtime import Runtime
from bot.timers import JobContext
from schedules.alarm import Alarm
from schedules.planner import HORIZON, QuietHours, load_calendar, write_plan
from storage.reminders import Planned, ReminderOccurrence, get_mark, next_due, set_mark

log = logging.getLogger("tongxin.scheduler")

__all__ = ["HORIZON", "PUSH_AT", "dispatch_due", "late_note", "plan_all", "replan", "start_alarm"]

# A late firing within the grace says so when it is later than a tick or two.
LATE_NOTE_AFTER = timedelta(minutes=10)
BATCH = 200
PUSH_AT = time(9, 0)
# Off the hour the quiet hours end on (WeCom asks pushes to avoid :00 and :30).
QUIET_JITTER = timedelta(minutes=1)


def quiet_hours(rt: Runtime) -> QuietHours | None:
    return QuietHours.parse(rt.settings.quiet_hours)


def late_note(job: JobContext, occ: ReminderOccurrence) -> str:
    """The note a late firing carries ("" when it is on time)."""
    if job.now - occ.due_at < LATE_NOTE_AFTER:
        return ""
    return "\n" + texts.late_note(occ.due_at.astimezone(job.runtime.settings.tz))


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


async def plan(rt: Runtime) -> None:
    today = rt.clock.now().astimezone(rt.settings.tz).date().isoformat()
    async with rt.db.reading() as session:
        planned_on = await get_mark(session, "planned_on")
    if planned_on != today:
        await plan_all(rt)
        await dispatch_due(rt)


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


async def dispatch(rt: Runtime) -> None:
    await dispatch_due(rt)


async def _next_due(rt: Runtime) -> datetime | None:
    async with rt.db.reading() as session:
        return await next_due(session)


async def start_alarm(rt: Runtime) -> Callable[[], Awaitable[None]]:
    async def wake() -> None:
        await dispatch_due(rt)

    async def due() -> datetime | None:
        return await _next_due(rt)

    alarm = Alarm(wake, due, rt.settings.tz, rt.clock)
    await alarm.start()
    return alarm.close
