"""A school's dates: its terms (/提醒 学期) and the 廉政 calendar's settings (/廉政日历 设置).

Term dates are the county's when an admin sets them and a unit's own when its
secretary does; a unit without its own follows the county's. The 寒暑假 between
terms pause the quota nags of the meetings feature, which reads the same table,
and the county's give the days of the 寒暑假 廉政 reminders. Changing them
re-plans: the 廉政 calendar at once, everything else at the next tick.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.args import Args
from bot.context import Context
from bot.roles import Role
from handlers.reminders import cal, remind
from handlers.reminders import texts as t
from handlers.reminders.lianzheng import replan_calendar
from handlers.reminders.occasions import occasion_lines
from handlers.reminders.options import DUES, month_day, normalise, read_stored, to_stored
from schedules.lianzheng import GAOKAO
from schedules.terms import SchoolTerms
from storage.models import Unit
from storage.schedule import set_mark
from storage.school import (
    lianzheng_options,
    replace_terms,
    set_lianzheng_option,
    term_rows,
    terms_of,
)

_FULL_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


class TermsError(ValueError):
    pass


def read_terms(text: str) -> list[tuple[date, date]]:
    """Pairs of full dates, in the order written: each term's first and last day."""
    days = []
    for m in _FULL_DATE.finditer(normalise(text)):
        try:
            days.append(date(int(m[1]), int(m[2]), int(m[3])))
        except ValueError:
            raise TermsError(t.no_such_day(m[0])) from None
    if not days or len(days) % 2:
        raise TermsError(t.TERMS_ODD)
    terms = list(zip(days[::2], days[1::2], strict=True))
    try:
        SchoolTerms(terms)
    except ValueError:
        raise TermsError(t.TERMS_OVERLAP) from None
    return terms


def _scope(ctx: Context) -> tuple[bool, int | None]:
    """(known, unit): an admin sets the county's terms (None), a secretary their unit's."""
    if ctx.actor.is_admin:
        return True, None
    if ctx.group_unit_id is not None and ctx.actor.can_manage(ctx.group_unit_id):
        return True, ctx.group_unit_id
    units = ctx.actor.secretary_units
    return (True, next(iter(units))) if len(units) == 1 else (False, None)


async def _unit_name(session: AsyncSession, unit_id: int | None) -> str:
    unit = await session.get(Unit, unit_id) if unit_id is not None else None
    return unit.name if unit else ""


async def terms_summary(session: AsyncSession, unit_id: int | None) -> str:
    """The terms a unit follows (None: the county's) and the vacations between them."""
    rows = await term_rows(session)
    terms = terms_of(rows, unit_id)
    own = unit_id is not None and any(r.unit_id == unit_id for r in rows)
    vacations = [(v.kind, v.start, v.end) for v in SchoolTerms(terms).vacations]
    return t.terms_shown(await _unit_name(session, unit_id), terms, vacations, own)


async def county_vacations(session: AsyncSession) -> str:
    """The county's 寒暑假, in one line, for the calendar's settings."""
    terms = terms_of(await term_rows(session), None)
    return t.vacations_brief([(v.kind, v.start, v.end) for v in SchoolTerms(terms).vacations])


@remind.sub("terms", "学期", help=t.HELP_TERMS)
async def terms_cmd(ctx: Context, args: Args) -> None:
    known, unit_id = _scope(ctx)
    if not known:
        ctx.reply(t.TERMS_NO_UNIT)
        return
    if not args.text:
        ctx.reply(await terms_summary(ctx.session, unit_id))
        return
    name = await _unit_name(ctx.session, unit_id)
    if args.text in t.CLEAR_WORDS:
        await replace_terms(ctx.session, unit_id, [], ctx.actor.key, ctx.now)
        ctx.reply(t.terms_cleared(name))
    else:
        try:
            terms = read_terms(args.text)
        except TermsError as bad:
            ctx.reply(str(bad))
            return
        await replace_terms(ctx.session, unit_id, terms, ctx.actor.key, ctx.now)
        ctx.reply(t.terms_saved(name, len(terms)))
    # Quotas belong to the meetings feature: its planner runs at the next tick.
    await set_mark(ctx.session, "planned_on", "")
    if unit_id is None:
        await replan_calendar(ctx.runtime, ctx.session)


@cal.sub("settings", "设置", role=Role.ADMIN, help=t.HELP_SETTINGS)
async def settings_cmd(ctx: Context, args: Args) -> None:
    options = await lianzheng_options(ctx.session)
    what, value = args.first, args.text[len(args.first) :].strip()
    if not what:
        ctx.reply(
            t.settings_shown(
                read_stored(options.get("gaokao")) or GAOKAO,
                read_stored(options.get("zhongkao")),
                options.get("dangfei", "off"),
                await county_vacations(ctx.session),
                await occasion_lines(ctx.session, ctx.local_now.date()),
            )
        )
        return
    if what in ("中考", "高考"):
        key = "zhongkao" if what == "中考" else "gaokao"
        if value in t.OFF_WORDS and key == "zhongkao":
            await set_lianzheng_option(ctx.session, key, "", ctx.actor.key, ctx.now)
            ctx.reply(t.exam_saved(what, None))
        else:
            md = month_day(value)
            if md is None:
                ctx.reply(t.BAD_MONTH_DAY)
                return
            await set_lianzheng_option(ctx.session, key, to_stored(md), ctx.actor.key, ctx.now)
            ctx.reply(t.exam_saved(what, md))
    elif what == "党费" and t.DUES_WORDS.get(value) in DUES:
        dues = t.DUES_WORDS[value]
        await set_lianzheng_option(ctx.session, "dangfei", dues, ctx.actor.key, ctx.now)
        ctx.reply(t.dues_saved(dues))
    else:
        ctx.reply(t.SETTINGS_USAGE)
        return
    await replan_calendar(ctx.runtime, ctx.session)
