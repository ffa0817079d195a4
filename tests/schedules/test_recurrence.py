"""Recurrence: days 29–31 never skip a month, the holiday policy, merging, labels.

Expected dates are computed here independently of the code under test: month
ends with dateutil's relativedelta (which clamps day=31 to the month's last),
workdays straight from chinesecalendar.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from dateutil.relativedelta import relativedelta

from schedules.holidays import HolidayCalendar
from schedules.recurrence import (
    Kind,
    Occurrence,
    Workdays,
    apply_policy,
    build_rrule,
    kind_of,
    merge_moved,
    normalise_rrule,
    occurrences,
    repeat_label,
    starts_between,
)

SH = ZoneInfo("Asia/Shanghai")
CALENDAR = HolidayCalendar()


def at(day: date, hour: int = 15) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SH)


def nominal_days(text: str, first: date, last: date) -> list[date]:
    return [d.date() for d in starts_between(text, at(first, 0), at(last, 23))]


def clamp(year: int, month: int, day: int) -> date:
    """`day` of the month, or its last day when shorter: relativedelta's own rule."""
    return date(year, month, 1) + relativedelta(day=day)


# --- days 29–31 ---------------------------------------------------------------------

STEP = {"monthly_day": 1, "quarterly": 3, "halfyearly": 6, "yearly": 12}


@pytest.mark.parametrize("kind", list(STEP))
@pytest.mark.parametrize("day", [28, 29, 30, 31])
@pytest.mark.parametrize("month", [1, 3, 8, 12])
def test_a_late_day_means_the_months_last_when_shorter(kind: Kind, day: int, month: int) -> None:
    first = clamp(2026, month, day)
    if first.day != day:
        pytest.skip("no such first meeting")
    text = build_rrule(kind, at(first), SH)
    found = nominal_days(text, first, date(2033, 12, 31))
    step = STEP[kind]
    expected = []
    k = 0
    while True:
        start = date(2026, month, 1) + relativedelta(months=k * step)
        if start.year > 2033:
            break
        expected.append(clamp(start.year, start.month, day))
        k += 1
    assert found == expected


@pytest.mark.parametrize(
    ("first", "kind", "label", "first_four"),
    [
        # 每季度末 from 12-31: every quarter's last day, 30th or 31st.
        ("2026-12-31", "quarterly", "每季度末（3月、6月、9月、12月的最后一天） 15:00",
         ["2026-12-31", "2027-03-31", "2027-06-30", "2027-09-30"]),
        ("2026-01-31", "monthly_day", "每月最后一天 15:00",
         ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]),
        ("2026-08-31", "halfyearly", "每半年（2月、8月的最后一天） 15:00",
         ["2026-08-31", "2027-02-28", "2027-08-31", "2028-02-29"]),
        ("2027-01-29", "monthly_day", "每月29日（2月为当月最后一天） 15:00",
         ["2027-01-29", "2027-02-28", "2027-03-29", "2027-04-29"]),
        ("2028-02-29", "yearly", "每年2月29日（平年为2月28日） 15:00",
         ["2028-02-29", "2029-02-28", "2030-02-28", "2031-02-28"]),
        ("2026-08-31", "yearly", "每年8月31日 15:00",
         ["2026-08-31", "2027-08-31", "2028-08-31", "2029-08-31"]),
        ("2026-11-30", "quarterly", "每季度（2月、5月、8月、11月的30日，2月为当月最后一天） 15:00",
         ["2026-11-30", "2027-02-28", "2027-05-30", "2027-08-30"]),
        ("2026-01-05", "monthly_day", "每月5日 15:00",
         ["2026-01-05", "2026-02-05", "2026-03-05", "2026-04-05"]),
        ("2026-01-02", "monthly_nth", "每月第一个周五 15:00",
         ["2026-01-02", "2026-02-06", "2026-03-06", "2026-04-03"]),
        ("2026-01-30", "monthly_nth", "每月最后一个周五 15:00",
         ["2026-01-30", "2026-02-27", "2026-03-27", "2026-04-24"]),
        ("2026-10-01", "weekly", "每周四 15:00",
         ["2026-10-01", "2026-10-08", "2026-10-15", "2026-10-22"]),
        ("2026-03-05", "quarterly", "每季度（3月、6月、9月、12月的5日） 15:00",
         ["2026-03-05", "2026-06-05", "2026-09-05", "2026-12-05"]),
    ],
)  # fmt: skip
def test_rules_read_and_expand(first: str, kind: Kind, label: str, first_four: list[str]) -> None:
    start = date.fromisoformat(first)
    text = build_rrule(kind, at(start), SH)
    assert kind_of(text) == kind
    assert repeat_label(text) == label
    found = nominal_days(text, start, start + timedelta(days=4 * 366))
    assert [d.isoformat() for d in found[:4]] == first_four


def test_a_rule_stored_before_no_longer_skips_months() -> None:
    old = "DTSTART;TZID=Asia/Shanghai:20261231T090000\nRRULE:FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=31"
    assert "BYMONTHDAY=-1" in normalise_rrule(old)
    found = nominal_days(old, date(2026, 12, 1), date(2027, 12, 31))
    assert found == [clamp(2026 + (m > 12), (m - 1) % 12 + 1, 31) for m in (12, 15, 18, 21, 24)]
    twenty_ninth = "DTSTART;TZID=Asia/Shanghai:20270129T090000\nRRULE:FREQ=MONTHLY;BYMONTHDAY=29"
    assert date(2027, 2, 28) in nominal_days(twenty_ninth, date(2027, 1, 1), date(2027, 3, 31))
    # Rules that never skipped are left alone.
    fifth = "DTSTART;TZID=Asia/Shanghai:20270105T090000\nRRULE:FREQ=MONTHLY;BYMONTHDAY=5"
    assert normalise_rrule(fifth) == fifth


# --- the holiday policy ---------------------------------------------------------------


def regular_workday(day: date) -> bool:
    return day.weekday() < 5 and chinese_calendar.is_workday(day)


def next_regular(day: date) -> date:
    day += timedelta(days=1)
    while not regular_workday(day):
        day += timedelta(days=1)
    return day


@pytest.mark.parametrize(
    ("nominal", "why"),
    [
        ("2026-04-05", "a Sunday inside 清明"),
        ("2026-09-05", "a Saturday"),
        ("2026-07-05", "a Sunday"),
        ("2026-05-05", "a weekday of 劳动节"),
        ("2026-10-05", "a weekday of 国庆"),
        ("2026-01-04", "a 调休 Sunday, not a regular workday"),
        ("2026-02-28", "a 调休 Saturday"),
    ],
)
def test_a_date_rule_moves_off_weekends_and_holidays(nominal: str, why: str) -> None:
    day = date.fromisoformat(nominal)
    text = build_rrule("monthly_day", at(day), SH)
    found = occurrences(text, "next", CALENDAR, at(day, 0), at(day + timedelta(days=20), 0))[0]
    assert found.at.date() == next_regular(day), why
    assert found.nominal == at(day) and found.moved and not found.estimated


def test_a_date_rule_on_a_workday_stays() -> None:
    text = build_rrule("monthly_day", at(date(2026, 3, 5)), SH)
    for o in occurrences(text, "next", CALENDAR, at(date(2026, 1, 1)), at(date(2027, 1, 1))):
        assert o.at.date() == (
            o.nominal.date()
            if regular_workday(o.nominal.date())
            else next_regular(o.nominal.date())
        )


def test_a_first_friday_taken_by_yuandan_goes_to_a_regular_workday() -> None:
    text = build_rrule("monthly_nth", at(date(2026, 1, 2)), SH)
    window = (at(date(2026, 1, 1), 0), at(date(2026, 1, 31), 0))
    (by_default,) = occurrences(text, "next", CALENDAR, *window)
    assert by_default.at.date() == date(2026, 1, 5)  # Monday, not the 调休 Sunday
    (swapped,) = occurrences(text, "next", CALENDAR, *window, swapped_workdays=True)
    assert swapped.at.date() == date(2026, 1, 4)
    # What the handler calls today keeps its old answer until it is rewired.
    assert apply_policy(at(date(2026, 1, 2)), "next", CALENDAR) == at(date(2026, 1, 4))


def test_a_weekday_rule_on_a_weekend_stays_put() -> None:
    # A 主题党日 outing on Saturdays: 2026-10-03 is inside 国庆 but a Saturday.
    text = build_rrule("weekly", at(date(2026, 9, 26)), SH)
    found = occurrences(text, "next", CALENDAR, at(date(2026, 9, 26), 0), at(date(2026, 10, 11), 0))
    assert [o.at.date() for o in found] == [
        date(2026, 9, 26),
        date(2026, 10, 3),
        date(2026, 10, 10),
    ]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("next", date(2026, 10, 8)),
        ("previous", date(2026, 9, 30)),
        ("keep", date(2026, 10, 2)),
        ("skip", None),
    ],
)
def test_policies(policy: str, expected: date | None) -> None:
    text = build_rrule("monthly_day", at(date(2026, 9, 2)), SH)
    found = occurrences(text, policy, CALENDAR, at(date(2026, 9, 25), 0), at(date(2026, 10, 20), 0))
    assert [o.at.date() for o in found if o.nominal.month == 10] == ([expected] if expected else [])


def test_a_move_on_estimated_data_says_so() -> None:
    text = build_rrule("monthly_day", at(date(2027, 9, 1)), SH)
    found = occurrences(text, "next", CALENDAR, at(date(2027, 9, 1), 0), at(date(2027, 11, 1), 0))
    october = next(o for o in found if o.nominal.month == 10)
    assert october.moved and october.estimated and october.at.date() == date(2027, 10, 4)
    assert not next(o for o in found if o.nominal.month == 9).estimated


# --- merging ------------------------------------------------------------------------------


def test_a_moved_meeting_landing_on_a_regular_one_is_that_one() -> None:
    text = build_rrule("weekly", at(date(2026, 9, 3), 10), SH)
    # The window starts after 10-01: its move into the window is still seen.
    for start in (date(2026, 9, 20), date(2026, 10, 5)):
        found = occurrences(text, "next", CALENDAR, at(start, 0), at(date(2026, 10, 20), 0))
        days = [o.at.date() for o in found]
        assert days == sorted(set(days))
        merged = next(o for o in found if o.at.date() == date(2026, 10, 8))
        assert merged.nominal == at(date(2026, 10, 8), 10)
        assert merged.merged == (at(date(2026, 10, 1), 10),)
        assert not merged.moved


def test_merge_moved_keeps_the_regular_one_and_the_earliest_slot() -> None:
    a, b, c = (at(date(2026, 10, n)) for n in (1, 2, 8))
    assert merge_moved([Occurrence(a, c), Occurrence(c, c)]) == [Occurrence(c, c, False, (a,))]
    assert merge_moved([Occurrence(b, c, True), Occurrence(a, c)]) == [Occurrence(a, c, True, (b,))]


# --- a year of meetings against an independent computation -----------------------------

Rule = Callable[[date], bool]


def _independent(rule: Rule, date_based: bool, year: int) -> list[tuple[date, tuple[date, ...]]]:
    """Nominal days by `rule`, moved as the policy says, merged by day: by hand."""
    by_day: dict[date, list[date]] = {}
    day = date(year, 1, 1)
    while day.year == year:
        if rule(day):
            moved = day
            rest = not chinese_calendar.is_workday(day)
            if (date_based and not regular_workday(day)) or (
                not date_based and rest and day.weekday() < 5
            ):
                moved = next_regular(day)
            by_day.setdefault(moved, []).append(day)
        day += timedelta(days=1)
    found = []
    for moved, slots in sorted(by_day.items()):
        keep = moved if moved in slots else min(slots)
        found.append((moved, tuple(s for s in sorted(slots) if s != keep)))
    return found


@pytest.mark.parametrize(
    ("kind", "first", "rule", "date_based"),
    [
        ("weekly", date(2026, 1, 1), lambda d: d.weekday() == 3, False),
        (
            "monthly_day",
            date(2026, 1, 31),
            lambda d: d == clamp(d.year, d.month, 31),
            True,
        ),
        (
            "quarterly",
            date(2026, 3, 31),
            lambda d: d.month % 3 == 0 and d == clamp(d.year, d.month, 31),
            True,
        ),
        ("yearly", date(2026, 10, 5), lambda d: (d.month, d.day) == (10, 5), True),
        ("monthly_day", date(2026, 1, 5), lambda d: d.day == 5, True),
    ],
)
def test_a_year_of_meetings(kind: Kind, first: date, rule: Rule, date_based: bool) -> None:
    text = build_rrule(kind, at(first), SH)
    found = occurrences(text, "next", Workdays(CALENDAR), at(first, 0), at(date(2027, 1, 1), 0))
    expected = [(day, slots) for day, slots in _independent(rule, date_based, 2026) if day >= first]
    assert [(o.at.date(), tuple(m.date() for m in o.merged)) for o in found] == expected
    assert all(o.at.time() == at(first).time() for o in found)
