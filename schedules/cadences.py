"""Meeting quotas: "at least one 支部党员大会 a quarter", as data, and when to nag.

A quota is not a time (CALENDAR.md): the secretary is reminded, in the last
month of each period, on the 20th and on the period's last workday, while no
meeting of the kind is recorded for the period. What the plans ask for:

| cadence | period |
|---|---|
| 支委会, 党小组会, 主题党日, 教职工政治学习 | each month |
| 支部党员大会, 党课 | each quarter |
| 研究全面从严治党、党风廉政建设 | each half year |
| 研究意识形态工作 ("at least twice a year") | each half year, once in each |
| 党派人员座谈会 (twice a year) | 1–6月 (spring term's end), 7–9月 (before 中秋/国庆) |
| 组织生活会, 民主评议党员 (yearly) | 12月 to 次年2月, the usual season of the review |

Nags fall on regular workdays, Monday to Friday and no holiday (a 调休 Sunday
is worked, but nobody organises a meeting from it): a 20th on a weekend or
holiday moves to the next one, never past the period's last one. When the
school's term dates are given, nothing nags in 寒暑假: a nag day inside a
vacation moves to the first workday after it while the period lasts, else to
the last workday before it; a period wholly inside a vacation has none.
"""

from __future__ import annotations

import calendar as gregorian
from dataclasses import dataclass
from datetime import date, timedelta

from schedules.holidays import HolidayCalendar
from schedules.terms import SchoolTerms

NAG_DAY = 20

Window = tuple[int, int]
MONTHS: tuple[Window, ...] = tuple((m, m) for m in range(1, 13))
QUARTERS: tuple[Window, ...] = ((1, 3), (4, 6), (7, 9), (10, 12))
HALVES: tuple[Window, ...] = ((1, 6), (7, 12))


@dataclass(frozen=True)
class Cadence:
    """A kind of meeting and the periods that each need one.

    `windows` are (first month, last month); a last month before the first runs
    into the next year (12–2 is December to February). `aliases` are the words
    of a meeting's title that make it count.
    """

    key: str
    title: str
    aliases: tuple[str, ...]
    windows: tuple[Window, ...]


CADENCES: tuple[Cadence, ...] = (
    Cadence("dangyuan_dahui", "支部党员大会", ("党员大会",), QUARTERS),
    Cadence("zhiweihui", "支委会", ("支委会", "支部委员会"), MONTHS),
    Cadence("dangxiaozu", "党小组会", ("党小组会", "党小组"), MONTHS),
    Cadence("dangke", "党课", ("党课",), QUARTERS),
    Cadence("zhuti_dangri", "主题党日", ("主题党日",), MONTHS),
    Cadence("zhengzhi_xuexi", "教职工政治学习", ("政治学习",), MONTHS),
    Cadence("zuotanhui", "党派人员座谈会", ("座谈会",), ((1, 6), (7, 9))),
    Cadence("yishixingtai", "研究意识形态工作", ("意识形态",), HALVES),
    Cadence(
        "congyan_zhidang",
        "研究全面从严治党、党风廉政建设",
        ("全面从严治党", "从严治党", "党风廉政建设"),
        HALVES,
    ),
    Cadence("zuzhi_shenghuohui", "组织生活会", ("组织生活会",), ((12, 2),)),
    Cadence("minzhu_pingyi", "民主评议党员", ("民主评议",), ((12, 2),)),
)
BY_KEY = {c.key: c for c in CADENCES}


def cadence_for(title: str) -> Cadence | None:
    """The cadence a meeting or duty titled `title` counts for ("党员大会" → quarterly).

    The longest alias found wins, so "党小组会" is not taken for another kind.
    """
    found = [(len(alias), c) for c in CADENCES for alias in c.aliases if alias in title]
    return max(found, key=lambda pair: pair[0])[1] if found else None


@dataclass(frozen=True)
class Period:
    """One period of a cadence. `key` is unique within the cadence and at most 7
    characters: 2026-12 (a month), 2026-Q4, 2026-H2, 2026 (the year reviewed)."""

    cadence: str
    start: date
    end: date
    key: str


@dataclass(frozen=True)
class Nag:
    day: date
    period: Period
    last: bool  # the period's last chance


def _month_end(year: int, month: int) -> date:
    return date(year, month, gregorian.monthrange(year, month)[1])


def _period(cadence: Cadence, index: int, year: int) -> Period:
    first, last = cadence.windows[index]
    start = date(year, first, 1)
    end = _month_end(year + (1 if last < first else 0), last)
    n = len(cadence.windows)
    if n == 12:
        key = f"{year}-{first:02d}"
    elif n == 1:
        key = str(year)
    else:
        key = f"{year}-{'Q' if n == 4 else 'H'}{index + 1}"
    return Period(cadence.key, start, end, key)


def periods_between(cadence: Cadence, first: date, last: date) -> list[Period]:
    """The periods overlapping [first, last], in order."""
    found = []
    for year in range(first.year - 1, last.year + 1):
        for index in range(len(cadence.windows)):
            p = _period(cadence, index, year)
            if p.start <= last and p.end >= first:
                found.append(p)
    return sorted(found, key=lambda p: p.start)


def period_of(cadence: Cadence, day: date) -> Period | None:
    """The period holding `day`; None outside the cadence's season."""
    return next(iter(periods_between(cadence, day, day)), None)


def _regular(day: date, calendar: HolidayCalendar) -> bool:
    return day.weekday() < 5 and calendar.is_workday(day)


def _on_or_after(day: date, calendar: HolidayCalendar) -> date:
    while not _regular(day, calendar):
        day += timedelta(days=1)
    return day


def _on_or_before(day: date, calendar: HolidayCalendar) -> date:
    while not _regular(day, calendar):
        day -= timedelta(days=1)
    return day


def _out_of_vacation(
    day: date, period: Period, calendar: HolidayCalendar, terms: SchoolTerms
) -> date | None:
    vacation = terms.vacation_of(day)
    if vacation is None:
        return day
    after = _on_or_after(vacation.end + timedelta(days=1), calendar)
    if after <= period.end and terms.vacation_of(after) is None:
        return after
    before = _on_or_before(vacation.start - timedelta(days=1), calendar)
    if before >= period.start and terms.vacation_of(before) is None:
        return before
    return None


def nag_days(
    period: Period, calendar: HolidayCalendar, terms: SchoolTerms | None = None
) -> list[Nag]:
    """When to remind the secretary in `period` while nothing is recorded for it."""
    last = _on_or_before(period.end, calendar)
    twentieth = _on_or_after(date(period.end.year, period.end.month, NAG_DAY), calendar)
    wanted: list[date | None] = [twentieth, last] if twentieth < last else [last]
    if terms is not None:
        wanted = [d and _out_of_vacation(d, period, calendar, terms) for d in wanted]
    days = sorted({d for d in wanted if d is not None and period.start <= d <= period.end})
    return [Nag(d, period, d == days[-1]) for d in days]


def nags_between(
    cadence: Cadence,
    first: date,
    last: date,
    calendar: HolidayCalendar,
    terms: SchoolTerms | None = None,
) -> list[Nag]:
    """Every nag of `cadence` falling in [first, last], by day: what a planner wants."""
    return [
        nag
        for period in periods_between(cadence, first, last)
        for nag in nag_days(period, calendar, terms)
        if first <= nag.day <= last
    ]
