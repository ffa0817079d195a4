"""How each unit stands against its meeting cadences: held, due and missed, and attendance.

Pure arithmetic over the meetings `storage.supervision.held_meetings` found;
the 督导 pages and the console's workbench both read it, so they never
disagree. A period is met when it held `per_period` meetings of the kind;
the current period is "due" until it is met, and a period that ended unmet
is "missed".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, cast

from bot.periods import Kind, Period, elapsed, period_of, periods_of_year
from storage.supervision import Cadence, Held, attendance

Status = Literal["held", "due", "missed"]


@dataclass
class Cell:
    """One unit's standing on one cadence in one year."""

    cadence: Cadence
    # The period in view: the one holding today, or a past year's last.
    current: Period
    held_now: int
    held_year: int
    expected_year: int
    missed: list[Period]
    meetings: list[Held] = field(default_factory=list)

    @property
    def expected_now(self) -> int:
        return self.cadence.per_period

    @property
    def status(self) -> Status:
        if self.held_now >= self.cadence.per_period:
            return "held"
        return "missed" if self.current in self.missed else "due"

    @property
    def attendance(self) -> float | None:
        return attendance(self.meetings)


@dataclass
class Standing:
    unit_id: int
    name: str
    cells: list[Cell]

    @property
    def missed(self) -> int:
        return sum(len(c.missed) for c in self.cells)

    @property
    def behind(self) -> bool:
        return self.missed > 0

    @property
    def held_year(self) -> int:
        return sum(c.held_year for c in self.cells)

    @property
    def expected_year(self) -> int:
        return sum(c.expected_year for c in self.cells)

    @property
    def attendance(self) -> float | None:
        return attendance([m for c in self.cells for m in c.meetings])


def _kind(cadence: Cadence) -> Kind:
    return cast(Kind, cadence.period)


def standings(
    units: Iterable[tuple[int, str]],
    kinds: Sequence[Cadence],
    held: Iterable[Held],
    year: int,
    today: date,
) -> list[Standing]:
    """Each unit's cells, one per cadence, for `year` as it stands on `today`."""
    by_cell: dict[tuple[int, int], list[Held]] = defaultdict(list)
    for h in held:
        if h.day.year == year:
            by_cell[(h.unit_id, h.cadence_id)].append(h)
    out = []
    for unit_id, name in units:
        cells = []
        for cadence in kinds:
            kind = _kind(cadence)
            begun = elapsed(kind, year, today) or periods_of_year(kind, year)[:1]
            current = period_of(kind, today) if today.year == year else begun[-1]
            meetings = sorted(by_cell.get((unit_id, cadence.id), []), key=lambda h: h.day)
            count = {p: sum(1 for m in meetings if m.day in p) for p in begun}
            ended = [p for p in begun if p.end <= today]
            cells.append(
                Cell(
                    cadence,
                    current,
                    count.get(current, 0),
                    len(meetings),
                    len(elapsed(kind, year, today)) * cadence.per_period,
                    [p for p in ended if count[p] < cadence.per_period],
                    meetings,
                )
            )
        out.append(Standing(unit_id, name, cells))
    return out


def monthly_attendance(held: Iterable[Held], year: int) -> list[tuple[int, float | None]]:
    """(month, attendance %) for each month of `year`; None for a month with no meeting."""
    by_month: dict[int, list[Held]] = defaultdict(list)
    for h in held:
        if h.day.year == year:
            by_month[h.day.month].append(h)
    return [(month, attendance(by_month.get(month, []))) for month in range(1, 13)]
