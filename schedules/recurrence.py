"""Meeting recurrence as RFC 5545 RRULE text, and the holiday policy applied to it.

A rule is stored as text with its DTSTART in Asia/Shanghai:

    DTSTART;TZID=Asia/Shanghai:20261204T150000
    RRULE:FREQ=MONTHLY;BYDAY=+1FR

and expanded with python-dateutil. The kinds a secretary picks are read off
the first meeting: "monthly on the nth weekday" of a first Friday is BYDAY=+1FR,
of a fifth (i.e. last) Friday BYDAY=-1FR. Cron cannot say either.

A day of the month from 29 on means that day or, in a shorter month, the
month's last day: dateutil's BYMONTHDAY=31 silently skips the months without
a 31st, so the 31st is BYMONTHDAY=-1 and the 29th or 30th is the last of
28..N (BYSETPOS=-1). Rules stored before this was so are read the same way.

The holiday policy (`occurrences`, `apply_policy`):

- A rule on a date (every 5th, every quarter's last day, once a year) moves off
  any day that is not a workday, weekends included: 每月5日 must not stay on
  a Sunday.
- A rule on a weekday (every Thursday, the first Friday) moves only off a
  weekday that is a holiday: a meeting set on a Saturday on purpose (a 主题党日
  outing) stays where it is.
- "Workday" is Monday to Friday, not a holiday, unless the secretary chose to
  count the 调休 weekend days as workdays (`swapped_workdays`): by default a
  first Friday taken by 元旦 goes to the next Monday-to-Friday workday, not to
  the Sunday that is worked in its place.
- A moved occurrence that lands on a regular one of the same meeting is that
  one: one set of reminders, one check-in (`Occurrence.merged` names the slots
  it took in).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from schedules import recurrence_texts as texts
from schedules.holidays import HolidayCalendar

Kind = Literal["once", "weekly", "monthly_day", "monthly_nth", "quarterly", "halfyearly", "yearly"]
Policy = Literal["next", "previous", "skip", "keep"]
KINDS: tuple[Kind, ...] = (
    "once",
    "weekly",
    "monthly_day",
    "monthly_nth",
    "quarterly",
    "halfyearly",
    "yearly",
)
POLICIES: tuple[Policy, ...] = ("next", "previous", "skip", "keep")
# Kinds on a day of the month: they move off weekends too.
DATE_KINDS: frozenset[Kind] = frozenset({"monthly_day", "quarterly", "halfyearly", "yearly"})
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DTSTART = re.compile(r"DTSTART;TZID=([^:]+):(\d{8}T\d{6})")
_OLD_MONTHDAY = re.compile(r"BYMONTHDAY=(29|30|31)(?![\d,])")
# How far a nominal start can be moved: more than the longest run of rest days
# (春节 2020: 10 days) with weekends on both sides.
LOOKBACK = timedelta(days=31)


def nth_weekday(day: datetime) -> int:
    """Which weekday of its month `day` is: 1–4, or -1 for the last (a 5th)."""
    n = (day.day - 1) // 7 + 1
    return -1 if n == 5 else n


def _monthday(day: int) -> str:
    """BYMONTHDAY for `day` that never skips a month (see the module docstring)."""
    if day <= 28:
        return f"BYMONTHDAY={day}"
    if day == 31:
        return "BYMONTHDAY=-1"
    return "BYMONTHDAY=" + ",".join(str(d) for d in range(28, day + 1)) + ";BYSETPOS=-1"


def build_rrule(kind: Kind, first: datetime, tz: ZoneInfo) -> str:
    local = first.astimezone(tz)
    start = f"DTSTART;TZID={tz.key}:{local.strftime('%Y%m%dT%H%M%S')}"
    weekday = _BYDAY[local.weekday()]
    monthday = _monthday(local.day)
    rule = {
        "once": "FREQ=DAILY;COUNT=1",
        "weekly": f"FREQ=WEEKLY;BYDAY={weekday}",
        "monthly_day": f"FREQ=MONTHLY;{monthday}",
        "monthly_nth": f"FREQ=MONTHLY;BYDAY={nth_weekday(local):+d}{weekday}",
        "quarterly": f"FREQ=MONTHLY;INTERVAL=3;{monthday}",
        "halfyearly": f"FREQ=MONTHLY;INTERVAL=6;{monthday}",
        "yearly": f"FREQ=YEARLY;BYMONTH={local.month};{monthday}",
    }[kind]
    return f"{start}\nRRULE:{rule}"


def kind_of(text: str) -> Kind:
    rule = text.rpartition("RRULE:")[2]
    if "COUNT=1" in rule:
        return "once"
    if "FREQ=WEEKLY" in rule:
        return "weekly"
    if "FREQ=YEARLY" in rule:
        return "yearly"
    if "INTERVAL=3" in rule:
        return "quarterly"
    if "INTERVAL=6" in rule:
        return "halfyearly"
    return "monthly_nth" if "BYDAY" in rule else "monthly_day"


def normalise_rrule(text: str) -> str:
    """`text` with a day from 29 on read as "that day or the month's last" (rules stored
    before build_rrule wrote them so said BYMONTHDAY=31 and skipped short months)."""
    head, sep, rule = text.rpartition("RRULE:")
    if "BYSETPOS" in rule:
        return text
    fixed = _OLD_MONTHDAY.sub(lambda m: _monthday(int(m[1])), rule)
    return head + sep + fixed


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
    rule = normalise_rrule(text).rpartition("RRULE:")[2]
    parsed = rrulestr(rule, dtstart=first_start(text))
    assert isinstance(parsed, rrule)
    return parsed


def starts_between(text: str, start: datetime, end: datetime) -> list[datetime]:
    """Nominal starts of the rule in [start, end), in the rule's own zone."""
    zone = first_start(text).tzinfo
    found = _rule(text).between(start.astimezone(zone), end.astimezone(zone), inc=True)
    return [d for d in found if d < end]


def months_of(text: str) -> tuple[int, ...]:
    """The months a quarterly, half-yearly or yearly rule falls in, January first."""
    kind = kind_of(text)
    step = {"quarterly": 3, "halfyearly": 6, "yearly": 12}.get(kind)
    if step is None:
        return tuple(range(1, 13))
    first = first_start(text).month
    return tuple(sorted((first - 1 + k * step) % 12 + 1 for k in range(12 // step)))


def repeat_label(text: str) -> str:
    """How the rule reads in a preview or a list: "每月最后一天 15:00", "每周四 10:00" …"""
    first = first_start(text)
    return texts.repeat_label(kind_of(text), first, nth_weekday(first), months_of(text))


# --- the holiday policy -------------------------------------------------------------


class Days(Protocol):
    def is_workday(self, day: date) -> bool: ...

    def is_estimated(self, day: date) -> bool: ...


class Workdays:
    """A HolidayCalendar's answers, remembered for one planning pass over many rules."""

    def __init__(self, calendar: HolidayCalendar) -> None:
        self.calendar = calendar
        self._workday: dict[date, bool] = {}
        self._estimated: dict[date, bool] = {}

    def is_workday(self, day: date) -> bool:
        known = self._workday.get(day)
        if known is None:
            known = self._workday[day] = self.calendar.is_workday(day)
        return known

    def is_estimated(self, day: date) -> bool:
        known = self._estimated.get(day)
        if known is None:
            known = self._estimated[day] = self.calendar.is_estimated(day)
        return known


def _counts(day: date, days: Days, swapped_workdays: bool) -> bool:
    """A day a meeting may be moved to (or stay on, for a rule on a date)."""
    return days.is_workday(day) and (swapped_workdays or day.weekday() < 5)


def apply_policy(
    start: datetime,
    policy: str,
    calendar: Days,
    *,
    date_based: bool = False,
    swapped_workdays: bool = True,
) -> datetime | None:
    """Where a meeting planned at `start` really happens; None when it is skipped.

    A rule on a weekday (`date_based` false) moves only off a weekday that is a
    rest day. The defaults are the behaviour before date rules and 调休 were
    told apart; `occurrences` passes what the rule and the secretary say.
    """
    day = start.date()
    if policy == "keep":
        return start
    if date_based:
        if _counts(day, calendar, swapped_workdays):
            return start
    elif calendar.is_workday(day) or day.weekday() >= 5:
        return start
    if policy == "skip":
        return None
    step = timedelta(days=-1 if policy == "previous" else 1)
    moved = day + step
    while not _counts(moved, calendar, swapped_workdays):
        moved += step
    return start + timedelta(days=(moved - day).days)


@dataclass(frozen=True)
class Occurrence:
    """One meeting as it really happens.

    `nominal` is its slot in the rule (it names the reminder rows); `at` is when
    it happens after the holiday policy. `merged` holds the nominal slots of
    moved occurrences that landed on this one, and `estimated` says that the
    move (of this one or of a merged one) rests on estimated holiday data.
    """

    nominal: datetime
    at: datetime
    estimated: bool = False
    merged: tuple[datetime, ...] = ()

    @property
    def moved(self) -> bool:
        return self.at != self.nominal


def _estimated(nominal: datetime, at: datetime, days: Days) -> bool:
    first, last = sorted((nominal.date(), at.date()))
    span = (last - first).days
    return any(days.is_estimated(first + timedelta(days=n)) for n in range(span + 1))


def merge_moved(occurrences: Iterable[Occurrence]) -> list[Occurrence]:
    """One occurrence per day: a moved one landing on a day the meeting already
    has is folded into it (the regular one, else the earliest slot)."""
    by_day: dict[date, list[Occurrence]] = {}
    for occ in occurrences:
        by_day.setdefault(occ.at.date(), []).append(occ)
    merged = []
    for group in by_day.values():
        group.sort(key=lambda o: (o.moved, o.nominal))
        keep, *rest = group
        if rest:
            keep = Occurrence(
                keep.nominal,
                keep.at,
                keep.estimated or any(o.estimated for o in rest),
                tuple(sorted([*keep.merged, *(s for o in rest for s in (o.nominal, *o.merged))])),
            )
        merged.append(keep)
    return sorted(merged, key=lambda o: o.at)


def occurrences(
    text: str,
    policy: str,
    calendar: Days,
    start: datetime,
    end: datetime,
    *,
    swapped_workdays: bool = False,
) -> list[Occurrence]:
    """The meetings of the rule happening in [start, end), after the holiday policy
    and merging (the rules are in the module docstring)."""
    date_based = kind_of(text) in DATE_KINDS
    found = []
    # "previous" moves a start from after the window into it.
    for nominal in starts_between(text, start - LOOKBACK, end + LOOKBACK):
        at = apply_policy(
            nominal, policy, calendar, date_based=date_based, swapped_workdays=swapped_workdays
        )
        if at is not None:
            estimated = at != nominal and _estimated(nominal, at, calendar)
            found.append(Occurrence(nominal, at, estimated))
    return [o for o in merge_moved(found) if start <= o.at < end]
