"""Meeting quotas: periods, nag days on workdays, 寒暑假; term dates.

Expected days are computed here from chinesecalendar and dateutil, not copied.
"""

from datetime import date, timedelta

import chinese_calendar
import pytest
from dateutil.relativedelta import relativedelta

from schedules.cadences import (
    BY_KEY,
    CADENCES,
    Period,
    cadence_for,
    nag_days,
    nags_between,
    period_of,
    periods_between,
)
from schedules.holidays import HolidayCalendar
from schedules.recurrence_texts import period_label
from schedules.terms import SchoolTerms, Term

CALENDAR = HolidayCalendar()


def regular(day: date) -> bool:
    return day.weekday() < 5 and chinese_calendar.is_workday(day)


def on_or_after(day: date) -> date:
    while not regular(day):
        day += timedelta(days=1)
    return day


def on_or_before(day: date) -> date:
    while not regular(day):
        day -= timedelta(days=1)
    return day


@pytest.mark.parametrize(
    ("key", "months"),
    [
        ("dangyuan_dahui", 3),
        ("dangke", 3),
        ("zhiweihui", 1),
        ("dangxiaozu", 1),
        ("zhuti_dangri", 1),
        ("zhengzhi_xuexi", 1),
        ("congyan_zhidang", 6),
        ("yishixingtai", 6),
    ],
)
def test_periods_tile_the_year(key: str, months: int) -> None:
    cadence = BY_KEY[key]
    day = date(2026, 1, 1)
    while day.year == 2026:
        period = period_of(cadence, day)
        assert period is not None
        first_month = (day.month - 1) // months * months + 1
        start = date(2026, first_month, 1)
        assert (period.start, period.end) == (start, start + relativedelta(months=months, days=-1))
        day += timedelta(days=1)
    assert len(periods_between(cadence, date(2026, 1, 1), date(2026, 12, 31))) == 12 // months


@pytest.mark.parametrize(
    ("key", "day", "expected"),
    [
        ("zuzhi_shenghuohui", date(2026, 12, 10), ("2026-12-01", "2027-02-28", "2026")),
        ("zuzhi_shenghuohui", date(2027, 1, 15), ("2026-12-01", "2027-02-28", "2026")),
        ("minzhu_pingyi", date(2028, 2, 29), ("2027-12-01", "2028-02-29", "2027")),
        ("zuzhi_shenghuohui", date(2027, 6, 1), None),
        ("zuotanhui", date(2026, 3, 3), ("2026-01-01", "2026-06-30", "2026-H1")),
        ("zuotanhui", date(2026, 9, 30), ("2026-07-01", "2026-09-30", "2026-H2")),
        ("zuotanhui", date(2026, 11, 2), None),
        ("dangke", date(2026, 11, 2), ("2026-10-01", "2026-12-31", "2026-Q4")),
        ("zhiweihui", date(2026, 2, 14), ("2026-02-01", "2026-02-28", "2026-02")),
        ("yishixingtai", date(2026, 7, 1), ("2026-07-01", "2026-12-31", "2026-H2")),
    ],
)
def test_seasons_and_period_keys(
    key: str, day: date, expected: tuple[str, str, str] | None
) -> None:
    period = period_of(BY_KEY[key], day)
    if expected is None:
        assert period is None
    else:
        assert period is not None
        assert (period.start.isoformat(), period.end.isoformat(), period.key) == expected
        assert len(period.key) <= 7  # MonthlyDone.month holds it


@pytest.mark.parametrize(
    ("key", "label"),
    [("2026-12", "2026年12月"), ("2026-Q4", "2026年第四季度"), ("2026-H1", "2026年上半年"),
     ("2026-H2", "2026年下半年"), ("2026", "2026年度")],
)  # fmt: skip
def test_period_labels(key: str, label: str) -> None:
    assert period_label(key) == label


@pytest.mark.parametrize("month", range(1, 13))
def test_monthly_nags_on_the_20th_and_the_last_workday(month: int) -> None:
    cadence = BY_KEY["zhengzhi_xuexi"]
    period = period_of(cadence, date(2026, month, 1))
    assert period is not None
    found = [(n.day, n.last) for n in nag_days(period, CALENDAR)]
    last = on_or_before(date(2026, month, 1) + relativedelta(day=31))
    twentieth = on_or_after(date(2026, month, 20))
    expected = [(twentieth, False), (last, True)] if twentieth < last else [(last, True)]
    assert found == expected
    assert all(regular(day) for day, _ in found)


def test_the_sunday_20th_of_december_2026_nags_on_monday() -> None:
    period = period_of(BY_KEY["zhiweihui"], date(2026, 12, 1))
    assert period is not None
    assert [n.day for n in nag_days(period, CALENDAR)] == [date(2026, 12, 21), date(2026, 12, 31)]


def test_a_quarterly_duty_never_nags_monthly() -> None:
    cadence = cadence_for("党员大会")
    assert cadence is not None and cadence.title == "支部党员大会"
    nags = nags_between(cadence, date(2026, 1, 1), date(2026, 12, 31), CALENDAR)
    assert sorted({n.day.month for n in nags}) == [3, 6, 9, 12]
    assert [n.day for n in nags if n.last] == [
        on_or_before(date(2026, m, 1) + relativedelta(day=31)) for m in (3, 6, 9, 12)
    ]


def test_the_yearly_review_nags_at_the_end_of_its_season() -> None:
    # 2026-02-20 is inside 春节 (2月15日–23日): the nag waits for the 24th.
    nags = nags_between(BY_KEY["minzhu_pingyi"], date(2025, 12, 1), date(2026, 2, 28), CALENDAR)
    assert [(n.day, n.period.key, n.last) for n in nags] == [
        (on_or_after(date(2026, 2, 20)), "2025", False),
        (on_or_before(date(2026, 2, 28)), "2025", True),
    ]


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("党员大会", "dangyuan_dahui"),
        ("支部党员大会", "dangyuan_dahui"),
        ("支委会", "zhiweihui"),
        ("支部委员会会议", "zhiweihui"),
        ("第一党小组会", "dangxiaozu"),
        ("党课", "dangke"),
        ("主题党日", "zhuti_dangri"),
        ("教职工政治学习", "zhengzhi_xuexi"),
        ("政治学习", "zhengzhi_xuexi"),
        ("党派人员座谈会", "zuotanhui"),
        ("研究意识形态工作专题会", "yishixingtai"),
        ("研究全面从严治党工作", "congyan_zhidang"),
        ("党风廉政建设专题会", "congyan_zhidang"),
        ("专题组织生活会", "zuzhi_shenghuohui"),
        ("民主评议党员", "minzhu_pingyi"),
    ],
)
def test_cadence_for_a_title(title: str, key: str) -> None:
    found = cadence_for(title)
    assert found is not None and found.key == key


def test_unknown_titles_have_no_cadence() -> None:
    assert cadence_for("校庆筹备会") is None
    assert len({c.key for c in CADENCES}) == len(CADENCES)


# --- 寒暑假 ---------------------------------------------------------------------------

TERMS = SchoolTerms(
    [
        (date(2025, 9, 1), date(2026, 1, 16)),
        (date(2026, 3, 2), date(2026, 7, 3)),
        Term(date(2026, 9, 1), date(2027, 1, 22)),
    ]
)


def test_vacations_between_terms() -> None:
    assert [(v.kind, v.start, v.end) for v in TERMS.vacations] == [
        ("寒假", date(2026, 1, 17), date(2026, 3, 1)),
        ("暑假", date(2026, 7, 4), date(2026, 8, 31)),
    ]
    assert TERMS.last_day_before("寒假", 2026) == date(2026, 1, 16)
    assert TERMS.last_day_before("暑假", 2026) == date(2026, 7, 3)
    assert TERMS.last_day_before("寒假", 2027) == date(2027, 1, 22)  # the last term given
    assert TERMS.last_day_before("暑假", 2027) is None
    assert TERMS.vacation_of(date(2026, 8, 1)) is not None
    assert TERMS.vacation_of(date(2026, 9, 1)) is None


def test_terms_that_overlap_or_end_before_they_start_are_refused() -> None:
    with pytest.raises(ValueError, match="overlap"):
        SchoolTerms([(date(2026, 3, 1), date(2026, 7, 10)), (date(2026, 7, 1), date(2027, 1, 1))])
    with pytest.raises(ValueError, match="before"):
        SchoolTerms([(date(2026, 3, 1), date(2026, 2, 1))])


def test_nothing_nags_in_the_vacations() -> None:
    nags = nags_between(
        BY_KEY["zhengzhi_xuexi"], date(2026, 1, 1), date(2026, 12, 31), CALENDAR, TERMS
    )
    by_month: dict[int, list[date]] = {}
    for n in nags:
        assert TERMS.vacation_of(n.day) is None and regular(n.day)
        by_month.setdefault(n.period.start.month, []).append(n.day)
    # January: once, on the term's last workday before 寒假.
    assert by_month[1] == [on_or_before(date(2026, 1, 16))]
    # February lies wholly in 寒假, August in 暑假: no nag at all.
    assert 2 not in by_month and 8 not in by_month
    # July: the term ends on the 3rd.
    assert by_month[7] == [on_or_before(date(2026, 7, 3))]
    assert by_month[3] == [on_or_after(date(2026, 3, 20)), on_or_before(date(2026, 3, 31))]


def test_a_nag_in_a_vacation_waits_for_term_when_the_period_lasts() -> None:
    terms = SchoolTerms(
        [(date(2025, 9, 1), date(2026, 1, 16)), (date(2026, 2, 24), date(2026, 7, 3))]
    )
    period = period_of(BY_KEY["zhiweihui"], date(2026, 2, 1))
    assert period is not None
    assert [n.day for n in nag_days(period, CALENDAR, terms)] == [
        on_or_after(date(2026, 2, 24)),
        on_or_before(date(2026, 2, 28)),
    ]


def test_a_period_wholly_in_a_vacation_has_no_nags() -> None:
    period = Period("zhiweihui", date(2026, 8, 1), date(2026, 8, 31), "2026-08")
    assert nag_days(period, CALENDAR, TERMS) == []
