"""The console's check-in pages: a unit's year of meetings, the 台账 grid, one meeting.

The numbers and the grid come from `checkin_ledger` (the same functions as the
chat summary and the XLSX), so the page, the chat and the file always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.svg import Bar, bar_chart
from bot.console.view import (
    ConsoleView,
    Forbidden,
    NotFound,
    export_url,
    managed,
    parse_id,
    parse_year,
)
from bot.roles import Actor
from handlers.checkin import feature
from handlers.checkin import texts as t
from handlers.checkin.ledger import (
    Meeting,
    build_checkin_ledger,
    file_name,
    people_sheet,
    year_meetings,
)
from storage import checkin as store
from storage.checkin import LATE, LEAVE, PRESENT, Checkin
from storage.models import Unit


async def _units(session: AsyncSession, actor: Actor) -> list[Unit]:
    stmt = select(Unit).order_by(Unit.id)
    if not actor.is_admin:
        stmt = stmt.where(Unit.id.in_(actor.secretary_units))
    return list(await session.scalars(stmt))


async def _unit(session: AsyncSession, actor: Actor, ref: str) -> Unit:
    unit = await session.get(Unit, parse_id(ref))
    if unit is None:
        raise NotFound(ref)
    if not actor.can_manage(unit.id):
        raise Forbidden(ref)
    return unit


def _year(view: ConsoleView) -> int:
    ref = view.query.get("year", "")
    if not ref:
        return view.now.astimezone(view.tz).year
    return parse_year(ref)


@dataclass(frozen=True)
class Tally:
    checkin: Checkin
    expected: int
    attended: int
    late: int
    leave: int

    @property
    def absent(self) -> int:
        return self.expected - self.attended - self.leave

    def bars(self) -> list[Bar]:
        base = self.expected or 1
        return [
            Bar(label, n, 100 * n / base)
            for label, n in (
                (t.ATTENDED, self.attended),
                (t.LATE, self.late),
                (t.LEAVE, self.leave),
                (t.ABSENT, self.absent),
            )
        ]


def _tally(m: Meeting) -> Tally:
    late = len(m.of(LATE))
    return Tally(m.checkin, m.expected, len(m.of(PRESENT)) + late, late, len(m.of(LEAVE)))


@feature.page("checkins", t.TITLE)
async def checkins_page(view: ConsoleView) -> web.StreamResponse:
    if view.rest:
        return await _meeting(view, view.int_param("rest"))
    units = await _units(view.session, view.actor)
    if not units:
        return view.render("checkins.html", title=t.TITLE, t=t, units=[], unit=None)
    ref = view.query.get("unit", "")
    unit = await _unit(view.session, view.actor, ref) if ref else units[0]
    year = _year(view)
    meetings = await year_meetings(view.session, unit.id, year, view.tz)
    return view.render(
        "checkins.html",
        title=t.heading(unit.name, year),
        t=t,
        units=units,
        unit=unit,
        year=year,
        rows=[_tally(m) for m in meetings],
        grid=people_sheet(meetings, view.tz) if meetings else [],
        download=export_url("checkin", unit=unit.id, year=year),
    )


async def _meeting(view: ConsoleView, checkin_id: int) -> web.StreamResponse:
    ck = await managed(view.session, Checkin, checkin_id, view.actor)
    m = Meeting(ck, [row for _, row in await store.entries_of(view.session, [ck.id])])
    row = _tally(m)
    chart = bar_chart(row.bars(), title=t.CHART, unit=t.PEOPLE)
    day = ck.opened_at.astimezone(view.tz).strftime("%Y-%m-%d")
    return view.render(
        "checkin.html",
        title=t.meeting_title(ck.title, day),
        t=t,
        ck=ck,
        row=row,
        chart=chart,
        attended=m.of(PRESENT) + m.of(LATE),
        late=m.of(LATE),
        leave=m.of(LEAVE),
        absent=m.of(""),
        outsiders=[r for r in m.rows if not r.expected],
    )


@feature.export("checkin")
async def export_ledger(
    session: AsyncSession, actor: Actor, params: dict[str, str], now: datetime
) -> tuple[str, bytes]:
    unit = await _unit(session, actor, params.get("unit", ""))
    year = parse_year(params.get("year", ""))
    return file_name(unit.name, year), await build_checkin_ledger(session, unit.id, year)
