"""/会议: recurring meetings (三会一课, 主题党日 …) and their reminders.

A meeting is an RRULE (schedules.recurrence), advance offsets and a holiday
policy; its firings are rows the reminder scheduler plans (handlers.reminders).
At a meeting's start the row of offset 0 fires "meeting.started" once per
group — the check-in feature opens a check-in on it — and "meeting.held",
which ticks off the month's 政治学习 (handlers.monthly).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.args import Args
from bot.context import Context
from bot.conversation import Ask, Choose, Confirm, Data, Flow, Invalid
from bot.feature import Feature
from bot.roles import Role
from bot.runtime import Runtime
from bot.scheduler import late_note, replan
from bot.timers import JobContext
from handlers.meetings import texts as t
from schedules.holidays import HolidayCalendar
from schedules.planner import HORIZON, load_calendar
from schedules.recurrence import (
    KINDS,
    Kind,
    Workdays,
    apply_policy,
    build_rrule,
    first_start,
    kind_of,
    nth_weekday,
    starts_between,
)
from schedules.timeparse import TimeParseError, parse_when
from storage.models import ChatGroup
from storage.reminders import Meeting, Planned, ReminderOccurrence, drop_pending

feature = Feature("meetings", __name__)
meeting = feature.command("meeting", "会议", help="安排会议与提醒", role=Role.SECRETARY)

DEFAULT_OFFSETS = [1440, 60]
MAX_OFFSET = 30 * 1440
_DURATION = re.compile(r"(\d+)\s*(天|日|小时|个小时|h|分钟|分|min|m)")
_UNIT_MINUTES = {"天": 1440, "日": 1440, "小时": 60, "个小时": 60, "h": 60}


# --- the flow -------------------------------------------------------------------------


def _first(ctx: Context, text: str, data: Data) -> str:
    try:
        when = parse_when(text, ctx.now, tz=ctx.tz)
    except TimeParseError as bad:
        raise Invalid(bad.reason) from None
    if not when.has_time:
        raise Invalid(t.NEED_TIME)
    return when.at.isoformat()


async def _groups(ctx: Context, text: str, data: Data) -> list[str]:
    if text in t.THIS_GROUP:
        if not ctx.in_group:
            raise Invalid(t.NOT_IN_GROUP)
        return [f"{ctx.platform}:{ctx.chat_id}"]
    ids = [part.strip() for part in re.split(r"[,，、\s]+", text) if part.strip()]
    rows = await ctx.session.execute(
        select(ChatGroup.chat_id, ChatGroup.unit_id).where(
            ChatGroup.platform == ctx.platform, ChatGroup.chat_id.in_(ids)
        )
    )
    known: dict[str, int | None] = {chat_id: unit_id for chat_id, unit_id in rows}
    missing = [i for i in ids if i not in known]
    if missing:
        raise Invalid(t.unknown_groups(missing))
    # A secretary reminds their own units' groups (and groups of no unit).
    foreign = [i for i in ids if known[i] is not None and not ctx.actor.can_manage(known[i])]
    if foreign:
        raise Invalid(t.foreign_groups(foreign))
    return [f"{ctx.platform}:{i}" for i in ids]


def parse_offsets(text: str) -> list[int]:
    """ "1天,1小时" → [1440, 60]; "默认" → the default."""
    if text.lower() in t.DEFAULT_WORDS:
        return list(DEFAULT_OFFSETS)
    found = _DURATION.findall(text)
    rest = _DURATION.sub("", text)
    if not found or re.sub(r"[,，、\s和及]", "", rest.replace("前", "").replace("提", "")):
        raise Invalid(t.BAD_OFFSETS)
    minutes = sorted({int(n) * _UNIT_MINUTES.get(unit, 1) for n, unit in found}, reverse=True)
    if minutes[0] > MAX_OFFSET or minutes[-1] <= 0:
        raise Invalid(t.BAD_OFFSETS)
    return minutes


def _kind(data: Data) -> Kind:
    kind = t.REPEATS[data["repeat"]]
    assert kind in KINDS
    return kind


def _place(data: Data) -> str:
    return "" if data["place"] in t.NO_PLACE else str(data["place"])


def _title(data: Data) -> str:
    return str(data["name"] if data["kind"] == t.OTHER else data["kind"])


def _repeat_text(data: Data, ctx: Context) -> str:
    first = datetime.fromisoformat(data["first"]).astimezone(ctx.tz)
    return t.repeat_label(t.REPEATS[data["repeat"]], first, nth_weekday(first))


def _preview(ctx: Context, data: Data) -> str:
    return t.preview(
        _title(data),
        _repeat_text(data, ctx),
        _place(data),
        data["groups"],
        data["offsets"],
        t.POLICIES[data["policy"]],
    )


async def _save(ctx: Context, data: Data) -> None:
    first = datetime.fromisoformat(data["first"])
    values: dict[str, Any] = {
        "title": _title(data),
        "rrule": build_rrule(_kind(data), first, ctx.tz),
        "place": _place(data),
        "offsets": data["offsets"],
        "holiday_policy": t.POLICIES[data["policy"]],
        "targets": data["groups"],
    }
    editing = data.get("edit")
    if editing is not None:
        found = await ctx.session.get(Meeting, int(editing))
        if found is None:
            ctx.reply(t.unknown_meeting(str(editing)))
            return
        m = found
        for name, value in values.items():
            setattr(m, name, value)
    else:
        m = Meeting(
            unit_id=ctx.group_unit_id or _only_unit(ctx),
            created_by=ctx.actor.key,
            created_at=ctx.now,
            **values,
        )
        ctx.session.add(m)
    await ctx.session.flush()
    calendar = await load_calendar(ctx.session)
    await replan(
        ctx.runtime,
        ctx.session,
        {_source(m): plan_meeting(m, calendar, ctx.now, ctx.now + HORIZON)},
    )
    if editing is not None:
        ctx.reply(t.updated(m.id, m.title))
    else:
        ctx.reply(t.created(m.id, m.title, await _next_start(ctx.session, m, ctx)))


def _only_unit(ctx: Context) -> int | None:
    units = ctx.actor.secretary_units
    return next(iter(units)) if len(units) == 1 else None


feature.flow(
    Flow(
        "meeting.new",
        "安排会议",
        steps=[
            Choose("kind", t.ASK_KIND, t.KINDS),
            Ask("name", t.ASK_NAME, when=lambda d: d.get("kind") == t.OTHER),
            Choose("repeat", t.ASK_REPEAT, list(t.REPEATS)),
            Ask("first", t.ASK_FIRST, parse=_first),
            Ask("place", t.ASK_PLACE),
            Ask("groups", t.ASK_GROUPS, parse=_groups),
            Ask("offsets", t.ASK_OFFSETS, parse=lambda ctx, text, data: parse_offsets(text)),
            Choose("policy", t.ASK_POLICY, list(t.POLICIES)),
            Confirm("confirm", _preview),
        ],
        on_done=_save,
    )
)


# --- commands -------------------------------------------------------------------------


@meeting.sub("new", "新建", help="安排会议（可重复）")
async def new(ctx: Context, args: Args) -> None:
    await ctx.runtime.router.conversations.start(ctx, "meeting.new")


async def _mine(ctx: Context, ref: str) -> Meeting | None:
    if not ref.isdigit():
        ctx.reply(t.USAGE_ID)
        return None
    m = await ctx.session.get(Meeting, int(ref))
    if m is None:
        ctx.reply(t.unknown_meeting(ref))
        return None
    if not (ctx.actor.can_manage(m.unit_id) or m.created_by == ctx.actor.key):
        ctx.reply(t.NOT_YOURS)
        return None
    return m


@meeting.sub("edit", "修改", help="修改会议安排（重新回答各项）")
async def edit(ctx: Context, args: Args) -> None:
    m = await _mine(ctx, args.first)
    if m is not None:
        await ctx.runtime.router.conversations.start(ctx, "meeting.new", {"edit": m.id})


@meeting.sub("delete", "删除", help="删除会议，不再提醒")
async def remove(ctx: Context, args: Args) -> None:
    m = await _mine(ctx, args.first)
    if m is None:
        return
    await drop_pending(ctx.session, _source(m))
    await ctx.session.delete(m)
    ctx.reply(t.deleted(m.id, m.title))


@meeting.sub("list", "列表", help="查看已安排的会议")
async def listing(ctx: Context, args: Args) -> None:
    query = select(Meeting).order_by(Meeting.id)
    if not ctx.actor.is_admin:
        units = ctx.actor.secretary_units
        query = query.where(Meeting.unit_id.in_(units) | (Meeting.created_by == ctx.actor.key))
    meetings = list(await ctx.session.scalars(query))
    if not meetings:
        ctx.reply(t.NONE_YET)
        return
    lines = []
    for m in meetings:
        first = first_start(m.rrule)
        repeat = t.repeat_label(kind_of(m.rrule), first, nth_weekday(first))
        lines.append(
            t.list_line(m.id, m.title, repeat, m.place, await _next_start(ctx.session, m, ctx))
        )
    ctx.reply(t.listing(lines))


async def _next_start(session: AsyncSession, m: Meeting, ctx: Context) -> datetime | None:
    at = await session.scalar(
        select(ReminderOccurrence.event_at)
        .where(
            ReminderOccurrence.source == _source(m),
            ReminderOccurrence.offset_minutes == 0,
            ReminderOccurrence.state == "pending",
        )
        .order_by(ReminderOccurrence.event_at)
        .limit(1)
    )
    return at.astimezone(ctx.tz) if at else None


# --- planning and firing --------------------------------------------------------------


def _source(m: Meeting) -> str:
    return f"meeting:{m.id}"


def plan_meeting(
    m: Meeting, calendar: HolidayCalendar | Workdays, start: datetime, end: datetime
) -> list[Planned]:
    """The firings of `m` due in [start, end]: each advance reminder and the start."""
    # A start shortly after `end` can have a reminder due before it, and a
    # start moved by the holiday policy can come from before `start`.
    ahead = timedelta(minutes=max(m.offsets, default=0))
    planned = []
    for nominal in starts_between(m.rrule, start - timedelta(days=15), end + ahead):
        actual = apply_policy(nominal, m.holiday_policy, calendar)
        if actual is None:
            continue
        for offset in [*m.offsets, 0]:
            due = actual - timedelta(minutes=offset)
            if start <= due <= end:
                planned.append(Planned(_source(m), nominal, offset, actual, due, push=offset > 0))
    return planned


@feature.on("reminders.plan")
async def plan_meetings(
    session: AsyncSession, rt: Runtime, calendar: HolidayCalendar, start: datetime, end: datetime
) -> dict[str, list[Planned]]:
    meetings = await session.scalars(select(Meeting))
    workdays = Workdays(calendar)
    return {_source(m): plan_meeting(m, workdays, start, end) for m in meetings}


@feature.on("reminder.meeting")
async def fire(job: JobContext, due: list[ReminderOccurrence]) -> None:
    ids = {int(occ.ref) for occ in due}
    meetings = {
        m.id: m for m in await job.session.scalars(select(Meeting).where(Meeting.id.in_(ids)))
    }
    for occ in due:
        m = meetings.get(int(occ.ref))
        if m is not None:
            await _fire_one(job, occ, m)


async def _fire_one(job: JobContext, occ: ReminderOccurrence, m: Meeting) -> None:
    tz = job.runtime.settings.tz
    for target in m.targets:
        platform, _, chat_id = target.partition(":")
        key = f"rem:{occ.source}:{occ.occurrence.isoformat()}:{occ.offset_minutes}:{target}"
        if occ.offset_minutes == 0:
            await job.runtime.emit(
                "meeting.started",
                job,
                platform=platform,
                chat_id=chat_id,
                title=m.title,
                unit_id=m.unit_id,
                ends_at=occ.event_at + timedelta(minutes=m.duration_minutes),
                key=key,
            )
            continue
        moved = occ.occurrence.astimezone(tz) if occ.occurrence != occ.event_at else None
        text = t.reminder(m.title, occ.event_at.astimezone(tz), m.place, moved)
        job.to_group(platform, chat_id, text + late_note(job, occ), key=key)
    if occ.offset_minutes == 0:
        await job.runtime.emit("meeting.held", job, unit_id=m.unit_id, title=m.title)


from handlers.meetings import monthly  # noqa: E402  (registers on `feature`)

__all__ = ["feature", "monthly"]
