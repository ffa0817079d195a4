"""The 廉政 calendar: which integrity reminder goes out on which day of a year.

The rules, and why:

- Dated occasions go out a set number of days ahead of their date, on the
  workday before when that day is a weekend or holiday (a message nobody reads
  on a Sunday organises nothing):
  - 党风廉政教育日 (5月10日) and 国际反腐败日 (12月9日): a week ahead, so that
    branches can organise 警示教育, and on the day;
  - 七一 (评选表彰 and 党员教育): a week ahead; 教师节 (9月10日, 廉洁从教), 高考
    (6月7日, or as configured) and the 中考 when the school gives its date: the
    day before;
  - 寒假 and 暑假 (有偿补课、收受家长财物): three days before the vacation begins,
    from the school's term dates, else from mid-January and early July;
  - 组织生活会 and 民主评议党员: in mid-December, as their season opens;
  - 党费: on the first workday of each month or quarter, when asked for;
  - an admin's own occasions (`Occasion`: one-off or yearly, solar or lunar).
- 节前廉政提醒 goes out on the last workday before each statutory holiday period
  (the whole run of rest days, an adjoining weekend included), counting 调休
  workdays: a 调休 Saturday can be the day. CALENDAR.md allows "the last workday
  or two"; one message is enough, and the last workday is when people leave and
  when gifts change hands.
- A themed reminder (新春贺“廉”, 清明话“清”, 端午颂“洁”, 中秋思“正”) goes out on the
  last workday before the holiday period holding its festival: it is about
  conduct during the festival, and that is the same day as the holiday's 节前
  reminder. If the festival is in no holiday period (清明, 端午 and 中秋 were not
  holidays before 2008) it goes out on the last workday before the festival.
- Reminders due on one day are one message, never two to the same group: the
  first occasion names it (`key`: a fixed day's on the day, else a theme, else
  any other, else "jieqian:<holidays>"), the others ride along (`also`), and the
  theme carries the 节前 points of its holiday and of any holiday sharing the
  day (中秋 inside 国庆 in 2025: "中秋思“正”暨国庆节前廉政提醒"); `holidays` lists
  whose 节前 points the message carries.
- The calendar of year Y lists the reminders sent in Y: the 节前 reminder for 元旦
  of Y+1 (late December of Y) is in it, the one for 元旦 of Y (December of Y-1)
  is not.
- `estimated` means the day may move once a State Council notice is loaded: the
  holiday period or the workdays before it were estimated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

from schedules import lianzheng_texts as texts
from schedules.festivals import lunar_to_solar
from schedules.holidays import (
    STATUTORY_HOLIDAYS,
    HolidayCalendar,
    festival_dates,
)
from schedules.terms import SchoolTerms, VacationKind

__all__ = [
    "CalendarOptions",
    "LianzhengEntry",
    "Occasion",
    "festival_dates",
    "lianzheng_calendar",
    "message",
    "render_calendar",
]

MonthDay = tuple[int, int]

# key: (month, day, days ahead, the occasion's name beside it in the listing)
_FIXED: dict[str, tuple[int, int, int, str]] = {
    "jiaoyuri_pre": (5, 10, 7, "党风廉政教育日"),
    "jiaoyuri": (5, 10, 0, "党风廉政教育日"),
    "qiyi": (7, 1, 7, "七一"),
    "jiaoshijie": (9, 10, 1, "教师节"),
    "fanfubai_pre": (12, 9, 7, "国际反腐败日"),
    "fanfubai": (12, 9, 0, "国际反腐败日"),
    "pingyi": (12, 15, 0, ""),
}
# The occasions that are their own day: they name a message they share.
_ON_THE_DAY = ("jiaoyuri", "fanfubai")
# key: (festival in festival_dates, the statutory holiday it belongs to)
_THEMES = {
    "chunjie": ("春节", "春节"),
    "qingming": ("清明", "清明节"),
    "duanwu": ("端午", "端午节"),
    "zhongqiu": ("中秋", "中秋节"),
}
# Without term dates: when 寒假 and 暑假 usually begin.
DEFAULT_VACATIONS: dict[VacationKind, MonthDay] = {"寒假": (1, 18), "暑假": (7, 8)}
_VACATION_KEYS: dict[VacationKind, str] = {"寒假": "hanjia", "暑假": "shujia"}
VACATION_AHEAD = 3
GAOKAO: MonthDay = (6, 7)


@dataclass(frozen=True)
class Occasion:
    """An admin's own dated occasion (a 招生 day, the school's 廉政 week …).

    `month`/`day` are lunar when `lunar` is set. `year` makes it a one-off in
    that (solar or lunar) year; without it the occasion comes every year. A
    day a month lacks (2月29日, a lunar 30th) is the month's last day. `key`
    names it in the calendar and must be unique: "own:<id>" of its row.
    """

    key: str
    name: str
    month: int
    day: int
    lunar: bool = False
    year: int | None = None
    text: str = ""
    ahead: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"no such month: {self.month}")
        # 2000 is a leap year: its months are the longest each can be.
        longest = 30 if self.lunar else _solar_day(2000, self.month, 31).day
        if not 1 <= self.day <= longest:
            raise ValueError(f"no such day: {self.month}/{self.day}")
        if self.ahead < 0:
            raise ValueError("ahead must not be negative")

    def dates_in(self, year: int) -> list[date]:
        """The occasion's own dates falling in the Gregorian `year`."""
        if not self.lunar:
            if self.year not in (None, year):
                return []
            return [_solar_day(year, self.month, self.day)]
        found = []
        for lunar_year in (year - 1, year):
            if self.year in (None, lunar_year):
                day = lunar_to_solar(lunar_year, self.month, self.day)
                if day.year == year:
                    found.append(day)
        return found


@dataclass(frozen=True)
class CalendarOptions:
    """What a school adds to the calendar: its term dates, its 中考, 党费, its own days."""

    terms: SchoolTerms | None = None
    gaokao: MonthDay = GAOKAO
    zhongkao: MonthDay | None = None
    party_dues: Literal["off", "monthly", "quarterly"] = "off"
    occasions: tuple[Occasion, ...] = ()


@dataclass(frozen=True)
class LianzhengEntry:
    day: date
    key: str
    title: str
    estimated: bool
    holidays: tuple[str, ...] = ()
    # Other occasions due the same day, carried by this message, by key.
    also: tuple[str, ...] = ()
    # (name, its own date) of the festivals and days the message is for.
    occasions: tuple[tuple[str, date], ...] = ()
    # The admins' texts of their own occasions in this message.
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Due:
    key: str
    holidays: tuple[str, ...]
    estimated: bool
    occasion: tuple[str, date] | None = None
    title: str = ""
    note: str = ""

    @property
    def rank(self) -> int:
        if self.key in _ON_THE_DAY:
            return 0
        if self.key in _THEMES:
            return 1
        return 3 if self.key == "jieqian" else 2


@dataclass
class _Plan:
    year: int
    holidays: HolidayCalendar
    due: defaultdict[date, list[_Due]] = field(default_factory=lambda: defaultdict(list))

    def before(self, anchor: date, due: _Due) -> None:
        """`due` on the last workday before `anchor`."""
        day = self.holidays.previous_workday(anchor)
        estimated = due.estimated or self.holidays.source(day.year) == "estimated"
        self.add(day, replace(due, estimated=estimated))

    def ahead_of(self, target: date, ahead: int, due: _Due) -> None:
        """`due` `ahead` days before `target`, on the workday before if that is none."""
        wanted = target - timedelta(days=ahead)
        if self.holidays.is_workday(wanted):
            self.add(wanted, due)
            return
        day = self.holidays.previous_workday(wanted)
        span = (wanted - day).days
        estimated = any(
            self.holidays.is_estimated(day + timedelta(days=n)) for n in range(span + 1)
        )
        self.add(day, replace(due, estimated=estimated))

    def after(self, anchor: date, due: _Due) -> None:
        """`due` on the first workday from `anchor` on."""
        day = anchor if self.holidays.is_workday(anchor) else self.holidays.next_workday(anchor)
        estimated = day != anchor and any(
            self.holidays.is_estimated(anchor + timedelta(days=n))
            for n in range((day - anchor).days + 1)
        )
        self.add(day, replace(due, estimated=estimated))

    def add(self, day: date, due: _Due) -> None:
        if day.year == self.year:
            self.due[day].append(due)


def _solar_day(year: int, month: int, day: int) -> date:
    """`month`/`day` of `year`, or the month's last day when it has fewer."""
    following = date(year + (month == 12), month % 12 + 1, 1)
    return min(date(year, month, 1) + timedelta(days=day - 1), following - timedelta(days=1))


def _holiday_dates(year: int) -> dict[str, date]:
    """The date each statutory holiday is named for, in `year`."""
    festivals = festival_dates(year)
    return {
        "元旦": date(year, 1, 1),
        "春节": festivals["春节"],
        "清明节": festivals["清明"],
        "劳动节": date(year, 5, 1),
        "端午节": festivals["端午"],
        "中秋节": festivals["中秋"],
        "国庆节": date(year, 10, 1),
    }


def _merge(day: date, due: list[_Due]) -> LianzhengEntry:
    ordered = sorted(due, key=lambda d: d.rank)
    names = {name for d in due for name in d.holidays}
    holidays = tuple(sorted(names, key=STATUTORY_HOLIDAYS.index))
    # A theme and its holiday name one festival (清明, 清明节): it is listed once.
    occasions: list[tuple[str, date]] = []
    for d in ordered:
        if d.occasion is not None and not any(
            on == d.occasion[1] and (name in d.occasion[0] or d.occasion[0] in name)
            for name, on in occasions
        ):
            occasions.append(d.occasion)
    named = [d for d in ordered if d.key != "jieqian"]
    if not named:
        key = "jieqian:" + "、".join(holidays)
        title = texts.title(key)
    else:
        key = named[0].key
        titles = [d.title or texts.title(d.key) for d in named]
        own = {_THEMES[d.key][1] for d in named if d.key in _THEMES}
        also = [name for name in holidays if name not in own]
        if also:
            titles.append(texts.title("jieqian:" + "、".join(also)))
        title = texts.joined(titles)
    return LianzhengEntry(
        day=day,
        key=key,
        title=title,
        estimated=any(d.estimated for d in due),
        holidays=holidays,
        also=tuple(d.key for d in named[1:]),
        occasions=tuple(occasions),
        notes=tuple(d.note for d in named if d.note),
    )


def _dated(plan: _Plan, options: CalendarOptions) -> None:
    """The occasions on dates: fixed days, exams, vacations, dues, the admins' own."""
    for year in (plan.year, plan.year + 1):
        for key, (month, day, ahead, name) in _FIXED.items():
            on = date(year, month, day)
            plan.ahead_of(on, ahead, _Due(key, (), False, (name, on) if name else None))
        exams = [("gaokao", options.gaokao, "高考")]
        if options.zhongkao is not None:
            exams.append(("zhongkao", options.zhongkao, "中考"))
        for key, (month, day), name in exams:
            on = _solar_day(year, month, day)
            plan.ahead_of(on, 1, _Due(key, (), False, (name, on)))
        for kind, begins in _vacations(year, options.terms).items():
            due = _Due(_VACATION_KEYS[kind], (), False, (kind, begins))
            plan.ahead_of(begins, VACATION_AHEAD, due)
        for own in options.occasions:
            for on in own.dates_in(year):
                plan.ahead_of(
                    on, own.ahead, _Due(own.key, (), False, (own.name, on), own.name, own.text)
                )
    if options.party_dues != "off":
        quarterly = options.party_dues == "quarterly"
        for month in (1, 4, 7, 10) if quarterly else range(1, 13):
            key = f"dangfei:Q{month // 3 + 1}" if quarterly else f"dangfei:{month:02d}"
            plan.after(date(plan.year, month, 1), _Due(key, (), False))


def _vacations(year: int, terms: SchoolTerms | None) -> dict[VacationKind, date]:
    """When 寒假 and 暑假 of `year`'s school calendar begin."""
    found = {kind: date(year, *md) for kind, md in DEFAULT_VACATIONS.items()}
    if terms is not None:
        for kind in DEFAULT_VACATIONS:
            last = terms.last_day_before(kind, year)
            if last is not None:
                found[kind] = last + timedelta(days=1)
    return found


def lianzheng_calendar(
    year: int, holidays: HolidayCalendar, options: CalendarOptions | None = None
) -> list[LianzhengEntry]:
    """The reminders sent in `year`, by day (the rules are in the module docstring)."""
    plan = _Plan(year, holidays)
    _dated(plan, options or CalendarOptions())

    periods = holidays.holiday_periods(year)
    festivals = festival_dates(year)
    for key, (festival, holiday) in _THEMES.items():
        festival_day = festivals[festival]
        period = next(
            (p for p in periods if p.name == holiday and p.start <= festival_day <= p.end),
            None,
        )
        due = _Due(key, (), period is not None and period.estimated, (festival, festival_day))
        plan.before(festival_day if period is None else period.start, due)

    for period in periods + holidays.holiday_periods(year + 1):
        named = _holiday_dates(period.end.year)[period.name]
        due = _Due("jieqian", (period.name,), period.estimated, (period.name, named))
        plan.before(period.start, due)

    return [_merge(day, plan.due[day]) for day in sorted(plan.due)]


def message(entry: LianzhengEntry, templates: Mapping[str, str] | None = None) -> str:
    """The text to send for `entry`, with the admins' `templates` (by kind) in place
    of the defaults."""
    chosen = {**texts.DEFAULTS, **(templates or {})}
    values = {"holiday": "、".join(entry.holidays)}
    parts = [f"【{entry.title}】"]
    for key in (entry.key, *entry.also):
        kind = key.partition(":")[0]
        if kind in texts.THEMES:
            parts.append(chosen[kind].format_map(values))
    parts += entry.notes
    if entry.holidays:
        parts.append(chosen[texts.jieqian_key(entry.holidays)].format_map(values))
    if entry.estimated:
        parts.append(texts.ESTIMATED_NOTE)
    return "\n".join(parts)


def render_calendar(entries: Iterable[LianzhengEntry]) -> str:
    """What `tongxin calendar YEAR` prints: one line per entry, and beside it the
    festivals and days it is for (`2026-04-03 周五  清明话“清” — 清明 4月5日`)."""
    return "\n".join(texts.listing_line(e.day, e.title, e.estimated, e.occasions) for e in entries)
