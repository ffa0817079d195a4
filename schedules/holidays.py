"""Statutory holidays and 调休 workdays of any year, from the best source at hand.

The sources, read in this order (CALENDAR.md):

1. the table an admin loads from the State Council notice (`parse_holiday_file`);
2. chinesecalendar, which knows 2004–2026 only and raises NotImplementedError
   for any other year;
3. an estimate: weekends plus the statutory days themselves, unshifted.

Nothing here raises NotImplementedError: a year nobody knows is estimated, and
`HolidayCalendar.source` / `HolidayPeriod.estimated` say so, so the caller can
send unshifted with a note and warn the admins.

A table may hold only part of a notice (an admin loads the 国庆 rows of 2027
first): the holidays it names are as loaded, the others are still estimated,
never turned into workdays, and `missing_holidays` names them. `to_load`
says which years' notices to ask the admins for on a given day: the current
year's while any of its missing holidays is still ahead (January included),
and the next year's from October on.

A holiday file is CSV (header optional; 类型 is 休/班 or holiday/workday; a date
may be a range `A~B`), for example::

    日期,类型,名称
    2027-10-01~2027-10-07,休,国庆节
    2027-09-26,班,国庆节

or JSON::

    [{"start": "2027-10-01", "end": "2027-10-07", "kind": "holiday", "name": "国庆节"},
     {"date": "2027-09-26", "kind": "workday", "name": "国庆节"}]

A 调休 workday carries the name of the holiday it pays for.
"""

from __future__ import annotations

import csv
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar

import chinese_calendar  # type: ignore[import-untyped, unused-ignore]
from lunar_python import Lunar  # type: ignore[import-untyped, unused-ignore]

Kind = Literal["holiday", "workday"]
Source = Literal["table", "library", "estimated"]

# From this month on, next year's missing notice is worth a warning.
WARN_FROM_MONTH = 10

# The seven holidays of 《全国年节及纪念日放假办法》, in calendar order.
STATUTORY_HOLIDAYS: tuple[str, ...] = (
    "元旦",
    "春节",
    "清明节",
    "劳动节",
    "端午节",
    "中秋节",
    "国庆节",
)

_ONE_DAY = timedelta(days=1)
_Raw = TypeVar("_Raw")


@dataclass(frozen=True)
class HolidayDay:
    day: date
    kind: Kind
    name: str


@dataclass(frozen=True)
class HolidayPeriod:
    """A run of consecutive rest days (weekends included) holding a statutory holiday.

    When two holidays share a run (中秋 inside 国庆, 2025: 10月1日–8日) each gets a
    period with the same start and end, as the State Council notice words it.
    """

    name: str
    start: date
    end: date
    estimated: bool


@dataclass(frozen=True)
class MissingNotice:
    """A year whose notice should be loaded, and the statutory holidays it lacks."""

    year: int
    holidays: tuple[str, ...]


# --- festivals ------------------------------------------------------------------


def _solar(solar: Any) -> date:
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def festival_dates(year: int) -> dict[str, date]:
    """春节, 清明, 端午 and 中秋 falling in the Gregorian `year`.

    春节 of year Y is lunar 1/1 of lunar year Y; 端午 and 中秋 are in non-leap
    months; 清明 is the day of the solar term (Beijing time).
    """
    return dict(_festival_dates(year))


@lru_cache(maxsize=256)
def _festival_dates(year: int) -> tuple[tuple[str, date], ...]:
    # lunar-python computes the whole year's solar terms for each of these.
    new_year = Lunar.fromYmd(year, 1, 1)
    return (
        ("春节", _solar(new_year.getSolar())),
        ("清明", _solar(new_year.getJieQiTable()["清明"])),
        ("端午", _solar(Lunar.fromYmd(year, 5, 5).getSolar())),
        ("中秋", _solar(Lunar.fromYmd(year, 8, 15).getSolar())),
    )


@lru_cache(maxsize=64)
def _estimated_rest_days(year: int) -> dict[date, str]:
    """The statutory days of the 2024 放假办法, which future notices build on.

    Since 2025 春节 is 除夕 to 初三 and 劳动节 is 5月1日–2日; older years are
    estimated the same way, as nothing in them is scheduled anew. 调休 cannot be
    guessed, so there is none.
    """
    festivals = festival_dates(year)
    days = {date(year, 1, 1): "元旦"}
    for offset in range(-1, 3):
        days[festivals["春节"] + timedelta(days=offset)] = "春节"
    days[festivals["清明"]] = "清明节"
    days[date(year, 5, 1)] = days[date(year, 5, 2)] = "劳动节"
    days[festivals["端午"]] = "端午节"
    for day in (1, 2, 3):
        days[date(year, 10, day)] = "国庆节"
    # After 国庆, so a 中秋 on 10月1日–3日 keeps its name and both holidays
    # show in the shared run.
    days[festivals["中秋"]] = "中秋节"
    return days


# --- names ----------------------------------------------------------------------

_LIBRARY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
}
# Admins write names the way people say them: 国庆, 五一, 中秋国庆 …
_ALIASES = (
    ("元旦", "元旦"),
    ("春节", "春节"),
    ("清明", "清明节"),
    ("劳动", "劳动节"),
    ("五一", "劳动节"),
    ("端午", "端午节"),
    ("中秋", "中秋节"),
    ("国庆", "国庆节"),
)


def _statutory_names(name: str | None) -> set[str]:
    if not name:
        return set()
    if name in _LIBRARY_NAMES:
        return {_LIBRARY_NAMES[name]}
    return {canonical for alias, canonical in _ALIASES if alias in name}


# --- the calendar ---------------------------------------------------------------


class _DayInfo(NamedTuple):
    rest: bool
    name: str | None
    estimated: bool


@cache
def _library_covers(year: int) -> bool:
    try:
        chinese_calendar.get_holiday_detail(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _estimated_day(day: date) -> _DayInfo:
    name = _estimated_rest_days(day.year).get(day)
    return _DayInfo(day.weekday() >= 5 or name is not None, name, True)


def _find_periods(info: Callable[[date], _DayInfo], year: int) -> list[HolidayPeriod]:
    """Periods of the runs of rest days that end in `year`.

    Ending, not starting: 元旦 2024 ran from 2023-12-30, and belongs to 2024.
    """
    periods: list[HolidayPeriod] = []
    run: list[_DayInfo] = []
    day = date(year - 1, 12, 1)
    while day.year <= year or run:
        current = info(day)
        if current.rest:
            run.append(current)
        elif run:
            end = day - _ONE_DAY
            if end.year == year:
                start = end - timedelta(days=len(run) - 1)
                estimated = any(d.estimated for d in run)
                names = set().union(*(_statutory_names(d.name) for d in run))
                periods += [HolidayPeriod(name, start, end, estimated) for name in names]
            run = []
        day += _ONE_DAY
    return periods


def _notice_year(row: HolidayDay) -> int:
    if row.day.month == 12 and "元旦" in _statutory_names(row.name):
        return row.day.year + 1
    return row.day.year


def _ordered(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(names), key=STATUTORY_HOLIDAYS.index))


class HolidayCalendar:
    """Workdays and holiday periods of any year.

    `table` rows win day by day. The table covers a year when it holds that year's
    notice: a row dated in the year, except a December 元旦 row, which belongs to
    the next year's notice (元旦 2024 began on 2023-12-30) and must not pass the
    rest of December's year off as known. In a covered year chinesecalendar does
    not know, the table may be partial: a holiday it names is as loaded (the
    days around it are plain weekdays and weekends), a holiday it does not name
    is estimated; in a year the library knows, the other days come from it.
    """

    def __init__(self, table: Iterable[HolidayDay] = ()) -> None:
        self._table = {row.day: row for row in table}
        self._table_years = {_notice_year(row) for row in self._table.values()}
        self._named: dict[int, set[str]] = {}
        for row in self._table.values():
            self._named.setdefault(_notice_year(row), set()).update(_statutory_names(row.name))
        self._periods: dict[int, list[HolidayPeriod]] = {}

    def source(self, year: int) -> Source:
        if year in self._table_years:
            return "table"
        if _library_covers(year):
            return "library"
        return "estimated"

    def is_workday(self, day: date) -> bool:
        return not self._info(day).rest

    def next_workday(self, day: date) -> date:
        """The first workday strictly after `day`."""
        day += _ONE_DAY
        while not self.is_workday(day):
            day += _ONE_DAY
        return day

    def previous_workday(self, day: date) -> date:
        """The last workday strictly before `day`."""
        day -= _ONE_DAY
        while not self.is_workday(day):
            day -= _ONE_DAY
        return day

    def missing_years(self, from_year: int, to_year: int) -> list[int]:
        """Years in from_year..to_year (both included) with neither table nor library data."""
        return [y for y in range(from_year, to_year + 1) if self.source(y) == "estimated"]

    def missing_holidays(self, year: int) -> tuple[str, ...]:
        """The statutory holidays of `year` known only by estimate, in calendar order.

        All seven for a year nobody knows, none for a year of the library, and
        for a year of the table alone those its rows do not name.
        """
        source = self.source(year)
        if source == "library":
            return ()
        named = self._named.get(year, set()) if source == "table" else set()
        return tuple(name for name in STATUTORY_HOLIDAYS if name not in named)

    def is_estimated(self, day: date) -> bool:
        """Whether what this calendar says of `day` is a guess a notice may change."""
        return self._info(day).estimated

    def to_load(self, today: date, warn_from_month: int = WARN_FROM_MONTH) -> list[MissingNotice]:
        """The notices worth asking the admins for on `today`.

        This year's while one of its estimated holidays has not ended (so the
        warning goes on through January, when 春节 is still to come), and next
        year's from `warn_from_month` on.
        """
        wanted: list[MissingNotice] = []
        missing = set(self.missing_holidays(today.year))
        ahead = [
            p.name for p in self.holiday_periods(today.year) if p.name in missing and p.end >= today
        ]
        if ahead:
            wanted.append(MissingNotice(today.year, _ordered(ahead)))
        if today.month >= warn_from_month:
            following = self.missing_holidays(today.year + 1)
            if following:
                wanted.append(MissingNotice(today.year + 1, following))
        return wanted

    def holiday_periods(self, year: int) -> list[HolidayPeriod]:
        """The statutory holiday periods ending in `year`, by start date.

        A holiday the known data of a year leaves out is absent (清明, 端午 and 中秋
        were not holidays before 2008), except in a table-only year, where the
        table may be incomplete: there the estimate fills it in.
        """
        if year not in self._periods:
            periods = _find_periods(self._info, year)
            if self.source(year) == "table" and not _library_covers(year):
                known = {p.name for p in periods}
                periods += [p for p in _find_periods(_estimated_day, year) if p.name not in known]
            periods.sort(key=lambda p: (p.start, STATUTORY_HOLIDAYS.index(p.name)))
            self._periods[year] = periods
        return list(self._periods[year])

    def _info(self, day: date) -> _DayInfo:
        row = self._table.get(day)
        if row is not None:
            return _DayInfo(row.kind == "holiday", row.name, False)
        if _library_covers(day.year):
            rest, name = chinese_calendar.get_holiday_detail(day)
            return _DayInfo(bool(rest), name, False)
        if day.year in self._table_years:
            estimate = _estimated_day(day)
            if estimate.name is not None and estimate.name not in self._named[day.year]:
                return estimate
            return _DayInfo(day.weekday() >= 5, None, False)
        return _estimated_day(day)


# --- holiday files --------------------------------------------------------------


class HolidayFileError(ValueError):
    """A holiday file with bad rows; `problems` holds (line number or None, reason)."""

    def __init__(self, problems: list[tuple[int | None, str]]) -> None:
        self.problems = problems
        lines = [f"第{line}行：{why}" if line else why for line, why in problems]
        super().__init__("放假安排文件有误：\n" + "\n".join(lines))


class _RowError(Exception):
    pass


_KINDS: dict[str, Kind] = {
    "休": "holiday",
    "假": "holiday",
    "放假": "holiday",
    "休息": "holiday",
    "holiday": "holiday",
    "班": "workday",
    "上班": "workday",
    "补班": "workday",
    "workday": "workday",
}
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
_RANGE = re.compile(r"\s*(?:~|至)\s*")
# A range longer than the longest holiday ever given (春节 2020: 10 days) plus
# slack is a typo in a year or month, not a holiday.
_LONGEST_RANGE = 31
_WEEKDAYS = "一二三四五六日"


def _parse_date(text: str) -> date:
    match = _DATE.fullmatch(text.strip())
    if not match:
        raise _RowError(f"看不懂日期“{text}”，请写成 2027-10-01")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise _RowError(f"没有“{text}”这一天") from None


def _days(start_text: str, end_text: str | None) -> list[date]:
    start = _parse_date(start_text)
    end = start if end_text is None else _parse_date(end_text)
    if end < start:
        raise _RowError(f"结束日期 {end} 早于开始日期 {start}")
    if (end - start).days >= _LONGEST_RANGE:
        raise _RowError(f"{start} 至 {end} 超过 {_LONGEST_RANGE} 天，请检查年份和月份")
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _row(dates: list[date], kind_text: str, name: str) -> list[HolidayDay]:
    kind = _KINDS.get(kind_text.strip().lower())
    if kind is None:
        raise _RowError(f"类型“{kind_text}”应为 休 或 班（holiday 或 workday）")
    name = name.strip()
    if not name:
        raise _RowError("缺少名称（如 国庆节）")
    for day in dates:
        # A weekday is a workday anyway; a "班" on one is almost always 休/班 swapped.
        if kind == "workday" and day.weekday() < 5:
            raise _RowError(f"{day} 是星期{_WEEKDAYS[day.weekday()]}，本来就上班，不必写“班”")
    return [HolidayDay(day, kind, name) for day in dates]


def _csv_lines(text: str) -> Iterator[tuple[int, list[str]]]:
    header_possible = True
    for number, raw in enumerate(text.splitlines(), 1):
        # NFKC turns full-width digits, commas and ～ into their ASCII twins.
        line = unicodedata.normalize("NFKC", raw).strip()
        if not line or line.startswith("#"):
            continue
        cells = [cell.strip() for cell in next(csv.reader([line.replace("\t", ",")]))]
        # Spreadsheets append empty columns.
        while len(cells) > 3 and not cells[-1]:
            cells.pop()
        if header_possible and cells[0].lower() in ("日期", "date"):
            header_possible = False
            continue
        header_possible = False
        yield number, cells


def _csv_row(cells: list[str]) -> list[HolidayDay]:
    if len(cells) != 3:
        raise _RowError(f"应有 3 列（日期,类型,名称），这一行有 {len(cells)} 列")
    when, kind, name = cells
    start, *rest = _RANGE.split(when)
    if len(rest) > 1:
        raise _RowError(f"看不懂日期范围“{when}”，请写成 2027-10-01~2027-10-07")
    return _row(_days(start, rest[0] if rest else None), kind, name)


def _json_items(text: str) -> Iterator[tuple[int, object]]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        raise HolidayFileError([(error.lineno, f"JSON 格式错误：{error.msg}")]) from None
    if not isinstance(items, list):
        raise HolidayFileError([(1, "JSON 文件应是一个列表 [ {…}, {…} ]")])
    # json.loads forgets where things were; walking the (valid) text again with
    # raw_decode gives each item's line for the error messages.
    decoder = json.JSONDecoder()
    position = text.index("[") + 1
    for item in items:
        while text[position] in " \t\r\n,":
            position += 1
        yield text.count("\n", 0, position) + 1, item
        position = decoder.raw_decode(text, position)[1]


def _json_row(item: object) -> list[HolidayDay]:
    if not isinstance(item, dict):
        raise _RowError('每一项应是一个对象，如 {"date": …, "kind": …, "name": …}')
    fields = {key: value for key, value in item.items() if isinstance(value, str)}
    if "date" in fields:
        dates = _days(fields["date"], None)
    elif "start" in fields and "end" in fields:
        dates = _days(fields["start"], fields["end"])
    else:
        raise _RowError("缺少 date，或 start 和 end")
    return _row(dates, fields.get("kind", ""), fields.get("name", ""))


def _collect(
    rows: Iterable[tuple[int, _Raw]], parse: Callable[[_Raw], list[HolidayDay]]
) -> list[HolidayDay]:
    problems: list[tuple[int | None, str]] = []
    first_line: dict[date, int] = {}
    days: list[HolidayDay] = []
    for number, raw in rows:
        try:
            parsed = parse(raw)
        except _RowError as error:
            problems.append((number, str(error)))
            continue
        repeated = [d.day for d in parsed if d.day in first_line]
        if repeated:
            problems.append((number, f"{repeated[0]} 已在第{first_line[repeated[0]]}行出现"))
            continue
        first_line |= {d.day: number for d in parsed}
        days += parsed
    if not days and not problems:
        problems.append((None, "文件里没有任何日期"))
    if problems:
        raise HolidayFileError(problems)
    return sorted(days, key=lambda d: d.day)


def _read(source: str | os.PathLike[str]) -> str:
    if isinstance(source, str) and ("\n" in source or not os.path.isfile(source)):
        return source
    data = Path(source).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Chinese Windows saves CSV as GBK.
        return data.decode("gb18030")


def parse_holiday_file(path_or_text: str | os.PathLike[str]) -> list[HolidayDay]:
    """The days of a holiday file (see the module docstring), sorted by date.

    A path (or a one-line string naming an existing file) is read, as UTF-8 or
    GBK; any other string is the content. Every bad row is reported at once, by
    line number, in a HolidayFileError.
    """
    text = _read(path_or_text).lstrip("\ufeff")
    if text.lstrip().startswith(("[", "{")):
        return _collect(_json_items(text), _json_row)
    return _collect(_csv_lines(text), _csv_row)
