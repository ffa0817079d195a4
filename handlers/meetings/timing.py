"""When a meeting is: its (first) time, a range setting its length, and the holiday policy.

"下午三点到五点" or "15:30-17:00" (schedules.timeparse.parse_span) starts the
meeting at the first time and makes the second its end; what the parser notes
about the answer (a year skipped to find 2月29日, a day resting on estimated
holiday data) is said to the secretary before the next question.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.context import Context
from bot.conversation import Invalid
from handlers.meetings import texts as t
from schedules.holidays import HolidayCalendar
from schedules.planner import load_calendar
from schedules.recurrence import Policy
from schedules.timeparse import TimeParseError, parse_span

LONGEST = timedelta(hours=12)


class Timed(Protocol):
    duration: int


@dataclass(frozen=True)
class Reading:
    """A meeting's time as read: its start, its length in minutes when a range gave
    one (else 0), and what the parser notes about the answer."""

    start: datetime
    duration: int = 0
    notes: tuple[str, ...] = ()


def read_span(
    ctx: Context, text: str, calendar: HolidayCalendar, *, allow_past: bool = False
) -> Reading:
    """The meeting's time in `text` ("下周三15:30-17:00"); Invalid says why not."""
    try:
        span = parse_span(text, ctx.now, tz=ctx.tz, calendar=calendar, allow_past=allow_past)
    except TimeParseError as err:
        raise Invalid(err.reason) from None
    if not span.start.has_time:
        raise Invalid(t.NEED_TIME)
    duration = 0
    if span.end is not None:
        if not span.end.has_time:
            raise Invalid(t.NEED_END_TIME)
        length = span.end.at - span.start.at
        if length > LONGEST:
            raise Invalid(t.TOO_LONG)
        duration = int(length.total_seconds()) // 60
    notes = [w.note for w in (span.start, span.end) if w is not None and w.note]
    return Reading(span.start.at, duration, tuple(dict.fromkeys(notes)))


async def read_first(ctx: Context, text: str, data: Timed) -> datetime:
    """The flow's parser of the meeting's time; a range sets `data.duration` (minutes)."""
    found = read_span(ctx, text, await load_calendar(ctx.session))
    if found.duration:
        data.duration = found.duration
    for note in found.notes:
        ctx.reply(note)
    return found.start


# A flow's holiday answer (texts.POLICIES) as the policy and whether 调休
# weekends count as workdays to move to.
POLICIES: dict[str, tuple[Policy, bool]] = {
    "next": ("next", False),
    "skip": ("skip", False),
    "keep": ("keep", False),
    "previous": ("previous", False),
    "next_swapped": ("next", True),
}
