"""The periodic job that forgets old messages (storage/retention.py says what goes)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.outbox import PURGED
from bot.runtime import Runtime
from storage.retention import purge

log = logging.getLogger("tongxin.retention")

# A period in days needs no finer pass than daily.
INTERVAL = timedelta(days=1)


class Retention:
    """Forgets what is older than TONGXIN_RETENTION_DAYS, at most once a day of the
    app's clock (tests run every job at every tick), and at each start."""

    __name__ = "retention"

    def __init__(self) -> None:
        self._next: datetime | None = None

    async def __call__(self, rt: Runtime) -> None:
        now = rt.clock.now()
        if self._next is not None and now < self._next:
            return
        self._next = now + INTERVAL
        cutoff = now - timedelta(days=rt.settings.retention_days)
        done = await purge(rt.db, cutoff, PURGED, now)
        if done:
            log.info(
                "retention: forgot %d inbound keys, %d conversations, %d outbox messages, "
                "%d unconfirmed uploads; wiped %d kept as counts",
                done.inbound,
                done.conversations,
                done.outbox,
                done.uploads,
                done.outbox_wiped,
            )
