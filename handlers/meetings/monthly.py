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
from bot.runtime import Runtime
from bot.scheduler import PUSH_AT, late_note, replan
from bot.timers import JobContext
from handlers.meetings import feature, meeting
from handlers.meetings import monthly_texts as t
from schedules.holidays import HolidayCalendar
from schedules.planner import load_calendar
from storage.reminders import MonthlyDone, MonthlyItem, Planned, ReminderOccurrence
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


@meeting.sub("monthly", "每月", help="设置每月至少一次的学习（如 政治学习）")
async def add_item(ctx: Context, args: Args) -> None:
    title = args.text or t.DEFAULT_TITLE
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
    plan = plan_item(item, calendar, ctx.now, ctx.now + timedelta(days=60), ctx.tz)
    await replan(ctx.runtime, ctx.session, {_source(item): plan})
    ctx.reply(t.created(title))


@meeting.sub("held", "已开", help="记录本月已开（如 政治学习）")
async def held(ctx: Context, args: Args) -> None:
    title = args.text or t.DEFAULT_TITLE
    unit_id = _unit(ctx)
    item = await _item(ctx.session, unit_id, title) if unit_id is not None else None
    if item is None:
        ctx.reply(t.unknown(title))
        return
    month = _month(ctx.local_now.date())
    await record(ctx.session, item.id, month, ctx.actor.key, ctx.now)
    ctx.reply(t.recorded(title, month))


@feature.on("meeting.held")
async def meeting_held(job: JobContext, *, unit_id: int | None, title: str) -> None:
    if unit_id is None:
        return
    items = await job.session.scalars(select(MonthlyItem).where(MonthlyItem.unit_id == unit_id))
    month = _month(job.now.astimezone(job.runtime.settings.tz).date())
    for item in items:
        if item.title in title:
            await record(job.session, item.id, month, "meeting", job.now)


def _source(item: MonthlyItem) -> str:
    return f"monthly:{item.id}"


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
                planned[at] = Planned(_source(item), at, 0, at, at, data=data)
        month = following
    return list(planned.values())


@feature.on("reminders.plan")
async def plan_items(
    session: AsyncSession, rt: Runtime, calendar: HolidayCalendar, start: datetime, end: datetime
) -> dict[str, list[Planned]]:
    items = await session.scalars(select(MonthlyItem))
    return {_source(i): plan_item(i, calendar, start, end, rt.settings.tz) for i in items}


@feature.on("reminder.monthly")
async def nag(job: JobContext, due: list[ReminderOccurrence]) -> None:
    for occ in due:
        item = await job.session.get(MonthlyItem, int(occ.ref))
        month = str(occ.data["month"])
        if item is None:
            continue
        done = await job.session.scalar(
            select(MonthlyDone.id).where(MonthlyDone.item_id == item.id, MonthlyDone.month == month)
        )
        if done is not None:
            continue
        key = f"rem:{occ.source}:{occ.occurrence.isoformat()}"
        text = t.nag(item.title, month, bool(occ.data["last"])) + late_note(job, occ)
        job.to_person(item.platform, item.user_id, text, key=key)
