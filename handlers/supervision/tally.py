"""Closed check-ins are counted once, in the background, so the 督导 pages stay quick."""

from __future__ import annotations

from datetime import timedelta

from bot.runtime import Runtime
from handlers.supervision import feature
from storage.supervision import cadences, tally_closed

# Check-ins per transaction: the SQLite write lock is never held long.
BATCH = 1000


@feature.every(timedelta(minutes=5))
async def count_closed_checkins(rt: Runtime) -> None:
    while True:
        async with rt.db.transaction() as session:
            kinds = await cadences(session)
            counted = await tally_closed(session, rt.settings.tz, kinds, BATCH)
        if counted < BATCH:
            return
