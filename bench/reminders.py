"""10,000 meeting rules across 2,000 groups: start-up planning, and how late reminders fire.

    .venv/bin/python -m bench.reminders [--rules 10000] [--groups 2000] [--seconds 75]

1. Baseline: expanding every rule for 60 days in memory (dateutil + holiday
   policy), no database.
2. Start-up planning: `plan_all` — every provider (meetings, the 廉政 calendar,
   the holiday warning) and the idempotent write of all rows.
3. Lateness with the clock running: the app's clock runs at wall speed from
   12:59:45 of a busy Wednesday, when 2,000 meetings of 14:00 fall due their
   hour-before reminder (13:00:03–13:00:47: an advance reminder keeps the
   minute asked for, spread over its seconds) and the next day's
   meetings their day-before one. The APScheduler alarm wakes the dispatcher;
   lateness is the moment a row is marked sent, with its outbox message in the
   same transaction, minus its due time (which already holds the jitter).

Runs on SQLite, and on PostgreSQL too under scripts/with-postgres.sh.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from bot.app import Tongxin
from bot.config import Settings
from bot.scheduler import HORIZON, dispatch_due, plan_all, start_alarm
from handlers.meetings.reminders import plan_meeting
from schedules.planner import load_calendar
from schedules.recurrence import KINDS, build_rrule
from storage.db import Database
from storage.migrate import recreate
from storage.models import ChatGroup
from storage.reminders import Meeting
from storage.schedule import Firing

SH = ZoneInfo("Asia/Shanghai")
BUSY = datetime(2026, 12, 2, 12, 59, 45, tzinfo=SH)  # a Wednesday


class RunningClock:
    """Wall-clock speed, from a chosen moment."""

    def __init__(self, start: datetime) -> None:
        self.set(start)

    def set(self, moment: datetime) -> None:
        """Run on from `moment`, now."""
        self._offset = moment.astimezone(UTC) - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


async def fresh(url: str) -> None:
    db = Database(url)
    try:
        await recreate(db)
    finally:
        await db.dispose()


async def seed(db: Database, rules: int, groups: int, now: datetime) -> None:
    rnd = random.Random(7)
    kinds = [k for k in KINDS if k != "once"]
    meetings = []
    for i in range(rules):
        if i % 5 == 0:  # the busy afternoon: a fifth of all meetings at 14:00 today
            first = BUSY.replace(hour=14, minute=0, second=0)
        else:
            day = BUSY.date() + timedelta(days=rnd.randrange(0, 28))
            first = datetime(day.year, day.month, day.day, rnd.randrange(8, 18), 0, tzinfo=SH)
            first += timedelta(minutes=rnd.choice((0, 15, 30, 45)))
        meetings.append(
            {
                "title": "主题党日",
                "rrule": build_rrule(rnd.choice(kinds), first, SH),
                "place": "",
                "duration_minutes": 90,
                "offsets": [1440, 60],
                "holiday_policy": "next",
                "targets": [f"local:g{i % groups}"],
                "creator_id": None,
                "created_at": now,
            }
        )
    async with db.transaction() as s:
        await s.execute(
            insert(ChatGroup),
            [
                {"platform": "local", "chat_id": f"g{i}", "first_seen_at": now}
                for i in range(groups)
            ],
        )
        for i in range(0, len(meetings), 1000):
            await s.execute(insert(Meeting), meetings[i : i + 1000])


async def run(url: str, rules: int, groups: int, seconds: float) -> dict[str, float]:
    await fresh(url)
    clock = RunningClock(BUSY)
    app = Tongxin(Settings(database_url=url, local_channel=True), clock=clock)
    rt = app.runtime
    await seed(app.db, rules, groups, clock.now())

    async with app.db.reading() as s:
        calendar = await load_calendar(s)
        meetings = list(await s.scalars(select(Meeting)))
    start = clock.now() - timedelta(hours=2)
    t0 = time.perf_counter()
    expanded = sum(len(plan_meeting(m, calendar, start, start + HORIZON)) for m in meetings)
    baseline = time.perf_counter() - t0

    t0 = time.perf_counter()
    rows = await plan_all(rt)
    planning = time.perf_counter() - t0
    # The busy minute comes after the set-up however long it took, and the
    # bench measures the rows from then on; what planning placed in the past
    # two hours (the grace) is not the question here.
    clock.set(BUSY)
    async with app.db.transaction() as s:
        await s.execute(
            Firing.__table__.update().where(Firing.due_at < clock.now()).values(state="skipped")
        )

    alarm = await start_alarm(rt)
    await asyncio.sleep(seconds)
    await alarm.close()
    await dispatch_due(rt)  # nothing may be left: a row left here was never woken for
    async with app.db.reading() as s:
        fired = list(
            await s.execute(select(Firing.due_at, Firing.fired_at).where(Firing.state == "sent"))
        )
    await app.db.dispose()
    late = sorted((f - d).total_seconds() for d, f in fired if f is not None)
    return {
        "rules": rules,
        "expanded": expanded,
        "baseline_s": baseline,
        "rows": rows,
        "planning_s": planning,
        "fired": len(late),
        "p50_s": statistics.median(late) if late else float("nan"),
        "p99_s": late[int(len(late) * 0.99) - 1] if late else float("nan"),
        "max_s": late[-1] if late else float("nan"),
    }


def show(name: str, r: dict[str, float]) -> None:
    print(
        f"{name:10} rules {r['rules']:.0f}: baseline expand {r['expanded']:.0f} firings "
        f"in {r['baseline_s']:.2f} s; start-up plan {r['rows']:.0f} rows in "
        f"{r['planning_s']:.2f} s; fired {r['fired']:.0f}, lateness p50 {r['p50_s']:.3f} s, "
        f"p99 {r['p99_s']:.3f} s, max {r['max_s']:.3f} s"
    )


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rules", type=int, default=10_000)
    p.add_argument("--groups", type=int, default=2_000)
    p.add_argument("--seconds", type=float, default=75.0)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        show("sqlite", asyncio.run(run(url, a.rules, a.groups, a.seconds)))
    pg = os.environ.get("TONGXIN_TEST_PG_URL")
    if pg:
        show("postgresql", asyncio.run(run(pg, a.rules, a.groups, a.seconds)))


if __name__ == "__main__":
    main()
