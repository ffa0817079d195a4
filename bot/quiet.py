"""Quiet hours for pushes: what nobody just asked for waits for the morning.

An answer to what a person just sent goes out at once, at any hour. A push —
a poll invitation, a reminder, results posted at a close, a call for
feedback — made inside the quiet hours (TONGXIN_QUIET_HOURS, 22:00–07:00 by
default) is held in the outbox until they end, a minute past the hour
(WeCom asks pushes to avoid :00 and :30). Timers declared `push=True` wait
out the quiet hours before they run; this is for the pushes a handler or a
non-push timer (a close) makes itself. An admin's broadcast is not held.

    hold(outs, ctx.now, ctx.settings)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.config import Settings
from bot.messages import Outgoing
from schedules.planner import QuietHours

JITTER = timedelta(minutes=1)


def morning(now: datetime, settings: Settings) -> datetime | None:
    """When the quiet hours holding `now` end (plus the jitter); None outside them."""
    quiet = QuietHours.parse(settings.quiet_hours)
    local = now.astimezone(settings.tz)
    if quiet is None or not quiet.contains(local):
        return None
    return quiet.ends(local) + JITTER


def hold(outs: Iterable[Outgoing], now: datetime, settings: Settings) -> None:
    """Hold these pushes until the morning if `now` is in the quiet hours."""
    until = morning(now, settings)
    if until is None:
        return
    for out in outs:
        out.not_before = until
