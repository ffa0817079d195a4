"""`/会议 新建 每月第一个周五15:00 支委会`: a meeting in one line.

The schedule is read off the words: "每月第一个周五15:00" (monthly on the nth
weekday), "每月5日15:00" (a day of the month), "每周三16:00" (weekly),
"每月最后一天15:00" / "每季度末" / "每半年末" / "每年年底" (the period's last
day), "每年7月1日9:00", "每季度 3月20日…" / "每半年 8月31日…" (from that date),
or one moment ("12月4日15:00", "下周五下午3点"). Times are read as the guided
flow reads them (timing.read_span): a range "15:30-17:00" / "下午三点到五点"
sets the meeting's end, and the parser's notes (2月29日 in a year without one)
are said. The rest of the line is the title;
a title that is one of the kinds (支委会, 党课 …) is that kind. `地点 …` gives
the place. What the line does not say gets the defaults a secretary would
pick (this group, reminded a day and an hour before, moved to the next
workday on a holiday — to the previous one for a period's last day, so the
meeting stays in its month or quarter), and the preview asks once for 确认.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.context import Context
from bot.conversation import Invalid
from handlers.meetings import texts as t
from handlers.meetings.timing import read_span
from schedules.holidays import HolidayCalendar
from schedules.recurrence import Kind, Policy

_NTH = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAY |= {str(i): i - 1 for i in range(1, 8)}
_MONTHLY_NTH = re.compile(
    r"每个?月的?(?:第(?P<n>[一二三四1-4])个|(?P<last>最后一个))(?:周|星期|礼拜)"
    r"(?P<wd>[一二三四五六日天1-7])(?P<time>.*)"
)
_MONTHLY_DAY = re.compile(r"每个?月的?(?P<day>\d{1,2})[日号](?P<time>.*)")
_WEEKLY = re.compile(r"每(?:个)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])(?P<time>.*)")
_PERIOD = r"(?P<every>个?月|季度?|半年|年)"
_LAST_DAY = re.compile(
    rf"每{_PERIOD}的?(?:最后一天|最后1天|末|底|月底|月末|季末|年底|年末)(?P<time>.*)"
)
_A_DATE = r"(?P<rest>[\d一二三四五六七八九十]{1,3}月[\d一二三四五六七八九十]{1,3}[日号].*)"
_FROM_DATE = re.compile(rf"每{_PERIOD}的?{_A_DATE}")
# A period's kind and its months' step.
_EVERY: dict[str, tuple[Kind, int]] = {
    "月": ("monthly_day", 1),
    "个月": ("monthly_day", 1),
    "季": ("quarterly", 3),
    "季度": ("quarterly", 3),
    "半年": ("halfyearly", 6),
    "年": ("yearly", 12),
}


@dataclass(frozen=True)
class Schedule:
    repeat: Kind
    first: datetime
    # Minutes, when the time was a range.
    duration: int = 0
    notes: tuple[str, ...] = ()
    policy: Policy = "next"


def _clock(ctx: Context, text: str, holidays: HolidayCalendar) -> tuple[time, int] | None:
    """The time of day in "15:00", "下午3点到5点" and the minutes of a range;
    None when it names none."""
    if not text:
        return None
    try:
        found = read_span(ctx, text, holidays, allow_past=True)
    except Invalid:
        return None
    return found.start.astimezone(ctx.tz).time(), found.duration


def _nth_weekday(year: int, month: int, n: int, weekday: int) -> date | None:
    days = [
        date(year, month, d)
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if date(year, month, d).weekday() == weekday
    ]
    if n == -1:
        return days[-1]
    return days[n - 1] if n <= len(days) else None


def _days_in(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _months(start: date) -> list[tuple[int, int]]:
    y, m = start.year, start.month
    out = []
    for _ in range(14):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _month_back(year: int, month: int, step: int) -> tuple[int, int]:
    month -= step
    return (year - 1, month + 12) if month < 1 else (year, month)


def _last_day(ctx: Context, every: str, text: str, holidays: HolidayCalendar) -> Schedule | None:
    """Each period's last day: the next one, stored from a month with a 31st.

    A rule started on a 30th means "the 30th or the month's last" (recurrence),
    so a quarter-end rule starting on 6月30日 would meet on 12月30日; one started
    on a 31st is the last day of every month it falls in.
    """
    clock = _clock(ctx, text, holidays)
    if clock is None:
        return None
    at, duration = clock
    kind, step = _EVERY[every]
    now = ctx.local_now
    for y, mo in _months(now.date()):
        if (mo - 12) % step:
            continue
        if datetime.combine(date(y, mo, _days_in(y, mo)), at, ctx.tz) > now:
            break
    else:
        return None
    while _days_in(y, mo) < 31:
        y, mo = _month_back(y, mo, step)
    first = datetime.combine(date(y, mo, 31), at, ctx.tz)
    # Moved off a rest day to the workday before, so it stays in its period.
    return Schedule(kind, first, duration, policy="previous")


def read_schedule(ctx: Context, text: str, holidays: HolidayCalendar) -> Schedule | None:
    """The schedule `text` says, next meeting not in the past; None when it is not one."""
    now = ctx.local_now
    if m := _MONTHLY_NTH.fullmatch(text):
        clock = _clock(ctx, m["time"], holidays)
        if clock is None:
            return None
        n = -1 if m["last"] else _NTH[m["n"]]
        for y, mo in _months(now.date()):
            day = _nth_weekday(y, mo, n, _WEEKDAY[m["wd"]])
            if day is not None and (start := datetime.combine(day, clock[0], ctx.tz)) > now:
                return Schedule("monthly_nth", start, clock[1])
        return None
    if m := _LAST_DAY.fullmatch(text):
        return _last_day(ctx, m["every"], m["time"], holidays)
    if m := _MONTHLY_DAY.fullmatch(text):
        clock = _clock(ctx, m["time"], holidays)
        wanted = int(m["day"])
        if clock is None or not 1 <= wanted <= 31:
            return None
        for y, mo in _months(now.date()):
            if wanted <= _days_in(y, mo):
                start = datetime.combine(date(y, mo, wanted), clock[0], ctx.tz)
                if start > now:
                    return Schedule("monthly_day", start, clock[1])
        return None
    if m := _WEEKLY.fullmatch(text):
        clock = _clock(ctx, m["time"], holidays)
        if clock is None:
            return None
        ahead = (_WEEKDAY[m["wd"]] - now.weekday()) % 7
        start = datetime.combine(now.date() + timedelta(days=ahead), clock[0], ctx.tz)
        return Schedule("weekly", start if start > now else start + timedelta(days=7), clock[1])
    if (m := _FROM_DATE.fullmatch(text)) and _EVERY[m["every"]][0] != "monthly_day":
        kind = _EVERY[m["every"]][0]
        return _once(ctx, m["rest"], holidays, kind)
    return _once(ctx, text, holidays, "once")


def _once(ctx: Context, text: str, holidays: HolidayCalendar, kind: Kind) -> Schedule | None:
    """A schedule from the moment `text` names (the first meeting of `kind`)."""
    try:
        found = read_span(ctx, text, holidays)
    except Invalid:
        return None
    return Schedule(kind, found.start, found.duration, found.notes)


def split_line(
    ctx: Context, words: list[str], holidays: HolidayCalendar
) -> tuple[Schedule | None, str]:
    """(the schedule, the title) of the words after `/会议 新建`.

    The schedule is the longest run of words that reads as one; the other
    words are the title.
    """
    for start in range(len(words)):
        for end in range(len(words), start, -1):
            found = read_schedule(ctx, "".join(words[start:end]), holidays)
            if found is not None:
                return found, " ".join(words[:start] + words[end:])
    return None, " ".join(words)


def kind_of_title(title: str) -> tuple[str, str]:
    """(kind code, name): a title that is a kind's label is that kind, else "other"."""
    for code, label in t.KINDS.items():
        if code != "other" and title == label:
            return code, ""
    return "other", title
