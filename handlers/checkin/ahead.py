"""Leave asked ahead for a scheduled meeting: `请假 周五的支委会 出差`.

The meeting is one of the next planned starts (the meetings' firings) of
this group, or of the person's units in direct chat, named by its title,
by a day ("周五的会"), or both. The request is kept and counts when a
check-in of that meeting's day opens (ops.open_checkin).
"""

from __future__ import annotations

import re

from bot.context import Context
from handlers.checkin import ops
from handlers.checkin import texts as t
from schedules.timeparse import TimeParseError, parse_when
from storage import checkin as store
from storage.people import units_of
from storage.reminders import Upcoming, upcoming_meetings

# "的会" / "会议" with no title: any meeting of that day.
_ANY_MEETING = re.compile(r"的?(?:会议|会)$")
_NEXT = ("", "下次", "下一次", "下回", "最近的", "最近")
_SPLIT = re.compile(r"[\s,]+")


async def next_meetings(ctx: Context, limit: int = 10) -> list[Upcoming]:
    """The next planned meetings of this group, or of the sender's units in direct chat."""
    if ctx.in_group:
        target = f"{ctx.platform}:{ctx.chat_id}"
        return await upcoming_meetings(ctx.session, ctx.now, target=target, limit=limit)
    units = {u.id for u in await units_of(ctx.session, ctx.actor.person_id)}
    if not units:
        return []
    return await upcoming_meetings(ctx.session, ctx.now, unit_ids=units, limit=limit)


def _when_matches(ctx: Context, when: str, up: Upcoming) -> bool:
    when = when.rstrip("的")
    if when in _NEXT:
        return True
    try:
        day = parse_when(when, ctx.now, tz=ctx.tz).at.date()
    except TimeParseError:
        return False
    return day == up.starts_at.astimezone(ctx.tz).date()


def find_meeting(ctx: Context, ref: str, upcoming: list[Upcoming]) -> Upcoming | None:
    """The meeting `ref` names ("周五的支委会", "下次支委会", "明天的会"), soonest first."""
    for up in upcoming:
        title = up.meeting.title
        if title and title in ref:
            when = ref.replace(title, "", 1)
        elif _ANY_MEETING.search(ref):
            when = _ANY_MEETING.sub("", ref)
            if when in _NEXT:
                # "请假 的会" names no day: too vague to guess.
                continue
        else:
            continue
        if _when_matches(ctx, when, up):
            return up
    return None


async def leave_ahead(ctx: Context, text: str) -> bool:
    """Record leave for the meeting `text` starts with; False when it names none."""
    parts = _SPLIT.split(text.strip(), maxsplit=1)
    ref, rest = parts[0], parts[1] if len(parts) > 1 else ""
    if not ref:
        return False
    upcoming = await next_meetings(ctx, limit=20)
    found = find_meeting(ctx, ref, upcoming)
    if found is None:
        return False
    when = ops.clock(found.starts_at, ctx.now, ctx.tz)
    title = found.meeting.title
    if not rest:
        ctx.reply(t.ahead_needs_reason(title, when))
        return True
    await store.ask_leave_ahead(
        ctx.session,
        found.meeting.id,
        found.starts_at.astimezone(ctx.tz).date(),
        title,
        ctx.actor.person_id,
        ctx.typed(rest),
        ctx.now,
    )
    ctx.reply(t.ahead_noted(title, when))
    return True
