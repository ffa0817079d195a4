"""The admins' own 廉政 occasions: /廉政日历 添加 · 删除, and the console's form.

An occasion is a name, a date — solar or lunar, once or every year — how many
days ahead its reminder goes out, and its own text (schedules.lianzheng.Occasion).
"每年" makes it yearly; a year written, or none and no "每年", makes it a one-off
(the date's next coming). A lunar date says 农历, or names a lunar month (正月,
腊月) or day (初八).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.args import Args
from bot.context import Context
from bot.numbers import whole
from bot.roles import Role
from handlers.reminders import cal
from handlers.reminders import texts as t
from handlers.reminders.lianzheng import replan_calendar
from handlers.reminders.options import SaidDate, find_date, normalise, number
from schedules.festivals import lunar_to_solar
from schedules.lianzheng import Occasion
from storage.school import LianzhengOccasion, occasion_rows

MAX_NAME = 32
MAX_TEXT = 500
MAX_AHEAD = 30
_AHEAD = re.compile(r"\s*提前\s*(?P<n>[0-9〇零一二两三四五六七八九十廿]{1,3})\s*天\s*")


class OccasionError(ValueError):
    """An occasion that cannot be kept; the message says why, in Chinese."""


@dataclass(frozen=True)
class NewOccasion:
    name: str
    month: int
    day: int
    lunar: bool
    year: int | None
    ahead: int
    text: str

    def occasion(self, key: str) -> Occasion:
        return Occasion(
            key, self.name, self.month, self.day, self.lunar, self.year, self.text, self.ahead
        )


def _coming_year(said: SaidDate, today: date) -> int:
    """The (lunar, for a lunar date) year of the date's next coming."""
    for year in range(today.year - 1, today.year + 2):
        if said.lunar:
            if lunar_to_solar(year, said.month, said.day) >= today:
                return year
        elif Occasion("", "", said.month, said.day, year=year).dates_in(year)[0] >= today:
            return year
    return today.year + 1


def occasion_from(name: str, when: str, ahead: int, text: str, today: date) -> NewOccasion:
    """Check an occasion as given (in chat or on the console page)."""
    # The name and text are kept as typed; only the date is read.
    name, when, text = name.strip(), normalise(when), text.strip()
    said = find_date(when)
    if said is None or said.start or said.end != len(when):
        raise OccasionError(t.ADD_USAGE)
    if not name:
        raise OccasionError(t.NO_NAME)
    if len(name) > MAX_NAME:
        raise OccasionError(t.NAME_TOO_LONG)
    if len(text) > MAX_TEXT:
        raise OccasionError(t.TEXT_TOO_LONG)
    if not 0 <= ahead <= MAX_AHEAD:
        raise OccasionError(t.AHEAD_TOO_FAR)
    try:
        Occasion("own:new", name, said.month, said.day, said.lunar)
        if said.year is not None and not said.lunar:
            date(said.year, said.month, said.day)
    except ValueError:
        raise OccasionError(t.no_such_day(when)) from None
    year = None if said.every_year else said.year or _coming_year(said, today)
    return NewOccasion(name, said.month, said.day, said.lunar, year, ahead, text)


def split_occasion(text: str) -> tuple[str, str, int, str]:
    """ "招生工作 6月20日 提前3天 严守纪律" → (name, date, days ahead, text)."""
    text = normalise(text)
    said = find_date(text)
    if said is None:
        raise OccasionError(t.ADD_USAGE)
    rest = text[said.end :]
    ahead = 0
    found = _AHEAD.match(rest)
    if found is not None:
        ahead = number(found["n"]) or 0
        rest = rest[found.end() :]
    return text[: said.start], text[said.start : said.end], ahead, rest


def next_date(row: LianzhengOccasion, today: date) -> date | None:
    """When the occasion next comes, today included; None for a one-off gone by."""
    occasion = Occasion(f"own:{row.id}", row.name, row.month, row.day, row.lunar, row.year)
    found = [d for y in (today.year, today.year + 1) for d in occasion.dates_in(y) if d >= today]
    return min(found, default=None)


def when_label(row: LianzhengOccasion | NewOccasion) -> str:
    return t.occasion_when(row.month, row.day, row.lunar, row.year)


async def occasion_lines(session: AsyncSession, today: date) -> list[str]:
    return [
        t.occasion_line(r.id, r.name, when_label(r), r.ahead, r.text, next_date(r, today))
        for r in await occasion_rows(session)
    ]


def store(session: AsyncSession, new: NewOccasion, by: str, now: datetime) -> LianzhengOccasion:
    row = LianzhengOccasion(
        name=new.name,
        month=new.month,
        day=new.day,
        lunar=new.lunar,
        year=new.year,
        ahead=new.ahead,
        text=new.text,
        created_by=by,
        created_at=now,
    )
    session.add(row)
    return row


@cal.sub("add", "添加", role=Role.ADMIN, help=t.HELP_ADD)
async def add(ctx: Context, args: Args) -> None:
    if not args.text:
        lines = await occasion_lines(ctx.session, ctx.local_now.date())
        ctx.reply("\n".join([t.ADD_USAGE, *lines]))
        return
    try:
        new = occasion_from(*split_occasion(args.text), ctx.local_now.date())
    except OccasionError as bad:
        ctx.reply(str(bad))
        return
    row = store(ctx.session, new, ctx.actor.key, ctx.now)
    await ctx.session.flush()
    await replan_calendar(ctx.runtime, ctx.session)
    ctx.reply(t.occasion_added(row.name, when_label(row), next_date(row, ctx.local_now.date())))


@cal.sub("remove", "删除", role=Role.ADMIN, help=t.HELP_REMOVE)
async def remove(ctx: Context, args: Args) -> None:
    ref = whole(args.first)
    if ref is None:
        ctx.reply(t.REMOVE_USAGE)
        return
    row = await ctx.session.get(LianzhengOccasion, ref)
    if row is None:
        ctx.reply(t.unknown_occasion(args.first))
        return
    await ctx.session.delete(row)
    await ctx.session.flush()
    await replan_calendar(ctx.runtime, ctx.session)
    ctx.reply(t.occasion_removed(row.name))
