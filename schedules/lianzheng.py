"""The 廉政 calendar: which integrity reminder goes out on which day of a year.

The rules, and why:

- 党风廉政教育日 (5月10日) and 国际反腐败日 (12月9日) go out on the day, weekend or
  not: the date is the occasion. They never depend on holiday data.
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
  theme carries the 节前 points of its holiday, and of any holiday sharing the
  day (中秋 inside 国庆 in 2025: "中秋思“正”暨国庆节前廉政提醒"). The key is the fixed
  day's, else the theme's, else "jieqian:<holidays>"; `holidays` lists whose 节前
  points the message carries.
- The calendar of year Y lists the reminders sent in Y: the 节前 reminder for 元旦
  of Y+1 (late December of Y) is in it, the one for 元旦 of Y (December of Y-1)
  is not.
- `estimated` means the day may move once a State Council notice is loaded: the
  holiday period or the workdays before it were estimated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from schedules import lianzheng_texts as texts
from schedules.holidays import (
    STATUTORY_HOLIDAYS,
    HolidayCalendar,
    festival_dates,
)

__all__ = [
    "LianzhengEntry",
    "festival_dates",
    "lianzheng_calendar",
    "message",
    "render_calendar",
]

_FIXED = {"jiaoyuri": (5, 10), "fanfubai": (12, 9)}
# key: (festival in festival_dates, the statutory holiday it belongs to)
_THEMES = {
    "chunjie": ("春节", "春节"),
    "qingming": ("清明", "清明节"),
    "duanwu": ("端午", "端午节"),
    "zhongqiu": ("中秋", "中秋节"),
}


@dataclass(frozen=True)
class LianzhengEntry:
    day: date
    key: str
    title: str
    estimated: bool
    holidays: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Due:
    key: str
    holidays: tuple[str, ...]
    estimated: bool

    @property
    def rank(self) -> int:
        return 0 if self.key in _FIXED else 1 if self.key in _THEMES else 2


def _merge(day: date, due: list[_Due]) -> LianzhengEntry:
    primary = min(due, key=lambda d: d.rank)
    names = {name for d in due for name in d.holidays}
    holidays = tuple(sorted(names, key=STATUTORY_HOLIDAYS.index))
    # `own`: the holidays the title already names, so "暨" adds only the others.
    own: tuple[str, ...]
    if primary.key == "jieqian":
        key, own = "jieqian:" + "、".join(holidays), holidays
    else:
        key = primary.key
        own = (_THEMES[key][1],) if key in _THEMES else ()
    also = tuple(name for name in holidays if name not in own)
    return LianzhengEntry(
        day=day,
        key=key,
        title=texts.title(key, also),
        estimated=any(d.estimated for d in due),
        holidays=holidays,
    )


def lianzheng_calendar(year: int, holidays: HolidayCalendar) -> list[LianzhengEntry]:
    """The reminders sent in `year`, by day (the rules are in the module docstring)."""
    due: defaultdict[date, list[_Due]] = defaultdict(list)

    def send_before(anchor: date, key: str, names: tuple[str, ...], estimated: bool) -> None:
        day = holidays.previous_workday(anchor)
        estimated = estimated or holidays.source(day.year) == "estimated"
        due[day].append(_Due(key, names, estimated))

    for key, (month, day) in _FIXED.items():
        due[date(year, month, day)].append(_Due(key, (), False))

    periods = holidays.holiday_periods(year)
    festivals = festival_dates(year)
    for key, (festival, holiday) in _THEMES.items():
        festival_day = festivals[festival]
        period = next(
            (p for p in periods if p.name == holiday and p.start <= festival_day <= p.end),
            None,
        )
        if period is None:
            send_before(festival_day, key, (), False)
        else:
            send_before(period.start, key, (), period.estimated)

    for period in periods + holidays.holiday_periods(year + 1):
        send_before(period.start, "jieqian", (period.name,), period.estimated)

    return [_merge(day, due[day]) for day in sorted(due) if day.year == year]


def message(entry: LianzhengEntry) -> str:
    """The text to send for `entry`."""
    return texts.render(entry.key, estimated=entry.estimated, holiday="、".join(entry.holidays))


def render_calendar(entries: Iterable[LianzhengEntry]) -> str:
    """What `tongxin calendar YEAR` prints: one line per entry."""
    lines = []
    for entry in entries:
        mark = texts.ESTIMATED_MARK if entry.estimated else ""
        weekday = texts.WEEKDAYS[entry.day.weekday()]
        lines.append(f"{entry.day.isoformat()} {weekday}  {entry.title}{mark}")
    return "\n".join(lines)
