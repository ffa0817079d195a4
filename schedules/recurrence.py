"""Meeting recurrence as RFC 5545 RRULE text, and the holiday policy applied to it.

A rule is stored as text with its DTSTART in Asia/Shanghai:

    DTSTART;TZID=Asia/Shanghai:20261204T150000
    RRULE:FREQ=MONTHLY;BYDAY=+1FR

and expanded with python-dateutil. The kinds a secretary picks are read off
the first meeting: "monthly on the nth weekday" of a first Friday is BYDAY=+1FR,
of a fifth (i.e. last) Friday BYDAY=-1FR. Cron cannot say either.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from schedules.holidays import HolidayCalendar

Kind = Literal["once", "weekly", "monthly_day", "monthly_nth", "quarterly", "halfyearly"]
Policy = Literal["next", "skip", "keep"]
KINDS: tuple[Kind, ...] = (
    "once",
    "weekly",
    "monthly_day",
    "monthly_nth",
    "quarterly",
    "halfyearly",
)
POLICIES: tuple[Policy, ...] = ("next", "skip", "keep")
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DTSTART = re.compile(r"DTSTART;TZID=([^:]+):(\d{8}T\d{6})")


def nth_weekday(day: datetime) -> int:
    """Which weekday of its month `day` is: 1–4, or -1 for the last (a 5th)."""
    n = (day.day - 1) // 7 + 1
    return -1 if n == 5 else n


def build_rrule(kind: Kind, first: datetime, tz: ZoneInfo) -> str:
    local = first.astimezone(tz)
    start = f"DTSTART;TZID={tz.key}:{local.strftime('%Y%m%dT%H%M%S')}"
    weekday = _BYDAY[local.weekday()]
    rule = {
        "once": "FREQ=DAILY;COUNT=1",
        "weekly": f"FREQ=WEEKLY;BYDAY={weekday}",
        "monthly_day": f"FREQ=MONTHLY;BYMONTHDAY={local.day}",
        "monthly_nth": f"FREQ=MONTHLY;BYDAY={nth_weekday(local):+d}{weekday}",
        "quarterly": f"FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY={local.day}",
        "halfyearly": f"FREQ=MONTHLY;INTERVAL=6;BYMONTHDAY={local.day}",
    }[kind]
    return f"{start}\nRRULE:{rule}"


def kind_of(text: str) -> Kind:
    rule = text.rpartition("RRULE:")[2]
    if "COUNT=1" in rule:
        return "once"
    if "FREQ=WEEKLY" in rule:
        return "weekly"
    if "INTERVAL=3" in rule:
        return "quarterly"
    if "INTERVAL=6" in rule:
        return "halfyearly"
    return "monthly_nth" if "BYDAY" in rule else "monthly_day"


@lru_cache(maxsize=65536)
def first_start(text: str) -> datetime:
    match = _DTSTART.search(text)
    if match is None:
        raise ValueError(f"no DTSTART;TZID= in {text!r}")
    zone = ZoneInfo(match[1])
    return datetime.strptime(match[2], "%Y%m%dT%H%M%S").replace(tzinfo=zone)


@lru_cache(maxsize=65536)
def _rule(text: str) -> rrule:
    # dateutil's own DTSTART reading goes through its general date parser, the
    # bulk of the time when planning thousands of rules; the RRULE line alone
    # with a ready dtstart is several times faster, and rules repeat nightly.
    parsed = rrulestr(text.rpartition("RRULE:")[2], dtstart=first_start(text))
    assert isinstance(parsed, rrule)
    return parsed


def starts_between(text: str, start: datetime, end: datetime) -> list[datetime]:
    """Nominal starts of the rule in [start, end), in the rule's own zone."""
    zone = first_start(text).tzinfo
    found = _rule(text).between(start.astimezone(zone), end.astimezone(zone), inc=True)
    return [d for d in found if d < end]


class Workdays:
    """A HolidayCalendar's answers, remembered for one planning pass over many rules."""

    def __init__(self, calendar: HolidayCalendar) -> None:
        self.calendar = calendar
        self._workday: dict[date, bool] = {}

    def is_workday(self, day: date) -> bool:
        known = self._workday.get(day)
        if known is None:
            known = self._workday[day] = self.calendar.is_workday(day)
        return known

    def next_workday(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day


def apply_policy(
    start: datetime, policy: str, calendar: HolidayCalendar | Workdays
) -> datetime | None:
    """Where a meeting planned at `start` really happens; None when it is skipped.

    Only a weekday that is a rest day counts as a holiday: a meeting set on a
    Saturday on purpose (a 主题党日 outing) stays where it is.
    """
    day = start.date()
    if policy == "keep" or calendar.is_workday(day) or day.weekday() >= 5:
        return start
    if policy == "skip":
        return None
    moved = calendar.next_workday(day)
    return start + timedelta(days=(moved - day).days)
