"""/廉政日历: a group subscribes to the 廉政 calendar; admins edit its texts.

The calendar of each year (schedules.lianzheng, with the county's options and
own occasions: options.py) is planned as one row per entry, named by its key
and year so that a holiday notice loaded later moves the row instead of adding
one; at its time the row goes to every group subscribed then, worded by
schedules.lianzheng.message with the admins' templates. An entry that merges
into another day's message on a re-plan (the 中考 set to the day after the
高考) leaves its old row pending: every re-plan drops the pending rows of
entries the calendar no longer has.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.args import Args
from bot.context import Context
from bot.numbers import year_in
from bot.roles import Role
from bot.runtime import Runtime
from bot.scheduler import PUSH_AT, late_note, plan_request, replan
from bot.timers import JobContext, PlanRequest
from handlers.reminders import cal, lianzheng_timer
from handlers.reminders import texts as t
from handlers.reminders.options import calendar_options
from schedules import lianzheng_texts
from schedules.lianzheng import LianzhengEntry, lianzheng_calendar, message, render_calendar
from schedules.planner import load_calendar
from storage.reminders import CalendarSubscription, CalendarTemplate
from storage.schedule import PENDING, Firing, Planned


async def _templates(session: AsyncSession) -> dict[str, str]:
    return {r.key: r.text for r in await session.scalars(select(CalendarTemplate))}


async def _subscription(ctx: Context) -> CalendarSubscription | None:
    return await ctx.session.scalar(
        select(CalendarSubscription).where(
            CalendarSubscription.platform == ctx.platform,
            CalendarSubscription.chat_id == ctx.chat_id,
        )
    )


@cal.sub("on", "开启", role=Role.SECRETARY, help=t.HELP_ON)
async def on(ctx: Context, args: Args) -> None:
    if not ctx.in_group:
        ctx.reply(t.GROUP_ONLY)
        return
    if await _subscription(ctx) is not None:
        ctx.reply(t.ALREADY_ON)
        return
    ctx.session.add(
        CalendarSubscription(
            platform=ctx.platform,
            chat_id=ctx.chat_id,
            subscribed_by=ctx.actor.key,
            created_at=ctx.now,
        )
    )
    ctx.reply(t.ON)


@cal.sub("off", "关闭", role=Role.SECRETARY, help=t.HELP_OFF)
async def off(ctx: Context, args: Args) -> None:
    found = await _subscription(ctx) if ctx.in_group else None
    if found is None:
        ctx.reply(t.ALREADY_OFF)
        return
    await ctx.session.delete(found)
    ctx.reply(t.OFF)


@cal.sub("show", "查看", help=t.HELP_SHOW)
async def show(ctx: Context, args: Args) -> None:
    year = year_in(args.first) or ctx.local_now.year
    calendar = await load_calendar(ctx.session)
    options = await calendar_options(ctx.session)
    lines = render_calendar(lianzheng_calendar(year, calendar, options))
    subscribed = ctx.in_group and await _subscription(ctx) is not None
    ctx.reply(t.show(year, subscribed, lines))


@cal.sub("template", "模板", role=Role.ADMIN, help=t.HELP_TEMPLATE)
async def template(ctx: Context, args: Args) -> None:
    custom = await _templates(ctx.session)
    names = {key: name for name, key in t.TEMPLATE_NAMES.items()}
    if not args.first:
        ctx.reply(t.template_list([names[k] for k in custom if k in names]))
        return
    name = args.first
    key = t.TEMPLATE_NAMES.get(name)
    if key is None:
        ctx.reply(t.unknown_template(name))
        return
    text = ctx.typed(args.text[len(name) :])
    if not text:
        default = lianzheng_texts.DEFAULTS[key]
        ctx.reply(t.template_text(name, custom.get(key, default), key in custom))
        return
    if text in t.RESET_WORDS:
        await ctx.session.execute(delete(CalendarTemplate).where(CalendarTemplate.key == key))
        ctx.reply(t.template_reset(name))
        return
    try:
        text.format_map({"holiday": "国庆节"})
    except (KeyError, ValueError, IndexError, AttributeError):
        ctx.reply(t.BAD_TEMPLATE)
        return
    row = await ctx.session.get(CalendarTemplate, key)
    if row is None:
        ctx.session.add(
            CalendarTemplate(key=key, text=text, updated_by=ctx.actor.key, updated_at=ctx.now)
        )
    else:
        row.text, row.updated_by, row.updated_at = text, ctx.actor.key, ctx.now
    ctx.reply(t.template_saved(name))


@lianzheng_timer.planner
async def plan_calendar(p: PlanRequest) -> dict[str, list[Planned]]:
    options = await calendar_options(p.session)
    plans: dict[str, list[Planned]] = {}
    for year in range(p.start.astimezone(p.tz).year, p.end.astimezone(p.tz).year + 1):
        for entry in lianzheng_calendar(year, p.calendar, options):
            at = datetime.combine(entry.day, PUSH_AT, p.tz)
            ref = f"{entry.key}:{year}"
            # Whatever its day, the entry's slot in its year names the row.
            named = datetime(year, 1, 1, tzinfo=p.tz)
            plans[ref] = [_planned(ref, named, at, entry)] if p.start <= at <= p.end else []
    # A pending row of an entry the calendar no longer has (merged into another
    # day, an occasion deleted) is dropped: the plan of its source is empty.
    pending = await p.session.scalars(
        select(Firing.source).where(
            Firing.source.like(f"{lianzheng_timer.kind}:%"), Firing.state == PENDING
        )
    )
    for source in set(pending):
        plans.setdefault(source.partition(":")[2], [])
    return plans


async def replan_calendar(rt: Runtime, session: AsyncSession) -> None:
    """Plan the calendar again now (its options or own occasions changed)."""
    await replan(rt, session, lianzheng_timer, await plan_calendar(await plan_request(rt, session)))


def _planned(ref: str, named: datetime, at: datetime, entry: LianzhengEntry) -> Planned:
    data: dict[str, Any] = {
        "key": entry.key,
        "title": entry.title,
        "estimated": entry.estimated,
        "holidays": list(entry.holidays),
        "also": list(entry.also),
        "occasions": [[name, on.isoformat()] for name, on in entry.occasions],
        "notes": list(entry.notes),
        "day": entry.day.isoformat(),
    }
    # The row's event is its own sending: the nominal January 1 names it only.
    return lianzheng_timer.planned(ref, named, at, event_at=at, data=data)


def _entry(data: dict[str, Any]) -> LianzhengEntry:
    """The entry a row was planned from (rows planned before `also` and `notes` lack them)."""
    return LianzhengEntry(
        date.fromisoformat(data["day"]),
        data["key"],
        data["title"],
        data["estimated"],
        tuple(data["holidays"]),
        also=tuple(data.get("also", ())),
        occasions=tuple((name, date.fromisoformat(on)) for name, on in data.get("occasions", ())),
        notes=tuple(data.get("notes", ())),
    )


@lianzheng_timer.handler
async def fire(job: JobContext, ref: str) -> None:
    occ = job.firing
    assert occ is not None
    templates = await _templates(job.session)
    text = message(_entry(occ.data), templates) + late_note(job)
    for sub in await job.session.scalars(select(CalendarSubscription)):
        key = f"rem:{occ.source}:{sub.platform}:{sub.chat_id}"
        job.to_group(sub.platform, sub.chat_id, text, key=key)
