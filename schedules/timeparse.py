"""Read the time expressions people type in chat, in Chinese or in digits.

The caller passes only the time part of a message ("下周五下午三点", "10月14日17:00",
"两小时后") and an injected clock; the result is an absolute moment that the bot
echoes back with `format_when` for confirmation. No library reads these forms well
at a sane weight (dateparser misreads most, jionlp weighs 220 MB, duckling needs a
JVM), so this is a small grammar of our own.

The grammar, in order: an optional day (schedules.timeparse_days: 明天, 下周五,
12.3, 下个月5号, 月底, 春节, 正月初八, 节后第一个工作日 …, with a weekday in brackets
as notices write it, "12月3日（星期四）", checked against the date), an optional
part of the day, an optional clock time; or, on its own, an offset from now
("30分钟后"). Chinese numerals are turned into digits first, so every rule sees
only digits. `parse_span` reads a range too ("下午三点到五点", "15:30-17:00",
"12月3日至5日"): the end takes the start's day and part of the day unless it
names its own.

Rules and defaults:
- A bare clock time ("15:30") is today; if that moment has passed it is an error,
  never silently tomorrow.
- "N点" with no part of the day and N in 1–6 is afternoon: people say 3点 for 15:00.
  7–12 and 0, 13–24 are read as written. Colon times ("3:00") are 24-hour as written.
  A bare 7–11点 that has passed today is the evening ("7点" at 08:30 is 19:00);
  once the evening has passed too, it is the next morning ("9点" at 22:00).
- 差五分三点 and 三点差五分 are 14:55.
- A part of the day with no hour uses a default hour: 早上 8:00, 上午 9:00,
  中午 12:00, 下午 15:00, 傍晚 18:00, 晚上 19:00. 凌晨 has none and must name the hour.
  上班 is 8:00 (下午上班 14:00); 下班 is 17:00 (上午/中午下班 12:00).
- "晚上12点" and "24:00" are the midnight that ends the day, i.e. 00:00 of the next.
- Under-specified days mean the next such moment not in the past: a bare weekday
  ("周五", today included while the time is still ahead, and always when no time is
  given), a month-day without a year ("10月14日"), a day of the month ("15号"), a
  festival. One that skips a year or a month to exist (2月29日, 31号) says so in
  `When.note`, as does a day that rests on estimated holiday data.
- "这周/本周X", "下周X", "下下周X", "上周X" name weekday X of that calendar week
  (weeks start on Monday); they never roll over. 周末 is its Saturday.
- A day alone ("下周五", "3天后") has no time; `When.at` is then 00:00 of that day.
- Anything in the past is an error unless `allow_past`; then under-specified days take
  their first reading (this week's, this year's, this month's).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from schedules.holidays import HolidayCalendar
from schedules.timeparse_days import DayEnv, DayReading, TimeParseError, read_day

__all__ = ["SHANGHAI", "Span", "TimeParseError", "When", "format_when", "parse_span", "parse_when"]

SHANGHAI = ZoneInfo("Asia/Shanghai")

_UNREADABLE = "没看懂这个时间，请按「明天15:30」或「10月14日17:00」这样写。"
_WEEKDAY_NAMES = "一二三四五六日"


@dataclass(frozen=True)
class When:
    at: datetime
    has_time: bool
    # Said with the echo: a year or a month skipped, a day resting on an estimate.
    note: str = ""

    def iso(self) -> str:
        if self.has_time:
            return self.at.isoformat(timespec="seconds")
        return self.at.date().isoformat()


@dataclass(frozen=True)
class Span:
    """A meeting's time: its start and, when a range was given, its end."""

    start: When
    end: When | None = None

    def iso(self) -> str:
        """ISO 8601: the start, or "start/end" for a range."""
        return self.start.iso() if self.end is None else f"{self.start.iso()}/{self.end.iso()}"


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
# What notices put around a time: 定于…, 截止…, …左右, …开始, …之前, …截止.
_LEADER = re.compile(r"\A(?:定于|截止到|截止|截至|于)")
_TRAILER = re.compile(r"(?:左右|开始|截止)?(?:之前|以前|前|为止)?[。.!?,、~]*\Z")
# Where a range splits: 到, 至, and the dashes and tildes people type.
_RANGE = re.compile(r"到|至|~|—{1,2}|–|-")
_HOUR_AFTER = re.compile(r"\d{1,2}[点时]")
# Longer than any meeting or event a range is typed for: a misread.
_LONGEST_SPAN = timedelta(days=31)


def _arabic(m: re.Match[str]) -> str:
    run = m[0]
    tens, ten, units = run.partition("十")
    if not ten:  # "二〇二六", "零五": read digit by digit
        return "".join(str(_CN_DIGITS[c]) for c in run)
    if len(tens) > 1 or len(units) > 1:  # beyond 九十九; leave it for the grammar to reject
        return run
    return str(_CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(units, 0))


def _normalise(text: str) -> str:
    # 廿 is twenty (腊月廿三).
    s = unicodedata.normalize("NFKC", text).strip().replace("廿", "二十")
    s = _CN_NUMERAL.sub(_arabic, s)
    # A space is kept only where it separates two numbers ("12-01 9:00").
    s = re.sub(r"(?<=\d)\s+(?=\d)", " ", s)
    s = re.sub(r"(?<!\d)\s+|\s+(?!\d)", "", s)
    return _TRAILER.sub("", _LEADER.sub("", s))


def _take(pattern: re.Pattern[str], s: str, pos: int) -> tuple[re.Match[str] | None, int]:
    m = pattern.match(s, pos)
    if m is None:
        return None, pos
    return m, m.end() + (1 if s.startswith(" ", m.end()) else 0)


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
# When work starts and ends, by the part of the day it is said with.
_SHIFTS = {("上班", None): 8, ("下班", None): 17, ("下班", "下午"): 17, ("下班", "傍晚"): 17}
_SHIFTS |= {("上班", p): 8 for p in ("早", "早上", "早晨", "上午")}
_SHIFTS |= {("上班", "下午"): 14, ("上班", "中午"): 14, ("下班", "上午"): 12, ("下班", "中午"): 12}
# "明早上班": 早 and 上班, not 早上 and 班.
_PART = re.compile("|".join(p + "(?!班)" for p in sorted(_PARTS, key=len, reverse=True)))
_SHIFT = re.compile(r"(?P<shift>[上下]班)(?:时|的时候)?")
_BEFORE = r"(?:(?P<{0}m>\d{{1,2}})分钟?|(?P<{0}q>[1-3])刻)"
# "刻" before plain minutes, or "3点1刻" would stop after "3点1".
_CLOCK = re.compile(
    rf"(?:差{_BEFORE.format('pre')})?"
    r"(?P<h>\d{1,2})(?::(?P<colon>\d{2})"
    r"|[点时]钟?(?:(?P<quarters>[1-3])刻|(?P<minute>\d{1,2})分?|(?P<half>半)|整"
    rf"|差{_BEFORE.format('post')})?)"
)
_LATER = re.compile(
    r"(?:(?:(?P<hours>\d{1,4})个?(?P<half>半)?|(?P<just_half>半)个?)(?:小时|钟头)"
    r"|(?P<minutes>\d{1,4})分钟?|(?P<quarter>1)刻钟)(?:以后|之后|后)"
)


def _minutes_before(clock: re.Match[str]) -> int:
    for side in ("pre", "post"):
        if clock[f"{side}m"]:
            return int(clock[f"{side}m"])
        if clock[f"{side}q"]:
            return 15 * int(clock[f"{side}q"])
    return 0


def _minute_of_day(part: str | None, clock: re.Match[str] | None, shift: str | None) -> int | None:
    if shift is not None:
        hour = _SHIFTS.get((shift, part))
        if hour is None:
            raise TimeParseError(f"没看懂「{part}{shift}」，请写明几点，例如「下午5点」。")
        return hour * 60
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
    before = _minutes_before(clock)
    if hour > 24 or minute > 59 or (hour == 24 and minute) or before > 59:
        raise TimeParseError(f"没有{clock[0]}这个时间，小时请写0到23、分钟写0到59，例如「15:30」。")
    if part is not None:
        on_24h = _PARTS[part].hour(hour)
        if on_24h is None:
            raise TimeParseError(f"{part}没有{hour}点，请换个写法，例如「下午3点」或「15:00」。")
        hour = on_24h
    elif clock["colon"] is None and 1 <= hour <= 6:
        hour += 12
    if hour * 60 + minute - before < 0:
        raise TimeParseError(f"没看懂「{clock[0]}」，请写成「23:55」这样。")
    return hour * 60 + minute - before


# --- one moment ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    """What a text says, before it is placed in time."""

    day: DayReading | None
    part: str | None
    of_day: int | None
    # A bare 7–11点: its evening and the next morning are readings too.
    bare_morning_hour: bool


def _read(s: str, env: DayEnv, inherit_part: str | None = None) -> _Reading:
    day = read_day(s, env)
    pos = day.end if day else 0
    part, pos = _take(_PART, s, pos)
    shift, pos = _take(_SHIFT, s, pos)
    clock = None
    if shift is None:
        clock, pos = _take(_CLOCK, s, pos)
    if not s or pos != len(s):
        raise TimeParseError(_UNREADABLE)
    said_part = part[0] if part else None
    # The end of "下午3点到5点" is in the afternoon too, if it can be.
    if (
        said_part is None
        and inherit_part is not None
        and clock
        and _PARTS[inherit_part].hour(int(clock["h"])) is not None
    ):
        said_part = inherit_part
    of_day = _minute_of_day(said_part, clock, shift[0] if shift else None)
    bare = (
        day is None
        and said_part is None
        and clock is not None
        and clock["colon"] is None
        and 7 <= int(clock["h"]) <= 11
    )
    return _Reading(day, said_part, of_day, bare)


def _moments(reading: _Reading, today: date, zone: ZoneInfo) -> list[When]:
    days = reading.day.days if reading.day else [(today, "")]
    if reading.day is not None and reading.day.weekday is not None:
        days = _checked(days, reading.day.weekday, today)
    of_day = reading.of_day
    # Wall-clock addition: 24:00 becomes 00:00 of the next day.
    start = timedelta(minutes=of_day or 0)
    moments = [
        When(datetime.combine(d, time(), zone) + start, of_day is not None, note)
        for d, note in days
    ]
    if reading.bare_morning_hour:
        evening = moments[0].at + timedelta(hours=12)
        tomorrow = datetime.combine(today + timedelta(days=1), time(), zone) + start
        moments += [When(evening, True), When(tomorrow, True)]
    return moments


def _checked(days: list[tuple[date, str]], weekday: int, today: date) -> list[tuple[date, str]]:
    """The date read, if it falls on the weekday written beside it: the first not
    already past, or the one just before it (a notice whose day has gone by). A
    weekday that fits only a later year is a slip, not a choice of year."""
    upcoming = next((i for i, (d, _) in enumerate(days) if d >= today), 0)
    for i in (upcoming, upcoming - 1):
        if i >= 0 and days[i][0].isoweekday() == weekday:
            return [days[i]]
    d = days[upcoming][0]
    raise TimeParseError(
        f"{d.year}年{d.month}月{d.day}日是星期{_WEEKDAY_NAMES[d.weekday()]}，"
        f"不是星期{_WEEKDAY_NAMES[weekday - 1]}，请核对日期，例如「{d.month}月{d.day}日」。"
    )


def _is_past(w: When, now: datetime) -> bool:
    return w.at < now if w.has_time else w.at.date() < now.date()


def _past(w: When, now: datetime) -> TimeParseError:
    if w.has_time:
        return TimeParseError(
            f"{format_when(w, now)}已经过去了，请写一个以后的时间，"
            f"例如「明天{w.at.hour}:{w.at.minute:02d}」。"
        )
    return TimeParseError(f"{format_when(w, now)}已经过去了，请写一个以后的日期，例如「明天」。")


def _choose(moments: Iterable[When], now: datetime, allow_past: bool) -> When:
    found = list(moments)
    for w in found:
        if allow_past or not _is_past(w, now):
            return w
    raise _past(found[0], now)


def _later(s: str, now: datetime, zone: ZoneInfo) -> When | None:
    later = _LATER.fullmatch(s)
    if later is None:
        return None
    minutes = 60 * int(later["hours"] or 0) + int(later["minutes"] or 0)
    minutes += 30 if later["half"] or later["just_half"] else 0
    minutes += 15 if later["quarter"] else 0
    # Add elapsed time in UTC, so a DST change in `zone` cannot stretch it; whole
    # minutes because reminders are kept and echoed to the minute.
    at = (now.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(zone)
    return When(at.replace(second=0, microsecond=0), has_time=True)


def _setup(
    now: datetime, tz: ZoneInfo | None, calendar: HolidayCalendar | None
) -> tuple[datetime, ZoneInfo, DayEnv]:
    if now.tzinfo is None:
        raise ValueError("parse_when needs an aware `now`")
    zone = tz or SHANGHAI
    local = now.astimezone(zone)
    known = calendar

    def holidays() -> HolidayCalendar:
        nonlocal known
        if known is None:
            known = HolidayCalendar()
        return known

    return local, zone, DayEnv(local.date(), holidays)


def parse_when(
    text: str,
    now: datetime,
    *,
    tz: ZoneInfo | None = None,
    allow_past: bool = False,
    calendar: HolidayCalendar | None = None,
) -> When:
    """Resolve `text` against the aware moment `now` in `tz` (Asia/Shanghai by default).

    `calendar` answers "节后第一个工作日"; without one, the library's and estimated
    holidays do.
    """
    now, zone, env = _setup(now, tz, calendar)
    s = _normalise(text)
    later = _later(s, now, zone)
    if later is not None:
        return later
    return _choose(_moments(_read(s, env), env.today, zone), now, allow_past)


# --- ranges ----------------------------------------------------------------------------


def _end_of(right: str, start: When, reading: _Reading, env: DayEnv, zone: ZoneInfo) -> When:
    # The end is read from the start's day: "12月31日到1月2日" ends next year.
    from_start = DayEnv(start.at.date(), env.calendar)
    moments: list[When] = []
    # With the start's part of the day first ("下午3点到5点"), then without it
    # ("上午10点到1点" ends at 13:00).
    for inherit in dict.fromkeys((reading.part, None)):
        end_reading = _read(right, from_start, inherit_part=inherit)
        if end_reading.day is None:
            same_day = DayReading([(start.at.date(), "")], 0)
            end_reading = _Reading(same_day, end_reading.part, end_reading.of_day, False)
        moments = _moments(end_reading, start.at.date(), zone)
        for end in moments:
            if end.at - start.at > _LONGEST_SPAN:
                break
            if end.at > start.at or (not end.has_time and end.at.date() > start.at.date()):
                return end
    raise TimeParseError(
        f"结束时间{format_when(moments[0], start.at)}不晚于开始时间，"
        "请写成「下午3点到5点」或「15:30-17:00」这样。"
    )


def parse_span(
    text: str,
    now: datetime,
    *,
    tz: ZoneInfo | None = None,
    allow_past: bool = False,
    calendar: HolidayCalendar | None = None,
) -> Span:
    """A meeting's time: `text` as in parse_when, or a range "A到B" / "A-B"."""
    local, zone, env = _setup(now, tz, calendar)
    s = _normalise(text)
    problem: TimeParseError | None = None
    for sep in _RANGE.finditer(s):
        left, right = s[: sep.start()], s[sep.end() :]
        # "下午3-5点": the start's 点 is the end's.
        if left[-1:].isdigit() and _HOUR_AFTER.match(right):
            left += "点"
        try:
            reading = _read(left, env)
        except TimeParseError:
            continue
        try:
            start = _choose(_moments(reading, env.today, zone), local, allow_past)
            return Span(start, _end_of(right, start, reading, env, zone))
        except TimeParseError as bad:
            problem = problem or bad
    try:
        return Span(parse_when(text, now, tz=zone, allow_past=allow_past, calendar=calendar))
    except TimeParseError:
        if problem is not None:
            raise problem from None
        raise
