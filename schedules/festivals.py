"""Festivals and lunar dates by name, as people write them in a time ("春节前", "正月初八").

Each name gives its solar date in a Gregorian year: the lunar ones through
lunar-python (a lunar month-day of lunar year Y may fall in January of Y+1,
so both lunar years that can reach a Gregorian year are tried), 清明 from its
solar term. A lunar 30th in a month of 29 days is the month's last day, as
people mean 腊月三十 for 除夕 in such a year.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from lunar_python import Lunar, LunarYear  # type: ignore[import-untyped, unused-ignore]

from schedules.holidays import festival_dates

# Lunar month names that are never solar: 正月, 冬月, 腊月.
LUNAR_MONTHS = {"正": 1, "冬": 11, "腊": 12}


def lunar_to_solar(lunar_year: int, month: int, day: int) -> date:
    length = LunarYear.fromYear(lunar_year).getMonth(month).getDayCount()
    solar = Lunar.fromYmd(lunar_year, month, min(day, length)).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def lunar_in_year(year: int, month: int, day: int) -> list[date]:
    """The solar dates of lunar `month`/`day` falling in the Gregorian `year`."""
    found = (lunar_to_solar(y, month, day) for y in (year - 1, year))
    return sorted(d for d in found if d.year == year)


def _solar(month: int, day: int) -> Callable[[int], list[date]]:
    return lambda year: [date(year, month, day)]


def _lunar(month: int, day: int) -> Callable[[int], list[date]]:
    return lambda year: lunar_in_year(year, month, day)


def _eve(year: int) -> list[date]:
    # The day before 春节 (never before 1月20日), whatever the length of 腊月.
    return [lunar_to_solar(year, 1, 1) - timedelta(days=1)]


def _qingming(year: int) -> list[date]:
    return [festival_dates(year)["清明"]]


# Every name a festival is written with, after Chinese numerals became digits
# (五一 → 51, 七夕 → 7夕); the statutory holiday it belongs to, if any.
FESTIVALS: dict[str, tuple[Callable[[int], list[date]], str | None]] = {
    "元旦": (_solar(1, 1), "元旦"),
    "除夕": (_eve, "春节"),
    "大年夜": (_eve, "春节"),
    "大年30": (_eve, "春节"),
    "年30": (_eve, "春节"),
    "春节": (_lunar(1, 1), "春节"),
    "过年": (_lunar(1, 1), "春节"),
    "元宵节": (_lunar(1, 15), None),
    "元宵": (_lunar(1, 15), None),
    "妇女节": (_solar(3, 8), None),
    "38": (_solar(3, 8), None),
    "植树节": (_solar(3, 12), None),
    "清明节": (_qingming, "清明节"),
    "清明": (_qingming, "清明节"),
    "劳动节": (_solar(5, 1), "劳动节"),
    "51": (_solar(5, 1), "劳动节"),
    "青年节": (_solar(5, 4), None),
    "54": (_solar(5, 4), None),
    "儿童节": (_solar(6, 1), None),
    "61": (_solar(6, 1), None),
    "端午节": (_lunar(5, 5), "端午节"),
    "端午": (_lunar(5, 5), "端午节"),
    "建党节": (_solar(7, 1), None),
    "71": (_solar(7, 1), None),
    "建军节": (_solar(8, 1), None),
    "81": (_solar(8, 1), None),
    "7夕": (_lunar(7, 7), None),
    "教师节": (_solar(9, 10), None),
    "中秋节": (_lunar(8, 15), "中秋节"),
    "中秋": (_lunar(8, 15), "中秋节"),
    "重阳节": (_lunar(9, 9), None),
    "重阳": (_lunar(9, 9), None),
    "国庆节": (_solar(10, 1), "国庆节"),
    "国庆": (_solar(10, 1), "国庆节"),
    "11": (_solar(10, 1), "国庆节"),
    "腊8节": (_lunar(12, 8), None),
    "腊8": (_lunar(12, 8), None),
}
# Names that are bare digits once normalised: only when no number or unit
# follows (十一月, 十一点 and 5.1 are no festivals).
DIGIT_NAMES = frozenset(name for name in FESTIVALS if name.isdigit())


def festival_days(name: str, years: range) -> list[date]:
    """The dates of festival `name` in `years`, in order."""
    days_of = FESTIVALS[name][0]
    return sorted(d for year in years for d in days_of(year))
