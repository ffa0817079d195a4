"""Meeting quotas ("a 支部党员大会 each quarter") that nag the secretary until one is recorded.

A quota is not a time (CALENDAR.md). `/会议 每月 <名称>` makes one for the unit
with the cadence the plans give its kind (schedules.cadences: 党员大会 and 党课
each quarter, 组织生活会 once in its December–February season; a kind they do
not name is monthly). `/会议 每季度 党课` (每半年, 每年) is the same command
when the word is the kind's cadence; a bare `/会议 每月` asks which duty. The
secretary who set it is told in direct chat on the nag days of each period —
the 20th and the last workday of the period's last month, on regular workdays,
never in the unit's 寒暑假 when term dates are set (`/提醒 学期`) — while the
period has no record. A record is `/会议 已开 <名称>`, or a meeting of that
kind starting (MeetingHeld), for the period of that day.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.args import Args
from bot.context import Context
from bot.events import MeetingHeld
from bot.scheduler import PUSH_AT, late_note, replan
from bot.timers import JobContext, PlanRequest
from handlers.meetings import feature, meeting_cmd, quota_timer
from handlers.meetings import texts as t
from schedules.cadences import BY_KEY, MONTHS, Cadence, cadence_for, nags_between, period_of
from schedules.holidays import HolidayCalendar
from schedules.planner import HORIZON, load_calendar
from schedules.recurrence_texts import period_label
from schedules.terms import SchoolTerms
from storage.reminders import MonthlyDone, MonthlyItem
from storage.schedule import Planned
from storage.school import SchoolTerm, term_rows, terms_of
from storage.upsert import insert_for, on_conflict


def cadence_of(item: MonthlyItem) -> Cadence:
    """The item's cadence; a duty the plans do not name is monthly, by its own title."""
    return BY_KEY.get(item.cadence) or Cadence("", item.title, (item.title,), MONTHS)


def _unit(ctx: Context) -> int | None:
    if ctx.group_unit_id is not None:
        return ctx.group_unit_id
    units = ctx.actor.secretary_units
    return next(iter(units)) if len(units) == 1 else None


async def _find(session: AsyncSession, unit_id: int, title: str) -> MonthlyItem | None:
    """The unit's quota called `title`, or else the one of the same cadence."""
    items = list(await session.scalars(select(MonthlyItem).where(MonthlyItem.unit_id == unit_id)))
    named = next((i for i in items if i.title == title), None)
    cadence = cadence_for(title)
    if named is not None or cadence is None:
        return named
    return next((i for i in items if i.cadence == cadence.key), None)


async def record(session: AsyncSession, item_id: int, period: str, by: str, now: datetime) -> None:
    stmt = insert_for(session, MonthlyDone.__table__).values(  # type: ignore[arg-type]
        item_id=item_id, month=period, recorded_by=by, recorded_at=now
    )
    await session.execute(on_conflict(stmt, ["item_id", "month"]))


def _terms(rows: Sequence[SchoolTerm], unit_id: int | None) -> SchoolTerms | None:
    found = terms_of(rows, unit_id)
    return SchoolTerms(found) if found else None


# `/会议 每季度 党课` is the same command: the cadence is still the kind's, and a
# word saying another one is answered, never taken for it.
_EVERY_WORDS = ("每季度", "每半年", "每年")
_SAID = re.compile(r"\S+\s+(每季度|每半年|每年)(?:\s|$)")


def _said_every(ctx: Context) -> str:
    """The cadence word the command was given with ("每季度"), "" for 每月 or 定期."""
    found = _SAID.match(ctx.incoming.text.strip())
    return found[1] if found else ""


@meeting_cmd.sub("monthly", "每月", help=t.HELP_MONTHLY, aliases=("quota", "定期", *_EVERY_WORDS))
async def add_item(ctx: Context, args: Args) -> None:
    title = ctx.typed(args.text)
    if not title:
        # Which duty is not guessed: 党员大会 and 政治学习 keep different times.
        ctx.reply(t.QUOTA_USAGE)
        return
    cadence = cadence_for(title)
    said = _said_every(ctx)
    if said:
        windows = cadence.windows if cadence else MONTHS
        if not t.cadence_label(windows).startswith(said):
            ctx.reply(t.other_cadence(title, said, windows))
            return
    unit_id = _unit(ctx)
    if unit_id is None:
        ctx.reply(t.NO_UNIT)
        return
    found = await _find(ctx.session, unit_id, title)
    if found is not None:
        ctx.reply(t.already(found.title))
        return
    item = MonthlyItem(
        unit_id=unit_id,
        title=title,
        cadence=cadence.key if cadence else "",
        platform=ctx.platform,
        user_id=ctx.incoming.sender_id,
        created_at=ctx.now,
    )
    ctx.session.add(item)
    await ctx.session.flush()
    calendar = await load_calendar(ctx.session)
    terms = _terms(await term_rows(ctx.session), unit_id)
    plan = plan_item(item, calendar, terms, ctx.now, ctx.now + HORIZON, ctx.tz)
    await replan(ctx.runtime, ctx.session, quota_timer, {item.id: plan})
    ctx.reply(t.quota_created(title, cadence_of(item).windows))


@meeting_cmd.sub("held", "已开", help=t.HELP_HELD)
async def held(ctx: Context, args: Args) -> None:
    title = ctx.typed(args.text)
    if not title:
        ctx.reply(t.HELD_USAGE)
        return
    unit_id = _unit(ctx)
    item = await _find(ctx.session, unit_id, title) if unit_id is not None else None
    if item is None:
        ctx.reply(t.unknown(title))
        return
    cadence = cadence_of(item)
    period = period_of(cadence, ctx.local_now.date())
    if period is None:
        ctx.reply(t.out_of_season(item.title, cadence.windows))
        return
    await record(ctx.session, item.id, period.key, ctx.actor.key, ctx.now)
    ctx.reply(t.recorded(item.title, period_label(period.key)))


def counts_for(item: MonthlyItem, title: str) -> bool:
    """Whether a meeting titled `title` is one of the item's kind."""
    if not item.cadence:
        return item.title in title
    found = cadence_for(title)
    return found is not None and found.key == item.cadence


@feature.on(MeetingHeld)
async def meeting_held(job: JobContext, event: MeetingHeld) -> None:
    if event.unit_id is None:
        return
    items = await job.session.scalars(
        select(MonthlyItem).where(MonthlyItem.unit_id == event.unit_id)
    )
    today = job.now.astimezone(job.tz).date()
    for item in items:
        period = period_of(cadence_of(item), today)
        if period is not None and counts_for(item, event.title):
            await record(job.session, item.id, period.key, "meeting", job.now)


def plan_item(
    item: MonthlyItem,
    calendar: HolidayCalendar,
    terms: SchoolTerms | None,
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
) -> list[Planned]:
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    planned = []
    for nag in nags_between(cadence_of(item), first, last, calendar, terms):
        at = datetime.combine(nag.day, PUSH_AT, tz)
        if start <= at <= end:
            data = {"period": nag.period.key, "last": nag.last}
            planned.append(quota_timer.planned(item.id, at, at, data=data))
    return planned


@quota_timer.planner
async def plan_items(p: PlanRequest) -> dict[int, list[Planned]]:
    items = await p.session.scalars(select(MonthlyItem))
    rows = await term_rows(p.session)
    return {
        i.id: plan_item(i, p.calendar, _terms(rows, i.unit_id), p.start, p.end, p.tz) for i in items
    }


@quota_timer.handler
async def nag(job: JobContext, item_id: int) -> None:
    occ = job.firing
    item = await job.session.get(MonthlyItem, item_id)
    if item is None or occ is None:
        return
    # Rows planned before quotas had cadences name their month.
    period = str(occ.data.get("period") or occ.data["month"])
    done = await job.session.scalar(
        select(MonthlyDone.id).where(MonthlyDone.item_id == item.id, MonthlyDone.month == period)
    )
    if done is not None:
        return
    key = f"rem:{occ.source}:{occ.occurrence.isoformat()}"
    text = t.nag(item.title, period, period_label(period), bool(occ.data["last"]))
    job.to_person(item.platform, item.user_id, text + late_note(job), key=key)
