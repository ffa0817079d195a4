"""Periodic jobs (sweeps, re-planning, recovery): each on its own, none holding back another.

A job that raises is reported through the app's error hooks and tried again
after a growing pause (its interval doubled per failure, at most
MAX_PAUSE); after ALERT_AFTER failures in a row the admins are told once,
and told nothing more until it has worked again. A job that hangs holds up
only itself: each runs in its own task.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot import texts
from bot.errors import Failure, alert_admins
from bot.feature import Job
from bot.runtime import Runtime

log = logging.getLogger("tongxin.jobs")

ALERT_AFTER = 5
MAX_PAUSE = timedelta(minutes=10)


@dataclass
class Periodic:
    interval: timedelta
    job: Job
    failures: int = 0
    alerted: bool = False

    @property
    def name(self) -> str:
        return getattr(self.job, "__name__", repr(self.job))

    def pause(self) -> float:
        """Seconds until the next run: the interval, longer after each failure in a row."""
        seconds: float = self.interval.total_seconds() * 2**self.failures
        return min(seconds, max(self.interval, MAX_PAUSE).total_seconds())


class Jobs:
    def __init__(self, rt: Runtime, jobs: Sequence[tuple[timedelta, Job]]) -> None:
        self.rt = rt
        self.periodic = [Periodic(interval, job) for interval, job in jobs]
        self._stopping = asyncio.Event()

    async def run_all(self) -> None:
        """Run every job once, now, one after another (tests, and the CLI)."""
        for p in self.periodic:
            await self.run(p)

    async def forever(self, p: Periodic) -> None:
        while not self._stopping.is_set():
            started = time.monotonic()
            await self.run(p)
            pause = max(0.0, p.pause() - (time.monotonic() - started))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), pause)

    def stop(self) -> None:
        """Let each job finish the run it is in, then end: a job cancelled inside its
        transaction leaves the connection pool a half-reset connection to log about."""
        self._stopping.set()

    async def run(self, p: Periodic) -> bool:
        try:
            await p.job(self.rt)
        except Exception as err:
            p.failures += 1
            await self.rt.errors.report(Failure("job", p.name, err, p.failures))
            if p.failures >= ALERT_AFTER and not p.alerted:
                p.alerted = await self._alert(p)
            return False
        p.failures, p.alerted = 0, False
        return True

    async def _alert(self, p: Periodic) -> bool:
        """Tell the admins once; False when even that failed (the next failure tries again)."""
        rt = self.rt
        try:
            async with rt.db.transaction() as session:
                key = f"job:{p.name}:{rt.clock.now().date().isoformat()}"
                outs = await alert_admins(
                    session, rt.settings.admins, key, texts.job_failing(p.name, p.failures)
                )
                await rt.send(session, outs)
        except Exception:
            log.exception("could not tell the admins that %s fails", p.name)
            return False
        return True
