"""What the county adds to its 廉政 calendar, read from the tables, and the dates it is set with.

The admins set the 高考 and 中考 dates, the 党费 reminders and the county's term
dates (storage.school); their own occasions are rows too. `calendar_options`
turns all of it into schedules.lianzheng.CalendarOptions for the planner, the
listing and `tongxin calendar`.

Dates are read the way people write them, with Chinese numerals: "6月16日",
"六月十六日", "农历八月十五", "正月初八", "2027年6月20日", "2027-06-20".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.numbers import whole
from schedules.lianzheng import GAOKAO, CalendarOptions, MonthDay, Occasion
from schedules.terms import SchoolTerms
from storage.school import lianzheng_options, occasion_rows, term_rows, terms_of

Dues = Literal["off", "monthly", "quarterly"]
DUES: tuple[Dues, ...] = ("off", "monthly", "quarterly")

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUM = r"[0-9〇零一二两三四五六七八九十廿]{1,4}"
_LUNAR_MONTHS = {"正": 1, "冬": 11, "腊": 12}
# A day of a month: "20日", "二十号", "初八", "十五", "廿三".
_DATE = re.compile(
    rf"(?P<every>每年)?(?:(?P<year>\d{{4}})年)?(?P<lunar>农历|阴历)?"
    rf"(?P<month>{_NUM}|[正冬腊])月(?P<first>初)?(?P<day>{_NUM})(?:日|号)?"
    r"|(?P<iso_year>\d{4})-(?P<iso_month>\d{1,2})-(?P<iso_day>\d{1,2})"
)


def number(text: str) -> int | None:
    """A number below a hundred, in digits or Chinese numerals ("十五", "廿三")."""
    if (n := whole(text)) is not None:
        return n
    text = text.replace("廿", "二十")
    tens, ten, units = text.partition("十")
    if any(c not in _DIGITS for c in tens + units) or len(tens) > 1 or len(units) > 1:
        return None
    if not ten:  # a single numeral: "八"
        return _DIGITS[tens] if tens else None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[units] if units else 0)


@dataclass(frozen=True)
class SaidDate:
    """A date as written: lunar or solar, a year (lunar for a lunar date) or every year."""

    month: int
    day: int
    lunar: bool
    year: int | None
    every_year: bool
    start: int
    end: int


def find_date(text: str) -> SaidDate | None:
    """The first date written in `text` (NFKC-normalised), and where it stands."""
    m = _DATE.search(text)
    if m is None:
        return None
    if m["iso_year"]:
        iso = int(m["iso_year"]), int(m["iso_month"]), int(m["iso_day"])
        return SaidDate(iso[1], iso[2], False, iso[0], False, m.start(), m.end())
    said_month = m["month"]
    month = _LUNAR_MONTHS.get(said_month) or number(said_month)
    day = number(m["day"])
    if month is None or day is None:
        return None
    lunar = bool(m["lunar"] or m["first"] or said_month in _LUNAR_MONTHS)
    year = int(m["year"]) if m["year"] else None
    return SaidDate(month, day, lunar, year, bool(m["every"]), m.start(), m.end())


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def month_day(text: str) -> MonthDay | None:
    """A solar month and day ("6月16日", "六月十六"), when that is all `text` says."""
    found = find_date(normalise(text))
    if found is None or found.lunar or found.year is not None or found.every_year:
        return None
    if found.start or found.end != len(normalise(text)):
        return None
    try:
        date(2000, found.month, found.day)  # a leap year: every day a month can have
    except ValueError:
        return None
    return found.month, found.day


def read_stored(value: str | None) -> MonthDay | None:
    """A month and day as the options table keeps it ("06-16"); None for none."""
    if not value:
        return None
    month, _, day = value.partition("-")
    return int(month), int(day)


def to_stored(md: MonthDay) -> str:
    return f"{md[0]:02d}-{md[1]:02d}"


async def calendar_options(session: AsyncSession) -> CalendarOptions:
    """The county's options and own occasions, for schedules.lianzheng."""
    options = await lianzheng_options(session)
    county = terms_of(await term_rows(session), None)
    occasions = tuple(
        Occasion(f"own:{r.id}", r.name, r.month, r.day, r.lunar, r.year, r.text, r.ahead)
        for r in await occasion_rows(session)
    )
    dues: Dues = next((d for d in DUES if d == options.get("dangfei")), "off")
    return CalendarOptions(
        terms=SchoolTerms(county) if county else None,
        gaokao=read_stored(options.get("gaokao")) or GAOKAO,
        zhongkao=read_stored(options.get("zhongkao")),
        party_dues=dues,
        occasions=occasions,
    )
