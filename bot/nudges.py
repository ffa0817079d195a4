"""Nudges: "remind whoever has not answered X before its deadline", alike in every feature.

Polls, calls for feedback and check-ins nudge through a timer of their own
(bot.timers), declared `push=True` so it waits out the quiet hours: set it
with `nudge_before` at the moment to nudge, and answer it with a handler that
finds the non-responders then and messages them. This helper picks that
moment: `before` the deadline, never in the past, out of the quiet hours,
off :00 and :30.

    poll_nudge = feature.timer("poll.nudge", ref=int, push=True)
    await nudge_before(ctx.session, poll_nudge, poll.id, deadline,
                       now=ctx.now, settings=ctx.settings)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.timers import R, Timer
from schedules.planner import QuietHours, push_time

# A nudge closer to the deadline than this cannot be acted on.
MIN_NOTICE = timedelta(minutes=10)


async def nudge_before(
    session: AsyncSession,
    timer: Timer[R],
    ref: R,
    deadline: datetime,
    *,
    now: datetime,
    settings: Settings,
    before: timedelta = timedelta(days=1),
    min_notice: timedelta = MIN_NOTICE,
) -> datetime | None:
    """Set the nudge timer; when it will fire, or None when there is no time left for one.

    A deadline nearer than `before` is nudged halfway to it; one whose nudge
    would land less than `min_notice` before the deadline is not nudged.
    """
    at = deadline - before
    if at <= now:
        at = now + (deadline - now) / 2
    at = push_time(
        at, deadline, timer.source(ref), QuietHours.parse(settings.quiet_hours), settings.tz
    )
    if at <= now or deadline - at < min_notice:
        return None
    await timer.set(session, ref, at)
    return at
