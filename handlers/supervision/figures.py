"""The 督导 figures every page of the feature shows: units in view, their standings, the year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.view import parse_year
from bot.periods import THIS, Kind
from bot.roles import Actor
from bot.standing import Standing, standings
from storage.models import Unit
from storage.supervision import Cadence, MonthCounts, attendance, cadences, month_counts


@dataclass
class Figures:
    year: int
    today: date
    kinds: list[Cadence]
    counts: MonthCounts
    rows: list[Standing]

    @property
    def held(self) -> int:
        """Meetings the units in view held this year."""
        return sum(r.held_year for r in self.rows)

    @property
    def attendance(self) -> float | None:
        return attendance(
            sum(c.people_attended for r in self.rows for c in r.cells),
            sum(c.people_expected for r in self.rows for c in r.cells),
        )


def year_of(text: str, today: date) -> int:
    """The year a page asks for, this year when it names none; a bad one is a 404 page."""
    return parse_year(text) if text else today.year


async def units_in_view(session: AsyncSession, actor: Actor) -> list[tuple[int, str]]:
    """(id, name) of the units whose figures the visitor sees, by name."""
    stmt = select(Unit.id, Unit.name).order_by(Unit.name)
    if actor.scope is not None:
        stmt = stmt.where(Unit.id.in_(actor.scope))
    else:
        stmt = stmt.where(Unit.kind != "school")
    return [(uid, name) for uid, name in await session.execute(stmt)]


async def figures(
    session: AsyncSession, actor: Actor, units: list[tuple[int, str]], year: int, now: datetime
) -> Figures:
    tz = cast(ZoneInfo, now.tzinfo)
    today = now.date()
    kinds = await cadences(session)
    # An admin's view is every unit: no list of ids to send along.
    scope = None if actor.scope is None else {uid for uid, _ in units}
    counts = await month_counts(session, scope, year, kinds, tz)
    return Figures(year, today, kinds, counts, standings(units, kinds, counts, year, today))


def this_period(kind: str) -> str:
    return THIS.get(cast(Kind, kind), "")
