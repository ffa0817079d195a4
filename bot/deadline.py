"""The one way a flow or a command reads a deadline a person typed.

    Ask("deadline", t.ASK_DEADLINE, parse=deadline(min_lead=timedelta(hours=1)))

A day with no hour ("下周五", "3天后") means the end of that day unless the
hour matters (`needs_time`, a check-in closing or a meeting starting). What
the person cannot act on in time (`min_lead`) is refused with a hint, and the
answer is always echoed back as an absolute time by `label`; what the reading
assumed (schedules.timeparse.When.note) is said at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from bot import texts
from bot.context import Context
from bot.conversation import Invalid
from schedules.timeparse import TimeParseError, When, format_when, parse_when

END_OF_DAY = time(23, 59)


def read_deadline(
    ctx: Context,
    text: str,
    *,
    min_lead: timedelta = timedelta(0),
    needs_time: bool = False,
    too_soon: str = "",
    time_hint: str = "",
) -> datetime:
    """`text` as an aware moment; raises Invalid with a hint the person can act on.

    A feature may word the two refusals its own way (`too_soon`, `time_hint`).
    """
    try:
        when = parse_when(text, ctx.now, tz=ctx.tz)
    except TimeParseError as err:
        raise Invalid(err.reason) from None
    if when.has_time:
        at = when.at
    elif needs_time:
        raise Invalid(time_hint or texts.DEADLINE_NEEDS_TIME)
    else:
        at = datetime.combine(when.at.date(), END_OF_DAY, ctx.tz)
    if at < ctx.now + min_lead:
        raise Invalid(too_soon or texts.deadline_too_soon(min_lead))
    if when.note:
        # What the reading took for granted (a year skipped for 2月29日, an
        # estimated holiday) is said before anything else.
        ctx.reply(when.note)
    return at


def deadline(
    *,
    min_lead: timedelta = timedelta(0),
    needs_time: bool = False,
    too_soon: str = "",
    time_hint: str = "",
) -> Callable[[Context, str, Any], datetime]:
    """A step's parser reading a deadline with these rules."""

    def parse(ctx: Context, text: str, data: Any) -> datetime:
        return read_deadline(
            ctx,
            text,
            min_lead=min_lead,
            needs_time=needs_time,
            too_soon=too_soon,
            time_hint=time_hint,
        )

    return parse


def label(at: datetime, now: datetime, tz: Any) -> str:
    """ "12月4日（周五）15:00", the echo of a deadline."""
    return format_when(When(at.astimezone(tz), True), now.astimezone(tz))
