"""Calendar periods a meeting cadence counts in: months, quarters, half years, years.

All the period arithmetic of the 督导 figures and the console's workbench is
here and nowhere else, so a fuller cadence module can replace this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

Kind = Literal["month", "quarter", "half", "year"]
KINDS: tuple[Kind, ...] = ("month", "quarter", "half", "year")
MONTHS: dict[Kind, int] = {"month": 1, "quarter": 3, "half": 6, "year": 12}
# How a cadence's period is named on a page: "每月 1 次".
EVERY: dict[Kind, str] = {"month": "每月", "quarter": "每季度", "half": "每半年", "year": "每年"}
THIS: dict[Kind, str] = {"month": "本月", "quarter": "本季度", "half": "本半年", "year": "本年"}
_QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")


@dataclass(frozen=True)
class Period:
    start: date
    # The first day after it.
    end: date
    kind: Kind

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start.month}月"
        if self.kind == "quarter":
            return _QUARTERS[(self.start.month - 1) // 3]
        if self.kind == "half":
            return "上半年" if self.start.month == 1 else "下半年"
        return f"{self.start.year}年"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_of(kind: Kind, day: date) -> Period:
    """The period of `kind` that holds `day`."""
    size = MONTHS[kind]
    start = date(day.year, (day.month - 1) // size * size + 1, 1)
    return Period(start, _add_months(start, size), kind)


def periods_of_year(kind: Kind, year: int) -> list[Period]:
    size = MONTHS[kind]
    return [period_of(kind, date(year, month, 1)) for month in range(1, 13, size)]


def elapsed(kind: Kind, year: int, today: date) -> list[Period]:
    """The year's periods that have begun by `today`: all of a past year, none of a future one."""
    return [p for p in periods_of_year(kind, year) if p.start <= today]
