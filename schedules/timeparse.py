"""Read the time expressions people type in chat, in Chinese or in digits.

The caller passes only the time part of a message ("下周五下午三点", "10月14日17:00",
"两小时后") and an injected clock; the result is an absolute moment that the bot
echoes back with `format_when` for confirmation. No library reads these forms well
at a sane weight (dateparser misreads most, jionlp weighs 220 MB, duckling needs a
JVM), so this is a small grammar of our own.

The grammar, in order: an optional day, an optional part of the day, an optional
clock time; or, on its own, an offset from now ("30分钟后"). Chinese numerals are
turned into digits first, so every rule below sees only digits.

Rules and defaults:
- A bare clock time ("15:30") is today; if that moment has passed it is an error,
  never silently tomorrow.
- "N点" with no part of the day and N in 1–6 is afternoon: people say 3点 for 15:00.
  7–12 and 0, 13–24 are read as written. Colon times ("3:00") are 24-hour as written.
- A part of the day with no hour uses a default hour: 早上 8:00, 上午 9:00,
  中午 12:00, 下午 15:00, 傍晚 18:00, 晚上 19:00. 凌晨 has none and must name the hour.
- "晚上12点" and "24:00" are the midnight that ends the day, i.e. 00:00 of the next.
- Under-specified days mean the next such moment not in the past: a bare weekday
  ("周五", today included while the time is still ahead, and always when no time is
  given), a month-day without a year ("10月14日"), a day of the month ("15号").
- "这周/本周X", "下周X", "下下周X", "上周X" name weekday X of that calendar week
  (weeks start on Monday); they never roll over.
- A day alone ("下周五", "3天后") has no time; `When.at` is then 00:00 of that day.
- Anything in the past is an error unless `allow_past`; then under-specified days take
  their first reading (this week's, this year's, this month's).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_UNREADABLE = "没看懂这个时间，请按「明天15:30」或「10月14日17:00」这样写。"
_WEEKDAY_NAMES = "一二三四五六日"


class TimeParseError(ValueError):
    """A time the bot cannot accept; `reason` is shown to the user as is."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class When:
    at: datetime
    has_time: bool

    def iso(self) -> str:
        if self.has_time:
            return self.at.isoformat(timespec="seconds")
        return self.at.date().isoformat()


def format_when(w: When, now: datetime) -> str:
    """The echo for confirmation: "12月4日（周五）15:00", with the year only if not now's."""
    at = w.at
    year = "" if at.year == now.astimezone(at.tzinfo).year else f"{at.year}年"
    day = f"{year}{at.month}月{at.day}日（周{_WEEKDAY_NAMES[at.weekday()]}）"
    return f"{day}{at.hour}:{at.minute:02d}" if w.has_time else day


# --- normalisation ---------------------------------------------------------------

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_CN_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMERAL = re.compile(f"[{''.join(_CN_DIGITS)}十]+")
_TRAILER = re.compile(r"(?:之前|以前|前)?[。.!?,、~]*\Z")


def _arabic(m: re.Match[str]) -> str:
    run = m[0]
    tens, ten, units = run.partition("十")
    if not ten:  # "二〇二六", "零五": read digit by digit
        return "".join(str(_CN_DIGITS[c]) for c in run)
    if len(tens) > 1 or len(units) > 1:  # beyond 九十九; leave it for the grammar to reject
        return run
    return str(_CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(units, 0))


def _normalise(text: str) -> str:
    s = _CN_NUMERAL.sub(_arabic, unicodedata.normalize("NFKC", text).strip())
    # A space is kept only where it separates two numbers ("12-01 9:00").
    s = re.sub(r"(?<=\d)\s+(?=\d)", " ", s)
    s = re.sub(r"(?<!\d)\s+|\s+(?!\d)", "", s)
    return _TRAILER.sub("", s)


def _take(pattern: re.Pattern[str], s: str, pos: int) -> tuple[re.Match[str] | None, int]:
    m = pattern.match(s, pos)
    if m is None:
        return None, pos
    return m, m.end() + (1 if s.startswith(" ", m.end()) else 0)


# --- days --------------------------------------------------------------------------

_DAY_WORDS = {"大后天": 3, "后天": 2, "明天": 1, "明日": 1, "今天": 0, "今日": 0}
_DAY_WORDS |= {"昨天": -1, "前天": -2, "今": 0, "明": 1}
_WEEK_SHIFT = {"上上": -2, "上": -1, "这": 0, "本": 0, "下": 1, "下下": 2}
_DAYS_PER_UNIT = {"天": 1, "日": 1, "周": 7, "星期": 7, "礼拜": 7}


def _try_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _impossible(label: str) -> TimeParseError:
    return TimeParseError(f"没有{label}这一天，请检查日期，例如「12月1日」。")


def _full_date(m: re.Match[str], today: date) -> list[date]:
    found = _try_date(int(m[1]), int(m[2]), int(m[3]))
    if found is None:
        raise _impossible(f"{int(m[1])}年{int(m[2])}月{int(m[3])}日")
    return [found]


def _month_day(m: re.Match[str], today: date) -> list[date]:
    month, day = int(m[1]), int(m[2])
    # Nine years always hold a 2月29日, even across 2100.
    found = [d for y in range(today.year, today.year + 9) if (d := _try_date(y, month, day))]
    if not found:
        raise _impossible(f"{month}月{day}日")
    return found


def _day_of_month(m: re.Match[str], today: date) -> list[date]:
    day = int(m[1])
    months = [divmod(today.month - 1 + k, 12) for k in range(13)]
    found = [d for y, mo in months if (d := _try_date(today.year + y, mo + 1, day))]
    if not found:
        raise _impossible(f"{day}号")
    return found


def _days_later(m: re.Match[str], today: date) -> list[date]:
    return [today + timedelta(days=int(m[1]) * _DAYS_PER_UNIT[m[2]])]


def _day_word(m: re.Match[str], today: date) -> list[date]:
    return [today + timedelta(days=_DAY_WORDS[m[0]])]


def _weekday(m: re.Match[str], today: date) -> list[date]:
    weekday = 7 if m["wd"] in "日天" else int(m["wd"])
    if m["rel"] is None:
        first = today + timedelta(days=(weekday - today.isoweekday()) % 7)
        return [first, first + timedelta(weeks=1)]
    monday = today - timedelta(days=today.weekday())
    return [monday + timedelta(weeks=_WEEK_SHIFT[m["rel"]], days=weekday - 1)]


def _words(words: Iterable[str]) -> str:
    """An alternation of `words`, longest first so 大后天 wins over 后天."""
    return "|".join(sorted(words, key=len, reverse=True))


# Each reader returns the candidate days in order; the first not in the past wins.
# Order matters where forms share a prefix: "3天后" before "3日", "10月14日" before "14日".
_DAY_READERS: list[tuple[re.Pattern[str], Callable[[re.Match[str], date], list[date]]]] = [
    (re.compile(r"(20\d\d)(?:年|[-/.])(\d{1,2})(?:月|[-/.])(\d{1,2})[日号]?"), _full_date),
    (re.compile(r"(\d{1,2})月(\d{1,2})[日号]"), _month_day),
    (re.compile(r"(\d{1,2})[-/](\d{1,2})"), _month_day),
    (re.compile(rf"(\d{{1,4}})个?({_words(_DAYS_PER_UNIT)})(?:以后|之后|后)"), _days_later),
    (re.compile(r"(\d{1,2})[日号]"), _day_of_month),
    # 今/明 stand alone only in 今晚, 明早 and the like.
    (re.compile(_words(w for w in _DAY_WORDS if len(w) > 1) + "|[今明](?=[早晚])"), _day_word),
    (
        re.compile(rf"(?:(?P<rel>{_words(_WEEK_SHIFT)})个?)?(?:周|星期|礼拜)(?P<wd>[1-6日天])"),
        _weekday,
    ),
]


# --- parts of the day and clock times -------------------------------------------------


@dataclass(frozen=True)
class _Part:
    default_hour: int | None
    as_is: range  # hours already on the 24-hour clock
    plus_12: range = range(0)  # hours said on the 12-hour face

    def hour(self, said: int) -> int | None:
        if said in self.plus_12:
            return said + 12
        return said if said in self.as_is else None


_EARLY = _Part(8, range(13))
_EVENING = _Part(19, range(18, 25), range(6, 13))  # 晚上12点 is 24:00
_PARTS = {
    "凌晨": _Part(None, range(7)),
    "早上": _EARLY,
    "早晨": _EARLY,
    "早": _EARLY,
    "上午": _Part(9, range(13)),
    "中午": _Part(12, range(11, 15), range(1, 3)),
    "下午": _Part(15, range(12, 19), range(1, 12)),
    "傍晚": _Part(18, range(16, 21), range(4, 9)),
    "晚上": _EVENING,
    "晚": _EVENING,
}
_PART = re.compile(_words(_PARTS))
# "刻" before plain minutes, or "3点1刻" would stop after "3点1".
_CLOCK = re.compile(
    r"(?P<h>\d{1,2})(?::(?P<colon>\d{2})"
    r"|[点时]钟?(?:(?P<quarters>[1-3])刻|(?P<minute>\d{1,2})分?|(?P<half>半)|整)?)"
)
_LATER = re.compile(
    r"(?:(?:(?P<hours>\d{1,4})个?(?P<half>半)?|(?P<just_half>半)个?)(?:小时|钟头)"
    r"|(?P<minutes>\d{1,4})分钟?)(?:以后|之后|后)"
)


def _minute_of_day(part: str | None, clock: re.Match[str] | None) -> int | None:
    if clock is None:
        if part is None:
            return None
        default = _PARTS[part].default_hour
        if default is None:
            raise TimeParseError(f"「{part}」请写明几点，例如「周六{part}5点」。")
        return default * 60
    hour = int(clock["h"])
    minute = int(clock["colon"] or clock["minute"] or 0)
    minute += 30 if clock["half"] else 15 * int(clock["quarters"] or 0)
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        raise TimeParseError(f"没有{clock[0]}这个时间，小时请写0到23、分钟写0到59，例如「15:30」。")
    if part is not None:
        on_24h = _PARTS[part].hour(hour)
        if on_24h is None:
            raise TimeParseError(f"{part}没有{hour}点，请换个写法，例如「下午3点」或「15:00」。")
        return on_24h * 60 + minute
    if clock["colon"] is None and 1 <= hour <= 6:
        hour += 12
    return hour * 60 + minute


# --- resolution ------------------------------------------------------------------------


def _is_past(w: When, now: datetime) -> bool:
    return w.at < now if w.has_time else w.at.date() < now.date()


def _past(w: When, now: datetime) -> TimeParseError:
    if w.has_time:
        return TimeParseError(
            f"{format_when(w, now)}已经过去了，请写一个以后的时间，"
            f"例如「明天{w.at.hour}:{w.at.minute:02d}」。"
        )
    return TimeParseError(f"{format_when(w, now)}已经过去了，请写一个以后的日期，例如「明天」。")


def parse_when(
    text: str, now: datetime, *, tz: ZoneInfo | None = None, allow_past: bool = False
) -> When:
    """Resolve `text` against the aware moment `now` in `tz` (Asia/Shanghai by default)."""
    if now.tzinfo is None:
        raise ValueError("parse_when needs an aware `now`")
    zone = tz or SHANGHAI
    now = now.astimezone(zone)
    s = _normalise(text)

    later = _LATER.fullmatch(s)
    if later:
        minutes = 60 * int(later["hours"] or 0) + int(later["minutes"] or 0)
        minutes += 30 if later["half"] or later["just_half"] else 0
        # Add elapsed time in UTC, so a DST change in `zone` cannot stretch it; whole
        # minutes because reminders are kept and echoed to the minute.
        at = (now.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(zone)
        return When(at.replace(second=0, microsecond=0), has_time=True)

    days, pos = [now.date()], 0
    for pattern, read in _DAY_READERS:
        m, pos = _take(pattern, s, 0)
        if m:
            days = read(m, now.date())
            break
    part, pos = _take(_PART, s, pos)
    clock, pos = _take(_CLOCK, s, pos)
    if not s or pos != len(s):
        raise TimeParseError(_UNREADABLE)

    of_day = _minute_of_day(part[0] if part else None, clock)
    # Wall-clock addition: 24:00 becomes 00:00 of the next day.
    start = timedelta(minutes=of_day or 0)
    moments = [When(datetime.combine(d, time(), zone) + start, of_day is not None) for d in days]
    for w in moments:
        if allow_past or not _is_past(w, now):
            return w
    raise _past(moments[0], now)
