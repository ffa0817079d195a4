"""A school's term dates, and the 寒暑假 between them.

A school gives its terms as (first day, last day) pairs; the days between one
term's end and the next one's start are a vacation: 寒假 when it begins in
December to February, 暑假 when it begins in June to August. Before the first
term given and after the last nothing is known, so nothing there is a vacation,
but the last term's end still says when the vacation after it begins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Literal

VacationKind = Literal["寒假", "暑假"]
_WINTER_MONTHS = (12, 1, 2)
_SUMMER_MONTHS = (6, 7, 8)


@dataclass(frozen=True)
class Term:
    start: date
    end: date


@dataclass(frozen=True)
class Vacation:
    kind: VacationKind
    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


class SchoolTerms:
    def __init__(self, terms: Iterable[Term | tuple[date, date]]) -> None:
        found = [t if isinstance(t, Term) else Term(*t) for t in terms]
        found.sort(key=lambda t: t.start)
        for term in found:
            if term.end < term.start:
                raise ValueError(f"a term ends before it starts: {term}")
        for before, after in pairwise(found):
            if after.start <= before.end:
                raise ValueError(f"terms overlap: {before} and {after}")
        self.terms = tuple(found)
        self.vacations = tuple(
            v
            for before, after in pairwise(found)
            if (v := _vacation(before.end + timedelta(days=1), after.start - timedelta(days=1)))
        )

    def vacation_of(self, day: date) -> Vacation | None:
        return next((v for v in self.vacations if day in v), None)

    def last_day_before(self, kind: VacationKind, year: int) -> date | None:
        """The last day of the term ending before the `kind` vacation of `year`'s school
        calendar: 寒假 beginning in December of the year before to February, 暑假 in
        June to August. A term's end is known before the next term's start is."""
        for term in self.terms:
            begins = term.end + timedelta(days=1)
            school_year = begins.year + (1 if begins.month == 12 else 0)
            if _kind(begins) == kind and school_year == year:
                return term.end
        return None


def _kind(begins: date) -> VacationKind | None:
    if begins.month in _WINTER_MONTHS:
        return "寒假"
    if begins.month in _SUMMER_MONTHS:
        return "暑假"
    # A gap at another time of year (a term split in two) is no 寒暑假.
    return None


def _vacation(start: date, end: date) -> Vacation | None:
    kind = _kind(start)
    return Vacation(kind, start, end) if kind and start <= end else None
