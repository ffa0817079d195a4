"""Deadline nudges: "remind whoever has not answered X before its deadline".

Polls, calls for feedback and check-ins nudge through one-shot timers
(bot.timers): set one at the moment to nudge, answer it with a hook that
finds the non-responders then and messages them. This helper picks that
moment so every feature nudges alike: `before` the deadline, never in the
past, out of the quiet hours, off :00 and :30.

    await nudge_before(ctx.session, "poll.nudge", str(poll.id), deadline,
                       now=ctx.now, settings=ctx.settings)

    @feature.on("poll.nudge")
    async def nudge(job: JobContext, ref: str) -> None: ...
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.timers import set_timer
from schedules.planner import QuietHours, push_time

# A nudge closer to the deadline than this cannot be acted on.
MIN_NOTICE = timedelta(minutes=10)


async def nudge_before(
    session: AsyncSession,
    event: str,
    ref: str,
    deadline: datetime,
    *,
    now: datetime,
    settings: Settings,
    before: timedelta = timedelta(days=1),
) -> datetime | None:
    """Set the nudge timer; when it will fire, or None when there is no time left for one.

    A deadline nearer than `before` is nudged halfway to it; one whose nudge
    would land less than MIN_NOTICE before the deadline is not nudged.
    """
    at = deadline - before
    if at <= now:
        at = now + (deadline - now) / 2
    at = push_time(
        at, deadline, f"{event}|{ref}", QuietHours.parse(settings.quiet_hours), settings.tz
    )
    if at <= now or deadline - at < MIN_NOTICE:
        return None
    await set_timer(session, event, ref, at)
    return at
