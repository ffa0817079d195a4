"""The one dispatcher of timed work: plan rows, fire each exactly once, survive a bad handler.

- Planning: `plan` (a periodic job) asks every planned kind (bot.timers) for
  the next 60 days once a local day and at the first tick of a new process;
  `replan` writes a few refs at once (a meeting just made or edited).
- Firing: `dispatch_due` (a periodic job, and the APScheduler alarm at the next
  due row) claims due rows of `firings` — FOR UPDATE SKIP LOCKED on
  PostgreSQL — and runs each row's handler in a savepoint of the transaction
  that marks it sent, so its effects, its outbox messages and the mark commit
  together.
- A handler that raises spoils only its own row: the savepoint rolls back, the
  row records the attempt and the error and comes due again after a backoff
  (1, 2, 4 … minutes); after MAX_ATTEMPTS it is marked failed and the admins
  are told once. Every failure goes through the app's error hooks.
- A push found due in the quiet hours (the process was down over its time)
  waits for the morning. A row of a kind that lateness spoils (a reminder)
  found due more than TONGXIN_REMINDER_GRACE_MINUTES late is recorded as
  missed, and so is an advance reminder whose meeting has begun; within the
  grace it goes out with a note that it is late.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.errors import Failure, alert_admins
from bot.outbox import enqueue
from bot.runtime import Runtime
from bot.timers import JobContext, PlanRequest, Timer
from schedules.alarm import Alarm
from schedules.planner import HORIZON, QuietHours, load_calendar, write_plan
from storage.schedule import (
    FAILED,
    MISSED,
    PENDING,
    SENT,
    Firing,
    Planned,
    get_mark,
    next_due,
    set_mark,
)

log = logging.getLogger("tongxin.scheduler")

__all__ = ["HORIZON", "PUSH_AT", "dispatch_due", "late_note", "plan_all", "replan", "start_alarm"]

# A late firing within the grace says so when it is later than a tick or two.
LATE_NOTE_AFTER = timedelta(minutes=10)
BATCH = 200
PUSH_AT = time(9, 0)
# Off the hour the quiet hours end on (WeCom asks pushes to avoid :00 and :30).
QUIET_JITTER = timedelta(minutes=1)
MAX_ATTEMPTS = 6
RETRY_FIRST = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=1)


def quiet_hours(rt: Runtime) -> QuietHours | None:
    return QuietHours.parse(rt.settings.quiet_hours)


def late_note(job: JobContext) -> str:
    """The note a late firing carries ("" when it is on time)."""
    due = job.due_at
    if due is None or job.now - due < LATE_NOTE_AFTER:
        return ""
    return "\n" + texts.late_note(due.astimezone(job.tz))


def retry_delay(attempts: int) -> timedelta:
    delay: timedelta = RETRY_FIRST * 2 ** (attempts - 1)
    return min(delay, RETRY_CAP)


# --- planning -------------------------------------------------------------------------


async def plan_all(rt: Runtime) -> int:
    """Re-plan every planned kind for the next 60 days; the number of rows written."""
    async with rt.db.transaction() as session:
        now = rt.clock.now()
        # Back by the grace: a firing of a day the process never planned (it
        # was down) still goes out late rather than not at all.
        since = now - timedelta(minutes=rt.settings.reminder_grace_minutes)
        request = PlanRequest(session, rt, await load_calendar(session), since, now + HORIZON)
        plans: dict[str, list[Planned]] = {}
        for timer in rt.timers.values():
            if timer.plan is not None:
                for ref, planned in (await timer.plan(request)).items():
                    plans[timer.source(ref)] = planned
        written = await write_plan(
            session, plans, since=since, quiet=quiet_hours(rt), tz=rt.settings.tz
        )
        await set_mark(session, "planned_on", now.astimezone(rt.settings.tz).date().isoformat())
    return written


async def replan(
    rt: Runtime, session: AsyncSession, timer: Timer[Any], plans: Mapping[Any, list[Planned]]
) -> None:
    """Write the plan of a few refs of one kind at once (a meeting just made or edited)."""
    await write_plan(
        session,
        {timer.source(ref): planned for ref, planned in plans.items()},
        since=rt.clock.now(),
        quiet=quiet_hours(rt),
        tz=rt.settings.tz,
    )


async def plan(rt: Runtime) -> None:
    today = rt.clock.now().astimezone(rt.settings.tz).date().isoformat()
    async with rt.db.reading() as session:
        planned_on = await get_mark(session, "planned_on")
    if planned_on != today:
        await plan_all(rt)
        await dispatch_due(rt)


async def plan_request(rt: Runtime, session: AsyncSession) -> PlanRequest:
    """The request a planner answers, for a handler planning one thing now."""
    now = rt.clock.now()
    return PlanRequest(session, rt, await load_calendar(session), now, now + HORIZON)


# --- firing ---------------------------------------------------------------------------


async def dispatch_due(rt: Runtime, batch: int = BATCH) -> int:
    """Fire every row that is due; the number handled (sent, missed, held or retried)."""
    handled = 0
    while True:
        async with rt.db.transaction() as session:
            now = rt.clock.now()
            rows = await _claim(session, rt, now, batch)
            failures = await _fire(session, rt, rows, now)
        for failure in failures:
            await rt.errors.report(failure)
        handled += len(rows)
        if len(rows) < batch:
            return handled


async def _claim(session: AsyncSession, rt: Runtime, now: datetime, limit: int) -> list[Firing]:
    pick = (
        select(Firing)
        .where(Firing.state == PENDING, Firing.due_at <= now)
        .order_by(Firing.due_at, Firing.id)
        .limit(limit)
    )
    if not rt.db.is_sqlite:
        pick = pick.with_for_update(skip_locked=True)
    return list(await session.scalars(pick))


async def _fire(
    session: AsyncSession, rt: Runtime, rows: Sequence[Firing], now: datetime
) -> list[Failure]:
    tz = rt.settings.tz
    quiet = quiet_hours(rt)
    grace = timedelta(minutes=rt.settings.reminder_grace_minutes)
    failures: list[Failure] = []
    sent: list[int] = []
    for row in rows:
        timer = rt.timers.get(row.kind)
        if row.push and quiet is not None and quiet.contains(now.astimezone(tz)):
            # Found due in the quiet hours (the process was down over its
            # time): it waits for the morning, and counts as late from then.
            row.due_at = quiet.ends(now.astimezone(tz)) + QUIET_JITTER
            # Held: a re-plan must not take the moved row for one it dropped.
            row.data = {**row.data, "held": True}
            continue
        # A retried row comes due after its backoff, which is not lateness.
        late = (now - row.due_at > grace and not row.attempts) or (
            row.offset_minutes > 0 and now >= row.event_at
        )
        if timer is not None and timer.grace and late:
            log.warning("%s at %s missed (due %s)", row.source, row.occurrence, row.due_at)
            row.state, row.fired_at = MISSED, now
            continue
        error = await _run(session, rt, timer, row, now)
        if error is None:
            sent.append(row.id)
            continue
        failure = await _failed(session, rt, row, error, now)
        failures.append(failure)
    if sent:
        await session.execute(
            update(Firing).where(Firing.id.in_(sent)).values(state=SENT, fired_at=rt.clock.now())
        )
    rt.outbox.wake()
    return failures


async def _run(
    session: AsyncSession, rt: Runtime, timer: Timer[Any] | None, row: Firing, now: datetime
) -> BaseException | None:
    """Run the row's handler in a savepoint; the error it raised, if any."""
    if timer is None or timer.run is None:
        return LookupError(f"no handler for {row.kind!r}")
    job = JobContext(session, rt, now, firing=row)
    try:
        async with session.begin_nested():
            await timer.run(job, timer.parse(row.ref))
            await enqueue(session, job.out, now, sealer=rt.sealer)
    except Exception as err:
        return err
    return None


async def _failed(
    session: AsyncSession, rt: Runtime, row: Firing, error: BaseException, now: datetime
) -> Failure:
    """Record a failed attempt: retry after a backoff, or give up and tell the admins once."""
    # The row's attributes may be expired by the savepoint's rollback: read
    # nothing from it but what the claim already loaded into these locals.
    row_id, source, attempts = row.id, row.source, row.attempts + 1
    final = attempts >= MAX_ATTEMPTS
    values: dict[str, Any] = {"attempts": attempts, "last_error": _describe(error)}
    if final:
        values.update(state=FAILED, fired_at=now)
        outs = await alert_admins(
            session, rt.settings.admins, f"firing:{row_id}", texts.timer_gave_up(source, attempts)
        )
        await enqueue(session, outs, now)
    else:
        values["due_at"] = now + retry_delay(attempts)
    await session.execute(update(Firing).where(Firing.id == row_id).values(**values))
    return Failure("timer", source, error, attempts, final)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:1000]


async def dispatch(rt: Runtime) -> None:
    await dispatch_due(rt)


async def start_alarm(rt: Runtime) -> Alarm:
    async def wake() -> None:
        await dispatch_due(rt)

    async def due() -> datetime | None:
        async with rt.db.reading() as session:
            return await next_due(session)

    alarm = Alarm(wake, due, rt.settings.tz, rt.clock)
    await alarm.start()
    return alarm
