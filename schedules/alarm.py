"""APScheduler as an alarm clock only: it wakes the dispatcher at the next due row.

The rows in the database are the truth; the scheduler holds one in-memory
"date" job, re-armed after every ring from the earliest pending row, and
nothing is lost with it when the process stops. The app's periodic tick runs
the dispatcher too, which catches rows another process planned meanwhile.
Never the scheduler's defaults: the zone is given explicitly, and a misfire
(the loop was busy when the alarm was due) still rings.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from apscheduler.jobstores.memory import MemoryJobStore  # type: ignore[import-untyped]
from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]

from bot.clock import Clock

log = logging.getLogger("tongxin.alarm")
JOB_ID = "reminders.wake"


class Alarm:
    def __init__(
        self,
        wake: Callable[[], Awaitable[object]],
        next_due: Callable[[], Awaitable[datetime | None]],
        tz: ZoneInfo,
        clock: Clock,
    ) -> None:
        self._wake = wake
        self._next_due = next_due
        self._clock = clock
        # Set after each ring has done its work, for whoever waits on one.
        self.rang = asyncio.Event()
        self.scheduler = AsyncIOScheduler(
            timezone=tz, jobstores={"default": MemoryJobStore()}, job_defaults={"coalesce": True}
        )

    async def start(self) -> None:
        self.scheduler.start()
        await self.arm()

    async def arm(self) -> datetime | None:
        due = await self._next_due()
        if due is None:
            if self.scheduler.get_job(JOB_ID):
                self.scheduler.remove_job(JOB_ID)
            return None
        # APScheduler waits on the wall clock; the app's clock may run apart
        # from it (a benchmark's), so the wait is measured on the app's.
        wait = due - self._clock.now()
        self.scheduler.add_job(
            self.ring,
            "date",
            run_date=datetime.now(UTC) + wait,
            id=JOB_ID,
            replace_existing=True,
            misfire_grace_time=None,
        )
        return due

    async def ring(self) -> None:
        try:
            await self._wake()
        except Exception:
            log.exception("reminder dispatch failed")
        self.rang.set()
        await self.arm()

    async def close(self) -> None:
        self.scheduler.shutdown(wait=False)
