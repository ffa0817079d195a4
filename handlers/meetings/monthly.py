"""Monthly duties ("at least once a month": 政治学习) that nag until one is recorded.

A quota, not a time (CALENDAR.md): the secretary is reminded in direct chat on
the 20th and on the last workday of each month while the month has no record.
A record is `/会议 已开 政治学习`, or a meeting of that name starting (the
meetings feature emits "meeting.held").
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.args import Args
from bot.context import Context
from bot.events import MeetingHeld
from bot.scheduler import PUSH_AT, late_note, replan
from bot.timers import JobContext, PlanRequest
from handlers.meetings import feature, meeting_cmd, monthly_timer
from handlers.meetings import texts as t
from schedules.holidays import HolidayCalendar
from schedules.planner import HORIZON, load_calendar
from storage.reminders import MonthlyDone, MonthlyItem
from storage.schedule import Planned
from storage.upsert import insert_for, on_conflict

NAG_DAY = 20


def _unit(ctx: Context) -> int | None:
    if ctx.group_unit_id is not None:
        return ctx.group_unit_id
    units = ctx.actor.secretary_units
    return next(iter(units)) if len(units) == 1 else None


def _month(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


async def _item(session: AsyncSession, unit_id: int, title: str) -> MonthlyItem | None:
    return await session.scalar(
        select(MonthlyItem).where(MonthlyItem.unit_id == unit_id, MonthlyItem.title == title)
    )


async def record(session: AsyncSession, item_id: int, month: str, by: str, now: datetime) -> None:
    stmt = insert_for(session, MonthlyDone.__table__).values(  # type: ignore[arg-type]
        item_id=item_id, month=month, recorded_by=by, recorded_at=now
    )
    await session.execute(on_conflict(stmt, ["item_id", "month"]))


@meeting_cmd.sub("monthly", "每月", help=t.HELP_MONTHLY)
async def add_item(ctx: Context, args: Args) -> None:
    title = ctx.typed(args.text) or t.DEFAULT_TITLE
    unit_id = _unit(ctx)
    if unit_id is None:
        ctx.reply(t.NO_UNIT)
        return
    if await _item(ctx.session, unit_id, title) is not None:
        ctx.reply(t.already(title))
        return
    item = MonthlyItem(
        unit_id=unit_id,
        title=title,
        platform=ctx.platform,
        user_id=ctx.incoming.sender_id,
        created_at=ctx.now,
    )
    ctx.session.add(item)
    await ctx.session.flush()
    calendar = await load_calendar(ctx.session)
    plan = plan_item(item, calendar, ctx.now, ctx.now + HORIZON, ctx.tz)
    await replan(ctx.runtime, ctx.session, monthly_timer, {item.id: plan})
    ctx.reply(t.monthly_created(title))


@meeting_cmd.sub("held", "已开", help=t.HELP_HELD)
async def held(ctx: Context, args: Args) -> None:
    title = ctx.typed(args.text) or t.DEFAULT_TITLE
    unit_id = _unit(ctx)
    item = await _item(ctx.session, unit_id, title) if unit_id is not None else None
    if item is None:
        ctx.reply(t.unknown(title))
        return
    month = _month(ctx.local_now.date())
    await record(ctx.session, item.id, month, ctx.actor.key, ctx.now)
    ctx.reply(t.recorded(title, month))


@feature.on(MeetingHeld)
async def meeting_held(job: JobContext, event: MeetingHeld) -> None:
    if event.unit_id is None:
        return
    items = await job.session.scalars(
        select(MonthlyItem).where(MonthlyItem.unit_id == event.unit_id)
    )
    month = _month(job.now.astimezone(job.tz).date())
    for item in items:
        if item.title in event.title:
            await record(job.session, item.id, month, "meeting", job.now)


def plan_item(
    item: MonthlyItem, calendar: HolidayCalendar, start: datetime, end: datetime, tz: Any
) -> list[Planned]:
    planned: dict[datetime, Planned] = {}
    month = start.astimezone(tz).date().replace(day=1)
    while month <= end.astimezone(tz).date():
        following = (month + timedelta(days=32)).replace(day=1)
        last_workday = calendar.previous_workday(following)
        for day, last in ((month.replace(day=NAG_DAY), False), (last_workday, True)):
            at = datetime.combine(day, PUSH_AT, tz)
            if start <= at <= end:
                data = {"month": _month(month), "last": last}
                planned[at] = monthly_timer.planned(item.id, at, at, data=data)
        month = following
    return list(planned.values())


@monthly_timer.planner
async def plan_items(p: PlanRequest) -> dict[int, list[Planned]]:
    items = await p.session.scalars(select(MonthlyItem))
    return {i.id: plan_item(i, p.calendar, p.start, p.end, p.tz) for i in items}


@monthly_timer.handler
async def nag(job: JobContext, item_id: int) -> None:
    occ = job.firing
    item = await job.session.get(MonthlyItem, item_id)
    if item is None or occ is None:
        return
    month = str(occ.data["month"])
    done = await job.session.scalar(
        select(MonthlyDone.id).where(MonthlyDone.item_id == item.id, MonthlyDone.month == month)
    )
    if done is not None:
        return
    key = f"rem:{occ.source}:{occ.occurrence.isoformat()}"
    text = t.nag(item.title, month, bool(occ.data["last"])) + late_note(job)
    job.to_person(item.platform, item.user_id, text, key=key)
