"""How each unit stands against its meeting cadences: held, due and missed, and attendance.

Pure arithmetic over the monthly counts `storage.supervision.month_counts`
found; the 督导 pages and the console's workbench both read it, so they never
disagree. A period is met when it held `per_period` meetings of the kind;
the current period is "due" until it is met, and a period that ended unmet
is "missed".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Literal, cast

from bot.periods import MONTHS, Kind, Period, elapsed, period_of, periods_of_year
from storage.supervision import Cadence, MonthCounts, attendance

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
    # 应到 and 实到 summed over the year's meetings of the kind.
    people_expected: int
    people_attended: int

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
        return attendance(self.people_attended, self.people_expected)


@dataclass
class Standing:
    # Figures asked for again and again (sorting hundreds of units) are cached.
    unit_id: int
    name: str
    cells: list[Cell]

    @cached_property
    def missed(self) -> int:
        return sum(len(c.missed) for c in self.cells)

    @property
    def behind(self) -> bool:
        return self.missed > 0

    @cached_property
    def held_year(self) -> int:
        return sum(c.held_year for c in self.cells)

    @cached_property
    def expected_year(self) -> int:
        return sum(c.expected_year for c in self.cells)

    @cached_property
    def attendance(self) -> float | None:
        return attendance(
            sum(c.people_attended for c in self.cells), sum(c.people_expected for c in self.cells)
        )


@dataclass(frozen=True)
class _Calendar:
    """A cadence's periods of the year as they stand on a day: computed once, not per unit."""

    # The periods begun by today (a future year: its first, to show something).
    begun: list[Period]
    current: Period
    # How many of `begun` are over, and how many are due by today.
    ended: int
    due: int

    @classmethod
    def of(cls, kind: Kind, year: int, today: date) -> _Calendar:
        due = elapsed(kind, year, today)
        begun = due or periods_of_year(kind, year)[:1]
        current = period_of(kind, today) if today.year == year else begun[-1]
        return cls(begun, current, sum(1 for p in begun if p.end <= today), len(due))


def _kind(cadence: Cadence) -> Kind:
    return cast(Kind, cadence.period)


def standings(
    units: Iterable[tuple[int, str]],
    kinds: Sequence[Cadence],
    counts: MonthCounts,
    year: int,
    today: date,
) -> list[Standing]:
    """Each unit's cells, one per cadence, for `year` (the counts' year) as it stands on `today`."""
    calendars = {k.id: _Calendar.of(_kind(k), year, today) for k in kinds}
    out = []
    for unit_id, name in units:
        cells = []
        for cadence in kinds:
            cal = calendars[cadence.id]
            size = MONTHS[_kind(cadence)]
            months = counts.get((unit_id, cadence.id), {})
            # Meetings per period, by the period's place in the year.
            held = [0] * (12 // size)
            people = [0, 0]
            for month, (n, e, a) in months.items():
                held[(month - 1) // size] += n
                people[0] += e
                people[1] += a
            need = cadence.per_period
            cells.append(
                Cell(
                    cadence,
                    cal.current,
                    held[(cal.current.start.month - 1) // size],
                    sum(held),
                    cal.due * need,
                    [p for i, p in enumerate(cal.begun[: cal.ended]) if held[i] < need],
                    people[0],
                    people[1],
                )
            )
        out.append(Standing(unit_id, name, cells))
    return out


def monthly_attendance(counts: MonthCounts, unit_ids: set[int]) -> list[tuple[int, float | None]]:
    """(month, attendance %) of these units for each month; None for a month with none."""
    expected = [0] * 13
    attended = [0] * 13
    for (unit_id, _), months in counts.items():
        if unit_id in unit_ids:
            for month, (_, e, a) in months.items():
                expected[month] += e
                attended[month] += a
    return [(m, attendance(attended[m], expected[m])) for m in range(1, 13)]
