from datetime import date, timedelta
from pathlib import Path

import pytest

from schedules.holidays import (
    STATUTORY_HOLIDAYS,
    HolidayCalendar,
    HolidayDay,
    HolidayFileError,
    HolidayPeriod,
    parse_holiday_file,
)
from tests.schedules.holiday_helpers import TABLE_2027


def _names(periods: list[HolidayPeriod]) -> dict[str, tuple[date, date]]:
    return {p.name: (p.start, p.end) for p in periods}


# --- parse_holiday_file -----------------------------------------------------------


def test_csv_with_header_ranges_and_workdays() -> None:
    days = parse_holiday_file(TABLE_2027)
    national = [d for d in days if d.name == "国庆节"]
    assert [d.day for d in national if d.kind == "holiday"] == [
        date(2027, 10, n) for n in range(1, 8)
    ]
    assert [d.day for d in national if d.kind == "workday"] == [
        date(2027, 9, 26),
        date(2027, 10, 9),
    ]
    assert days == sorted(days, key=lambda d: d.day)
    assert len(days) == 3 + 9 + 2 + 3 + 5 + 2 + 1 + 1 + 7 + 2


def test_csv_as_people_type_it() -> None:
    text = (
        "# 2027年国庆节放假安排\n"
        "\n"
        "２０２７-10-01 ～ 2027-10-03，休，国庆\n"  # full-width digits, ～ and commas
        "2027/10/04 至 2027/10/07,holiday,国庆节,,\n"  # spreadsheets add empty columns
        "2027年9月26日\tWorkday\t国庆节\n"
    )
    days = parse_holiday_file(text)
    assert [d.day.day for d in days] == [26, 1, 2, 3, 4, 5, 6, 7]
    assert days[0] == HolidayDay(date(2027, 9, 26), "workday", "国庆节")
    assert days[1] == HolidayDay(date(2027, 10, 1), "holiday", "国庆")


def test_json_dates_and_ranges() -> None:
    text = """[
      {"start": "2027-10-01", "end": "2027-10-07", "kind": "holiday", "name": "国庆节"},
      {"date": "2027-09-26", "kind": "班", "name": "国庆节"}
    ]"""
    days = parse_holiday_file(text)
    assert len(days) == 8
    assert days[0] == HolidayDay(date(2027, 9, 26), "workday", "国庆节")


def test_bad_csv_rows_are_all_reported_by_line() -> None:
    text = (
        "日期,类型,名称\n"
        "2027-10-01~2027-10-07,休,国庆节\n"
        "2027-13-01,休,国庆节\n"
        "2027-10-08,加班,国庆节\n"
        "2027-10-09,班\n"
        "2027-09-26,班,\n"
        "2027-10-05,休,国庆节\n"
        "2027-10-11,班,国庆节\n"
        "2027-10-20~2027-10-18,休,国庆节\n"
        "2027-01-01~2027-12-31,休,元旦\n"
        "十月一日,休,国庆节\n"
    )
    with pytest.raises(HolidayFileError) as caught:
        parse_holiday_file(text)
    problems = dict(caught.value.problems)
    assert list(problems) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "没有“2027-13-01”这一天" in problems[3]
    assert "类型“加班”" in problems[4]
    assert "应有 3 列" in problems[5]
    assert "缺少名称" in problems[6]
    assert problems[7] == "2027-10-05 已在第2行出现"
    assert "星期一" in problems[8]  # 班 on a weekday: 休 and 班 swapped
    assert "早于" in problems[9]
    assert "超过 31 天" in problems[10]
    assert "看不懂日期" in problems[11]
    message = str(caught.value)
    assert message.startswith("放假安排文件有误")
    assert "第3行：" in message and "第11行：" in message


def test_bad_json_items_are_reported_by_line() -> None:
    text = """[
      {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"},
      {"date": "2027-10-02", "kind": "holiday"},
      "2027-10-03",
      {"kind": "holiday", "name": "国庆节"}
    ]"""
    with pytest.raises(HolidayFileError) as caught:
        parse_holiday_file(text)
    assert [line for line, _ in caught.value.problems] == [3, 4, 5]


def test_broken_json_names_its_line() -> None:
    with pytest.raises(HolidayFileError) as caught:
        parse_holiday_file('[\n{"date": "2027-10-01",\n}\n]')
    assert caught.value.problems[0][0] == 3


def test_a_file_without_dates_is_an_error() -> None:
    with pytest.raises(HolidayFileError, match="没有任何日期"):
        parse_holiday_file("日期,类型,名称\n")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_files_are_read_in_the_encodings_excel_writes(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "holidays.csv"
    path.write_text(TABLE_2027, encoding=encoding)
    assert parse_holiday_file(path) == parse_holiday_file(TABLE_2027)
    assert parse_holiday_file(str(path)) == parse_holiday_file(TABLE_2027)


# --- HolidayCalendar: the library ---------------------------------------------------


def test_2026_from_the_library_with_its_tiaoxiu_workdays() -> None:
    calendar = HolidayCalendar()
    assert calendar.source(2026) == "library"
    assert not calendar.is_workday(date(2026, 10, 1))
    assert calendar.is_workday(date(2026, 9, 20))  # a Sunday paying for 国庆
    assert calendar.is_workday(date(2026, 10, 10))  # a Saturday paying for 国庆
    assert calendar.previous_workday(date(2026, 10, 1)) == date(2026, 9, 30)
    assert calendar.next_workday(date(2026, 9, 30)) == date(2026, 10, 8)
    assert calendar.previous_workday(date(2026, 2, 15)) == date(2026, 2, 14)  # a Saturday
    assert [(p.name, p.start, p.end, p.estimated) for p in calendar.holiday_periods(2026)] == [
        ("元旦", date(2026, 1, 1), date(2026, 1, 3), False),
        ("春节", date(2026, 2, 15), date(2026, 2, 23), False),
        ("清明节", date(2026, 4, 4), date(2026, 4, 6), False),
        ("劳动节", date(2026, 5, 1), date(2026, 5, 5), False),
        ("端午节", date(2026, 6, 19), date(2026, 6, 21), False),
        ("中秋节", date(2026, 9, 25), date(2026, 9, 27), False),
        ("国庆节", date(2026, 10, 1), date(2026, 10, 7), False),
    ]


def test_holidays_sharing_a_run_share_the_period() -> None:
    periods = _names(HolidayCalendar().holiday_periods(2025))
    assert periods["中秋节"] == periods["国庆节"] == (date(2025, 10, 1), date(2025, 10, 8))


def test_a_period_belongs_to_the_year_it_ends_in() -> None:
    calendar = HolidayCalendar()
    assert _names(calendar.holiday_periods(2024))["元旦"] == (date(2023, 12, 30), date(2024, 1, 1))
    assert _names(calendar.holiday_periods(2023))["元旦"] == (date(2022, 12, 31), date(2023, 1, 2))


def test_only_statutory_holidays_make_periods() -> None:
    calendar = HolidayCalendar()
    # 2015 also had 抗战胜利70周年纪念日 off; 2004 had no 清明, 端午 or 中秋 off.
    assert not calendar.is_workday(date(2015, 9, 3))
    assert [p.name for p in calendar.holiday_periods(2015)] == list(STATUTORY_HOLIDAYS)
    assert [p.name for p in calendar.holiday_periods(2004)] == ["元旦", "春节", "劳动节", "国庆节"]


# --- HolidayCalendar: years nobody knows -------------------------------------------


def test_an_unknown_year_is_estimated_and_does_not_raise() -> None:
    calendar = HolidayCalendar()
    assert calendar.source(2027) == "estimated"
    assert calendar.missing_years(2024, 2028) == [2027, 2028]
    assert not calendar.is_workday(date(2027, 10, 1))
    assert calendar.is_workday(date(2027, 10, 4))  # no 调休 is guessed
    periods = calendar.holiday_periods(2027)
    assert all(p.estimated for p in periods)
    assert _names(periods) == {
        "元旦": (date(2027, 1, 1), date(2027, 1, 3)),
        "春节": (date(2027, 2, 5), date(2027, 2, 8)),  # 除夕 to 初三, with the weekend
        "清明节": (date(2027, 4, 3), date(2027, 4, 5)),
        "劳动节": (date(2027, 5, 1), date(2027, 5, 2)),
        "端午节": (date(2027, 6, 9), date(2027, 6, 9)),
        "中秋节": (date(2027, 9, 15), date(2027, 9, 15)),
        "国庆节": (date(2027, 10, 1), date(2027, 10, 3)),
    }
    for year in (1900, 2003, 2100, 2150):
        calendar.holiday_periods(year)
        calendar.next_workday(date(year, 12, 31))


def test_a_loaded_table_wins_over_the_estimate() -> None:
    calendar = HolidayCalendar(parse_holiday_file(TABLE_2027))
    assert calendar.source(2027) == "table"
    assert calendar.missing_years(2026, 2028) == [2028]
    assert calendar.is_workday(date(2027, 9, 26))  # 班 on a Sunday
    assert calendar.next_workday(date(2027, 4, 30)) == date(2027, 5, 6)
    periods = calendar.holiday_periods(2027)
    assert not any(p.estimated for p in periods)
    assert _names(periods)["春节"] == (date(2027, 2, 5), date(2027, 2, 14))
    assert _names(periods)["国庆节"] == (date(2027, 10, 1), date(2027, 10, 7))


def test_a_holiday_missing_from_the_table_is_estimated() -> None:
    rows = [d for d in parse_holiday_file(TABLE_2027) if d.name != "端午节"]
    periods = {p.name: p for p in HolidayCalendar(rows).holiday_periods(2027)}
    assert periods["端午节"] == HolidayPeriod("端午节", date(2027, 6, 9), date(2027, 6, 9), True)
    assert not periods["国庆节"].estimated


def test_a_december_yuandan_row_belongs_to_next_years_notice() -> None:
    calendar = HolidayCalendar([HolidayDay(date(2027, 12, 31), "holiday", "元旦")])
    assert calendar.source(2027) == "estimated"
    assert calendar.source(2028) == "table"
    assert not calendar.is_workday(date(2027, 10, 1))  # still estimated, not a plain Friday
    assert not calendar.is_workday(date(2027, 12, 31))
    assert _names(calendar.holiday_periods(2028))["元旦"] == (date(2027, 12, 31), date(2028, 1, 2))


def test_table_rows_correct_a_library_year_day_by_day() -> None:
    calendar = HolidayCalendar([HolidayDay(date(2026, 12, 31), "holiday", "元旦")])
    assert calendar.source(2026) == "library"
    assert not calendar.is_workday(date(2026, 12, 31))
    assert calendar.is_workday(date(2026, 10, 10))  # the library's 调休 still holds


# --- partial notices and what is missing ---------------------------------------------

ONLY_NATIONAL_DAY_2027 = (
    "2027-10-01~2027-10-07,休,国庆节\n2027-09-26,班,国庆节\n2027-10-09,班,国庆节\n"
)


def test_a_partial_notice_keeps_the_missing_holidays_estimated() -> None:
    calendar = HolidayCalendar(parse_holiday_file(ONLY_NATIONAL_DAY_2027))
    estimate = HolidayCalendar()
    assert calendar.source(2027) == "table"
    # The 国庆 rows are as loaded …
    assert not calendar.is_workday(date(2027, 10, 7)) and estimate.is_workday(date(2027, 10, 7))
    assert calendar.is_workday(date(2027, 10, 9))  # a 调休 Saturday
    assert not calendar.is_estimated(date(2027, 10, 5))
    # … and outside them every day is what the estimate says: its holidays stay
    # rest days (they used to become workdays), flagged; other days are plain.
    loaded = {d.day for d in parse_holiday_file(ONLY_NATIONAL_DAY_2027)}
    day = date(2027, 1, 1)
    while day.year == 2027:
        if day not in loaded:
            assert calendar.is_workday(day) == estimate.is_workday(day), day
            if calendar.is_estimated(day):
                assert not calendar.is_workday(day), day
            elif day.weekday() < 5:
                assert calendar.is_workday(day), day
        day += timedelta(days=1)
    assert not calendar.is_workday(date(2027, 5, 1)) and calendar.is_estimated(date(2027, 5, 1))
    assert not calendar.is_workday(date(2027, 2, 8)) and calendar.is_estimated(date(2027, 2, 8))
    assert calendar.is_workday(date(2027, 5, 3)) and not calendar.is_estimated(date(2027, 5, 3))
    assert calendar.missing_holidays(2027) == (
        "元旦",
        "春节",
        "清明节",
        "劳动节",
        "端午节",
        "中秋节",
    )
    periods = {p.name: p for p in calendar.holiday_periods(2027)}
    assert periods["劳动节"].estimated and not periods["国庆节"].estimated
    assert set(periods) == set(STATUTORY_HOLIDAYS)


def test_missing_holidays_by_source() -> None:
    assert HolidayCalendar().missing_holidays(2026) == ()
    assert HolidayCalendar().missing_holidays(2027) == STATUTORY_HOLIDAYS
    assert HolidayCalendar(parse_holiday_file(TABLE_2027)).missing_holidays(2027) == ()
    # A December 元旦 row names 元旦 of the next year's notice.
    december = HolidayCalendar([HolidayDay(date(2027, 12, 31), "holiday", "元旦")])
    assert december.missing_holidays(2028) == STATUTORY_HOLIDAYS[1:]
    assert december.missing_holidays(2027) == STATUTORY_HOLIDAYS


def test_a_library_year_is_never_estimated() -> None:
    calendar = HolidayCalendar()
    assert not any(calendar.is_estimated(date(2026, 1, 1) + timedelta(days=n)) for n in range(365))
    assert calendar.is_estimated(date(2027, 3, 3))


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        # Before October only this year's notice is asked for, and 2026 is known.
        (date(2026, 9, 28), []),
        (date(2026, 10, 5), [(2027, STATUTORY_HOLIDAYS)]),
        (date(2026, 12, 28), [(2027, STATUTORY_HOLIDAYS)]),
        # January: 2027 is still unknown and 春节 is ahead — the warning goes on.
        (date(2027, 1, 1), [(2027, STATUTORY_HOLIDAYS)]),
        (date(2027, 1, 4), [(2027, STATUTORY_HOLIDAYS[1:])]),  # 元旦 is over
        (date(2027, 6, 30), [(2027, ("中秋节", "国庆节"))]),
        (date(2027, 10, 11), [(2028, STATUTORY_HOLIDAYS)]),
    ],
)
def test_which_notices_to_ask_for(today: date, expected: list[tuple[int, tuple[str, ...]]]) -> None:
    found = HolidayCalendar().to_load(today)
    assert [(m.year, m.holidays) for m in found] == expected


def test_a_partial_notice_is_asked_for_by_its_missing_holidays() -> None:
    calendar = HolidayCalendar(parse_holiday_file(ONLY_NATIONAL_DAY_2027))
    assert [(m.year, m.holidays) for m in calendar.to_load(date(2026, 11, 30))] == [
        (2027, ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节"))
    ]
    assert [(m.year, m.holidays) for m in calendar.to_load(date(2027, 9, 1))] == [
        (2027, ("中秋节",))
    ]
    whole = HolidayCalendar(parse_holiday_file(TABLE_2027))
    assert whole.to_load(date(2027, 1, 10)) == []
