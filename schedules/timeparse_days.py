"""The day part of a time expression: "下周五", "12.3", "月底", "春节", "节后第一个工作日" …

`read_day` takes the normalised text (Chinese numerals already digits, spaces
gone) and returns the candidate days in order — the caller takes the first
not in the past — each with a note to say if it is the one taken (a year
skipped to find a 2月29日, a day resting on estimated holiday data). The
readers are tried in order and the first that matches at the start wins;
order matters where forms share a prefix: "3天后" before "3日", "10月14日"
before "14日", a festival's "51" (五一) before anything numeric.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from schedules import festivals
from schedules.holidays import HolidayCalendar


class TimeParseError(ValueError):
    """A time the bot cannot accept; `reason` is shown to the user as is."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# A candidate day and what to say if it is the one taken.
Day = tuple[date, str]


@dataclass(frozen=True)
class DayEnv:
    today: date
    calendar: Callable[[], HolidayCalendar]


def impossible(label: str) -> TimeParseError:
    return TimeParseError(f"没有{label}这一天，请检查日期，例如「12月1日」。")


def _words(words: Iterable[str]) -> str:
    """An alternation of `words`, longest first so 大后天 wins over 后天."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _try_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _skipped(lacking: str, said: str, found: date) -> str:
    """The note of a date found only by skipping a year or a month that lacks it."""
    return f"{lacking}没有{said}，按{found.year}年{found.month}月{found.day}日理解。"


def _plain(days: Iterable[date]) -> list[Day]:
    return [(d, "") for d in days]


def _month_start(today: date, shift: int) -> date:
    start: date = today.replace(day=1) + relativedelta(months=shift)
    return start


_DAY_WORDS = {"大后天": 3, "后天": 2, "明天": 1, "明日": 1, "今天": 0, "今日": 0}
_DAY_WORDS |= {"昨天": -1, "前天": -2, "当天": 0, "今": 0, "明": 1}
_WEEK_SHIFT = {"上上": -2, "上": -1, "这": 0, "本": 0, "下": 1, "下下": 2}
_MONTH_SHIFT = {"上": -1, "本": 0, "这": 0, "下": 1, "下下": 2}
_YEAR_SHIFT = {"去": -1, "今": 0, "本": 0, "明": 1, "后": 2}
_DAYS_PER_UNIT = {"天": 1, "日": 1, "周": 7, "星期": 7, "礼拜": 7}
_WD = "(?:周|星期|礼拜)"


# --- readers ---------------------------------------------------------------------------


def _after_holiday(m: re.Match[str], env: DayEnv) -> list[Day]:
    """The first workday after a holiday period: "节后第一个工作日", "国庆后第一天上班"."""
    calendar = env.calendar()
    wanted = _HOLIDAY_OF.get(m["hol"] or "")
    periods = [
        p
        for year in range(env.today.year - 1, env.today.year + 2)
        for p in calendar.holiday_periods(year)
        if wanted is None or p.name == wanted
    ]
    days: dict[date, str] = {}
    for p in sorted(periods, key=lambda p: p.end):
        note = f"{p.end.year}年{p.name}的放假安排尚未公布，按估算理解。" if p.estimated else ""
        days.setdefault(calendar.next_workday(p.end), note)
    return sorted(days.items())


def _full_date(m: re.Match[str], env: DayEnv) -> list[Day]:
    found = _try_date(int(m[1]), int(m[2]), int(m[3]))
    if found is None:
        raise impossible(f"{int(m[1])}年{int(m[2])}月{int(m[3])}日")
    return [(found, "")]


def _lunar(m: re.Match[str], env: DayEnv) -> list[Day]:
    said = m["lm1"] or m["lm2"] or m["lm3"] or "1"
    month = festivals.LUNAR_MONTHS.get(said) or int(said)
    day = int(m["ld1"] or m["ld2"] or m["ld3"] or m["ld4"])
    if not 1 <= month <= 12 or not 1 <= day <= 30:
        raise impossible(f"农历{said}月{day}日")
    years = range(env.today.year, env.today.year + 2)
    return _plain(sorted(d for y in years for d in festivals.lunar_in_year(y, month, day)))


def _festival(m: re.Match[str], env: DayEnv) -> list[Day]:
    start = env.today.year + (_YEAR_SHIFT[m["y"]] if m["y"] else 0)
    years = range(start, start + (1 if m["y"] else 2))
    return _plain(festivals.festival_days(m["fest"], years))


def _month_day(m: re.Match[str], env: DayEnv) -> list[Day]:
    month, day = int(m["m"]), int(m["d"])
    if m["y"]:
        year = env.today.year + _YEAR_SHIFT[m["y"]]
        found = _try_date(year, month, day)
        if found is None:
            raise impossible(f"{year}年{month}月{day}日")
        return [(found, "")]
    today = env.today
    # The year the date would be read in if every year had it.
    natural = today.year if (month, day) >= (today.month, today.day) else today.year + 1
    days: list[Day] = []
    # Nine years always hold a 2月29日, even across 2100.
    for year in range(today.year, today.year + 9):
        found = _try_date(year, month, day)
        if found is None:
            continue
        lacking = [y for y in range(natural, year) if _try_date(y, month, day) is None]
        said = f"{month}月{day}日"
        days.append((found, _skipped(f"{lacking[-1]}年", said, found) if lacking else ""))
    if not days:
        raise impossible(f"{month}月{day}日")
    return days


def _days_later(m: re.Match[str], env: DayEnv) -> list[Day]:
    n, unit = m["n"], m["unit"]
    if unit == "月":
        later = timedelta(days=15) if n == "半" else relativedelta(months=int(n))
    elif unit == "年":
        later = relativedelta(months=6 if n == "半" else 12 * int(n))
    else:
        later = timedelta(days=int(n) * _DAYS_PER_UNIT[unit])
    return [(env.today + later, "")]


def _month_part(m: re.Match[str], env: DayEnv) -> list[Day]:
    """月底, 下月初, 本月中, 8月底: a month's last, first or 15th day."""
    today = env.today
    if m["mo"]:
        month = int(m["mo"])
        year = today.year if month >= today.month else today.year + 1
        starts = [date(year, month, 1), date(year + 1, month, 1)]
    elif m["rel"]:
        starts = [_month_start(today, _MONTH_SHIFT[m["rel"]])]
    else:
        starts = [_month_start(today, 0), _month_start(today, 1)]
    if m["what"] in "底末":
        return _plain(d + relativedelta(day=31) for d in starts)
    return _plain(d.replace(day=15) if m["what"] == "中" else d for d in starts)


def _year_part(m: re.Match[str], env: DayEnv) -> list[Day]:
    """年底, 明年初: a year's last or first day."""
    year = env.today.year + (_YEAR_SHIFT[m["y"]] if m["y"] else 0)
    years = [year] if m["y"] else [year, year + 1]
    return _plain(date(y, 12, 31) if m["what"] in "底末" else date(y, 1, 1) for y in years)


def _day_of_month(m: re.Match[str], env: DayEnv) -> list[Day]:
    day = int(m["d"])
    if m["rel"]:
        month = _month_start(env.today, _MONTH_SHIFT[m["rel"]])
        found = _try_date(month.year, month.month, day)
        if found is None:
            raise impossible(f"{month.month}月{day}日")
        return [(found, "")]
    days: list[Day] = []
    lacking: list[int] = []
    for k in range(13):
        month = _month_start(env.today, k)
        found = _try_date(month.year, month.month, day)
        if found is None:
            lacking.append(month.month)
        elif found >= env.today or k == 0:
            note = _skipped(f"{lacking[-1]}月", f"{day}号", found) if lacking else ""
            days.append((found, note))
    if not days:
        raise impossible(f"{day}号")
    return days


def _day_word(m: re.Match[str], env: DayEnv) -> list[Day]:
    return [(env.today + timedelta(days=_DAY_WORDS[m[0]]), "")]


def _weekday(m: re.Match[str], env: DayEnv) -> list[Day]:
    today = env.today
    said = m["wd"]
    # 周末 is its Saturday.
    weekday = 6 if said is None else 7 if said in "日天" else int(said)
    if m["rel"] is None:
        first = today + timedelta(days=(weekday - today.isoweekday()) % 7)
        return _plain([first, first + timedelta(weeks=1)])
    monday = today - timedelta(days=today.weekday())
    return [(monday + timedelta(weeks=_WEEK_SHIFT[m["rel"]], days=weekday - 1), "")]


# The statutory holiday a name in "X后第一个工作日" stands for.
_HOLIDAY_OF = {name: holiday for name, (_, holiday) in festivals.FESTIVALS.items() if holiday}
_NO_NUMBER_AFTER = r"(?![\d点时:.日号月个天周分半刻/\-~])"
_FESTIVAL = "|".join(
    re.escape(n) + (_NO_NUMBER_AFTER if n in festivals.DIGIT_NAMES else "")
    for n in sorted(festivals.FESTIVALS, key=len, reverse=True)
)
_HOLIDAY = "|".join(
    re.escape(n) + (_NO_NUMBER_AFTER if n in festivals.DIGIT_NAMES else "")
    for n in sorted(_HOLIDAY_OF, key=len, reverse=True)
)
_MONTH = r"1[0-2]|0?[1-9]"
_YEAR = rf"(?P<y>{_words(_YEAR_SHIFT)})年"
_REL_MONTH = rf"(?P<rel>{_words(_MONTH_SHIFT)})个?月"

_READERS: list[tuple[re.Pattern[str], Callable[[re.Match[str], DayEnv], list[Day]]]] = [
    (
        re.compile(
            rf"(?:(?P<hol>{_HOLIDAY})(?:节|假期|长假|假)?|节|假期|长假|放假|收假)(?:结束)?后的?"
            r"(?:第1个工作日|第1个上班日|上班第1天|第1天上班|第1天|上班|开工)"
        ),
        _after_holiday,
    ),
    (re.compile(r"(20\d\d)(?:年|[-/.])(\d{1,2})(?:月|[-/.])(\d{1,2})[日号]?"), _full_date),
    (
        re.compile(
            rf"(?:农历|阴历)(?P<lm1>[正冬腊]|{_MONTH})月初?(?P<ld1>\d{{1,2}})[日号]?"
            rf"|(?P<lm2>[正冬腊])月初?(?P<ld2>\d{{1,2}})[日号]?"
            rf"|(?P<lm3>{_MONTH})月初(?P<ld3>\d{{1,2}})"
            r"|大年初(?P<ld4>\d{1,2})"
        ),
        _lunar,
    ),
    (re.compile(rf"(?:{_YEAR})?(?P<fest>{_FESTIVAL})(?:节|当天|那天)?"), _festival),
    (re.compile(rf"(?:{_YEAR})?(?P<m>\d{{1,2}})月(?P<d>\d{{1,2}})[日号]?"), _month_day),
    (re.compile(r"(?P<y>)(?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"), _month_day),
    (
        re.compile(rf"(?P<n>\d{{1,4}})个?(?P<unit>{_words(_DAYS_PER_UNIT)})(?:以后|之后|后)"),
        _days_later,
    ),
    (re.compile(r"(?P<n>\d{1,3}|半)个(?P<unit>月)(?:以后|之后|后)"), _days_later),
    (re.compile(r"(?P<n>\d{1,2}|半)(?P<unit>年)(?:以后|之后|后)"), _days_later),
    (
        re.compile(rf"(?:{_REL_MONTH}月?|(?P<mo>{_MONTH})月份?|月)(?P<what>底|末|初|中)"),
        _month_part,
    ),
    (re.compile(rf"(?:{_YEAR}年?|年)(?P<what>底|末|初)"), _year_part),
    (re.compile(rf"(?:{_REL_MONTH})?(?P<d>\d{{1,2}})[日号]"), _day_of_month),
    # 今/明 stand alone only in 今晚, 明早 and the like.
    (re.compile(_words(w for w in _DAY_WORDS if len(w) > 1) + "|[今明](?=[早晚])"), _day_word),
    (
        re.compile(rf"(?:(?P<rel>{_words(_WEEK_SHIFT)})个?)?(?:{_WD}(?P<wd>[1-6日天])|周末)"),
        _weekday,
    ),
]
_WEEKDAY_READER = _READERS[-1][1]
# "月底前17:00", "元旦前下午": by that day's time.
_BEFORE = re.compile(r"(?:之前|以前|前)(?=.)")
# A weekday written after a date, as notices do: 12月3日（星期四）, 12月3日周四.
_CHECK = re.compile(rf"\({_WD}?(?P<wd>[1-6日天])\)|{_WD}(?P<wd_>[1-6日天])")


@dataclass(frozen=True)
class DayReading:
    days: list[Day]
    end: int
    # The weekday (1–7) the text says the date is, to be checked.
    weekday: int | None = None


def read_day(s: str, env: DayEnv) -> DayReading | None:
    """The day `s` starts with, or None when it names none."""
    for pattern, read in _READERS:
        m = pattern.match(s)
        if m is None:
            continue
        end = m.end() + (1 if s.startswith(" ", m.end()) else 0)
        weekday = None
        if read is not _WEEKDAY_READER:
            check = _CHECK.match(s, end)
            if check is not None:
                said = check["wd"] or check["wd_"]
                weekday = 7 if said in "日天" else int(said)
                end = check.end()
        before = _BEFORE.match(s, end)
        return DayReading(read(m, env), before.end() if before else end, weekday)
    return None
