"""/会议 新建 · 修改 · 删除 · 列表: a secretary arranges a meeting and who is reminded."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.args import Args
from bot.context import Context
from bot.conversation import Ask, Choose, Confirm, Flow, Invalid
from bot.numbers import whole
from bot.scheduler import replan
from handlers.meetings import feature, meeting_cmd, meeting_timer
from handlers.meetings import texts as t
from handlers.meetings.oneline import kind_of_title, split_line
from handlers.meetings.reminders import plan_meeting
from handlers.meetings.timing import POLICIES, read_first
from schedules.planner import HORIZON, load_calendar
from schedules.recurrence import KINDS, Kind, Workdays, build_rrule, repeat_label
from storage.models import ChatGroup
from storage.reminders import Meeting
from storage.schedule import PENDING, Firing

DEFAULT_OFFSETS = [1440, 60]
NEW_OPTIONS = {"地点": "place"}
_LOOKS_TIMED = re.compile(r"每|\d|周|星期|礼拜|[点号]")
# Cadence words left in the title of a one-off: the line's repeat was not read,
# and the time found elsewhere in it must not make the meeting a one-off (a
# repeat that was read may have a title like 每周例会).
_CADENCE = re.compile(r"每|月底|月末|季末|季度|半年|年底|年末|最后一")
MAX_OFFSET = 30 * 1440
_DURATION = re.compile(r"(\d+)\s*(天|日|小时|个小时|h|分钟|分|min|m)")
_UNIT_MINUTES = {"天": 1440, "日": 1440, "小时": 60, "个小时": 60, "h": 60}


class NewMeeting(BaseModel):
    # The meeting being edited, if any.
    edit: int | None = None
    kind: str = ""
    name: str = ""
    repeat: str = ""
    first: datetime | None = None
    place: str = ""
    groups: list[str] = []
    offsets: list[int] = []
    policy: str = ""
    confirm: bool | None = None
    # Minutes, when the time was given as a range ("下午3点到5点").
    duration: int = 0


async def _groups(ctx: Context, text: str, data: NewMeeting) -> list[str]:
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


def _kind(data: NewMeeting) -> Kind:
    kind = data.repeat
    assert kind in KINDS
    return kind


def _place(data: NewMeeting) -> str:
    return "" if data.place in t.NO_PLACE else data.place


def _title(data: NewMeeting) -> str:
    return data.name if data.kind == "other" else t.KINDS[data.kind]


def _repeat_text(data: NewMeeting, ctx: Context) -> str:
    assert data.first is not None
    end = data.first + timedelta(minutes=data.duration) if data.duration else None
    label = repeat_label(build_rrule(_kind(data), data.first, ctx.tz))
    return t.repeat_until(label, end.astimezone(ctx.tz) if end else None)


def _preview(ctx: Context, data: NewMeeting) -> str:
    return t.preview(
        _title(data), _repeat_text(data, ctx), _place(data), data.groups, data.offsets, data.policy
    )


async def _save(ctx: Context, data: NewMeeting) -> None:
    assert data.first is not None
    policy, swapped = POLICIES[data.policy]
    values: dict[str, Any] = {
        "title": _title(data),
        "rrule": build_rrule(_kind(data), data.first, ctx.tz),
        "place": _place(data),
        "offsets": data.offsets,
        "holiday_policy": policy,
        "swapped_workdays": swapped,
        "targets": data.groups,
    }
    if data.duration:
        values["duration_minutes"] = data.duration
    editing = data.edit
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
            creator_id=ctx.actor.person_id,
            created_at=ctx.now,
            **values,
        )
        ctx.session.add(m)
    await ctx.session.flush()
    calendar = await load_calendar(ctx.session)
    plan = plan_meeting(m, Workdays(calendar), ctx.now, ctx.now + HORIZON)
    await replan(ctx.runtime, ctx.session, meeting_timer, {m.id: plan})
    if editing is not None:
        ctx.reply(t.updated(m.id, m.title))
    else:
        ctx.reply(t.created(m.id, m.title, await _next_start(ctx.session, m, ctx)))


def _only_unit(ctx: Context) -> int | None:
    units = ctx.actor.secretary_units
    return next(iter(units)) if len(units) == 1 else None


new_meeting = feature.flow(
    Flow(
        "meeting.new",
        t.FLOW_NEW,
        NewMeeting,
        steps=[
            Choose("kind", t.ASK_KIND, t.KINDS),
            Ask("name", t.ASK_NAME, when=lambda d: d.kind == "other"),
            Choose("repeat", t.ASK_REPEAT, t.REPEATS),
            Ask("first", t.ASK_FIRST, parse=read_first),
            Ask("place", t.ASK_PLACE),
            Ask("groups", t.ASK_GROUPS, parse=_groups),
            Ask("offsets", t.ASK_OFFSETS, parse=lambda ctx, text, data: parse_offsets(text)),
            Choose("policy", t.ASK_POLICY, t.POLICIES, words=t.POLICY_WORDS),
            Confirm("confirm", _preview),
        ],
        on_done=_save,
    )
)


@meeting_cmd.sub("new", "新建", help=t.HELP_NEW, keywords=NEW_OPTIONS, examples=t.EXAMPLES_NEW)
async def new(ctx: Context, args: Args) -> None:
    """`/会议 新建` asks step by step; a one-line form fills the steps it names."""
    data = NewMeeting()
    holidays = await load_calendar(ctx.session)
    schedule, title = split_line(ctx, [ctx.typed(w) for w in args.positional], holidays)
    one_off = schedule is not None and schedule.repeat == "once"
    if (schedule is None and _LOOKS_TIMED.search(title)) or (one_off and _CADENCE.search(title)):
        # A time it could not read: never take it for the meeting's name.
        ctx.reply(t.ONE_LINE_HINT)
        schedule, title = None, ""
    if title:
        data.kind, data.name = kind_of_title(title)
    if schedule is not None:
        data.repeat, data.first = schedule.repeat, schedule.first
        data.duration = schedule.duration
        for note in schedule.notes:
            ctx.reply(note)
    place = args.get("place")
    if place and place != "true":
        data.place = ctx.typed(place)
    if schedule is not None and title:
        # A whole meeting in one line: the rest is what a secretary would pick.
        data.place = data.place or t.NO_PLACE[0]
        if ctx.in_group:
            data.groups = [f"{ctx.platform}:{ctx.chat_id}"]
        data.offsets = list(DEFAULT_OFFSETS)
        data.policy = schedule.policy
    await ctx.start(new_meeting, data)


async def _mine(ctx: Context, ref: str) -> Meeting | None:
    n = whole(ref)
    if n is None:
        ctx.reply(t.USAGE_ID)
        return None
    m = await ctx.session.get(Meeting, n)
    if m is None:
        ctx.reply(t.unknown_meeting(ref))
        return None
    if not ctx.actor.may_manage(m):
        ctx.reply(t.NOT_YOURS)
        return None
    return m


@meeting_cmd.sub("edit", "修改", help=t.HELP_EDIT)
async def edit(ctx: Context, args: Args) -> None:
    m = await _mine(ctx, args.first)
    if m is not None:
        await ctx.start(new_meeting, NewMeeting(edit=m.id))


@meeting_cmd.sub("delete", "删除", help=t.HELP_DELETE)
async def remove(ctx: Context, args: Args) -> None:
    m = await _mine(ctx, args.first)
    if m is None:
        return
    await meeting_timer.cancel(ctx.session, m.id)
    await ctx.session.delete(m)
    ctx.reply(t.deleted(m.id, m.title))


@meeting_cmd.sub("list", "列表", help=t.HELP_LIST)
async def listing(ctx: Context, args: Args) -> None:
    query = select(Meeting).order_by(Meeting.id)
    if not ctx.actor.is_admin:
        units = ctx.actor.secretary_units
        query = query.where(
            Meeting.unit_id.in_(units) | (Meeting.creator_id == ctx.actor.person_id)
        )
    meetings = list(await ctx.session.scalars(query))
    if not meetings:
        ctx.reply(t.NONE_YET)
        return
    lines = []
    for m in meetings:
        repeat = repeat_label(m.rrule)
        lines.append(
            t.list_line(m.id, m.title, repeat, m.place, await _next_start(ctx.session, m, ctx))
        )
    ctx.reply(t.listing(lines))


async def _next_start(session: AsyncSession, m: Meeting, ctx: Context) -> datetime | None:
    at = await session.scalar(
        select(Firing.event_at)
        .where(
            Firing.source == meeting_timer.source(m.id),
            Firing.offset_minutes == 0,
            Firing.state == PENDING,
        )
        .order_by(Firing.event_at)
        .limit(1)
    )
    return at.astimezone(ctx.tz) if at else None
