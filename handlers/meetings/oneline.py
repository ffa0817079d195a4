"""`/会议 新建 每月第一个周五15:00 支委会`: a meeting in one line.

The schedule is read off the words: "每月第一个周五15:00" (monthly on the nth
weekday), "每月5日15:00" (a day of the month), "每周三16:00" (weekly), or one
moment ("12月4日15:00", "下周五下午3点"). The rest of the line is the title;
a title that is one of the kinds (支委会, 党课 …) is that kind. `地点 …` gives
the place. What the line does not say gets the defaults a secretary would
pick (this group, reminded a day and an hour before, moved to the next
workday on a holiday), and the preview asks once for 确认.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.context import Context
from handlers.meetings import texts as t
from schedules.timeparse import TimeParseError, parse_when

_NTH = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAY |= {str(i): i - 1 for i in range(1, 8)}
_MONTHLY_NTH = re.compile(
    r"每个?月的?(?:第(?P<n>[一二三四1-4])个|(?P<last>最后一个))(?:周|星期|礼拜)"
    r"(?P<wd>[一二三四五六日天1-7])(?P<time>.*)"
)
_MONTHLY_DAY = re.compile(r"每个?月的?(?P<day>\d{1,2})[日号](?P<time>.*)")
_WEEKLY = re.compile(r"每(?:个)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])(?P<time>.*)")


@dataclass(frozen=True)
class Schedule:
    repeat: str
    first: datetime


def _clock(ctx: Context, text: str) -> time | None:
    """The time of day in "15:00", "下午3点"; None when it names none."""
    if not text:
        return None
    try:
        when = parse_when(text, ctx.now, tz=ctx.tz, allow_past=True)
    except TimeParseError:
        return None
    return when.at.timetz().replace(tzinfo=None) if when.has_time else None


def _nth_weekday(year: int, month: int, n: int, weekday: int) -> date | None:
    days = [
        date(year, month, d)
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if date(year, month, d).weekday() == weekday
    ]
    if n == -1:
        return days[-1]
    return days[n - 1] if n <= len(days) else None


def _months(start: date) -> list[tuple[int, int]]:
    y, m = start.year, start.month
    out = []
    for _ in range(14):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def read_schedule(ctx: Context, text: str) -> Schedule | None:
    """The schedule `text` says, first start not in the past; None when it is not one."""
    now = ctx.local_now
    if m := _MONTHLY_NTH.fullmatch(text):
        at = _clock(ctx, m["time"])
        if at is None:
            return None
        n = -1 if m["last"] else _NTH[m["n"]]
        for y, mo in _months(now.date()):
            day = _nth_weekday(y, mo, n, _WEEKDAY[m["wd"]])
            if day is not None and (start := datetime.combine(day, at, ctx.tz)) > now:
                return Schedule("monthly_nth", start)
        return None
    if m := _MONTHLY_DAY.fullmatch(text):
        at = _clock(ctx, m["time"])
        wanted = int(m["day"])
        if at is None or not 1 <= wanted <= 31:
            return None
        for y, mo in _months(now.date()):
            if wanted <= calendar.monthrange(y, mo)[1]:
                start = datetime.combine(date(y, mo, wanted), at, ctx.tz)
                if start > now:
                    return Schedule("monthly_day", start)
        return None
    if m := _WEEKLY.fullmatch(text):
        at = _clock(ctx, m["time"])
        if at is None:
            return None
        ahead = (_WEEKDAY[m["wd"]] - now.weekday()) % 7
        start = datetime.combine(now.date() + timedelta(days=ahead), at, ctx.tz)
        return Schedule("weekly", start if start > now else start + timedelta(days=7))
    try:
        once = parse_when(text, ctx.now, tz=ctx.tz)
    except TimeParseError:
        return None
    return Schedule("once", once.at) if once.has_time else None


def split_line(ctx: Context, words: list[str]) -> tuple[Schedule | None, str]:
    """(the schedule, the title) of the words after `/会议 新建`.

    The schedule is the longest run of words that reads as one; the other
    words are the title.
    """
    for start in range(len(words)):
        for end in range(len(words), start, -1):
            found = read_schedule(ctx, "".join(words[start:end]))
            if found is not None:
                return found, " ".join(words[:start] + words[end:])
    return None, " ".join(words)


def kind_of_title(title: str) -> tuple[str, str]:
    """(kind code, name): a title that is a kind's label is that kind, else "other"."""
    for code, label in t.KINDS.items():
        if code != "other" and title == label:
            return code, ""
    return "other", title
