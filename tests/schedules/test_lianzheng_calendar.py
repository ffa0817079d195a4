from datetime import date

import pytest

from schedules import lianzheng_texts as texts
from schedules.holidays import STATUTORY_HOLIDAYS, HolidayCalendar, parse_holiday_file
from schedules.lianzheng import (
    LianzhengEntry,
    festival_dates,
    lianzheng_calendar,
    message,
    render_calendar,
)
from tests.schedules.test_holidays import TABLE_2027

# CALENDAR.md, cross-checked with five lunar libraries.
REFERENCE = {
    2025: ("01-29", "04-04", "05-31", "10-06"),
    2026: ("02-17", "04-05", "06-19", "09-25"),
    2027: ("02-06", "04-05", "06-09", "09-15"),
    2028: ("01-26", "04-04", "05-28", "10-03"),
    2030: ("02-03", "04-05", "06-05", "09-12"),
    2035: ("02-08", "04-05", "06-10", "09-16"),
    2050: ("01-23", "04-04", "06-23", "09-30"),
}

THEMES = ("chunjie", "qingming", "duanwu", "zhongqiu")


def _by_day(entries: list[LianzhengEntry]) -> dict[date, LianzhengEntry]:
    return {e.day: e for e in entries}


@pytest.mark.parametrize("year", sorted(REFERENCE))
def test_festival_dates_match_the_reference(year: int) -> None:
    found = festival_dates(year)
    expected = [date.fromisoformat(f"{year}-{md}") for md in REFERENCE[year]]
    assert [found[name] for name in ("春节", "清明", "端午", "中秋")] == expected


def test_2026_from_the_library() -> None:
    entries = lianzheng_calendar(2026, HolidayCalendar())
    assert [(e.day, e.key, e.holidays, e.estimated) for e in entries] == [
        # The last workday before 2月15日 is a 调休 Saturday.
        (date(2026, 2, 14), "chunjie", ("春节",), False),
        (date(2026, 4, 3), "qingming", ("清明节",), False),
        (date(2026, 4, 30), "jieqian:劳动节", ("劳动节",), False),
        (date(2026, 5, 10), "jiaoyuri", (), False),
        (date(2026, 6, 18), "duanwu", ("端午节",), False),
        (date(2026, 9, 24), "zhongqiu", ("中秋节",), False),
        (date(2026, 9, 30), "jieqian:国庆节", ("国庆节",), False),
        (date(2026, 12, 9), "fanfubai", (), False),
        # 元旦 2027: chinesecalendar does not know 2027 yet.
        (date(2026, 12, 31), "jieqian:元旦", ("元旦",), True),
    ]


def test_render_calendar_2026() -> None:
    assert render_calendar(lianzheng_calendar(2026, HolidayCalendar())) == "\n".join(
        [
            "2026-02-14 周六  新春贺“廉”",
            "2026-04-03 周五  清明话“清”",
            "2026-04-30 周四  劳动节前廉政提醒",
            "2026-05-10 周日  党风廉政教育日",
            "2026-06-18 周四  端午颂“洁”",
            "2026-09-24 周四  中秋思“正”",
            "2026-09-30 周三  国庆节前廉政提醒",
            "2026-12-09 周三  国际反腐败日",
            "2026-12-31 周四  元旦前廉政提醒（估算：尚无当年放假安排）",
        ]
    )


def test_a_theme_and_a_holiday_due_the_same_day_are_one_message() -> None:
    # 2025: 中秋 (10月6日) inside the 国庆 break of 10月1日–8日.
    entries = lianzheng_calendar(2025, HolidayCalendar())
    merged = _by_day(entries)[date(2025, 9, 30)]
    assert merged.key == "zhongqiu"
    assert merged.holidays == ("中秋节", "国庆节")
    assert merged.title == "中秋思“正”暨国庆节前廉政提醒"
    assert not any(e.key.startswith("jieqian:国庆") for e in entries)
    text = message(merged)
    assert text.startswith("【中秋思“正”】")
    assert "中秋节、国庆节假期将至" in text


def test_a_festival_the_data_files_under_another_holiday_still_merges() -> None:
    # 2020: 中秋 fell on 10月1日, which chinesecalendar names 国庆 only.
    entry = _by_day(lianzheng_calendar(2020, HolidayCalendar()))[date(2020, 9, 30)]
    assert (entry.key, entry.holidays) == ("zhongqiu", ("国庆节",))
    assert entry.title == "中秋思“正”暨国庆节前廉政提醒"


def test_yuandan_reminder_is_in_the_year_it_is_sent() -> None:
    calendar = HolidayCalendar()
    days_2025 = _by_day(lianzheng_calendar(2025, calendar))
    days_2026 = _by_day(lianzheng_calendar(2026, calendar))
    assert days_2025[date(2025, 12, 31)].key == "jieqian:元旦"
    assert not days_2025[date(2025, 12, 31)].estimated
    assert date(2025, 12, 31) not in days_2026
    # 元旦 2024 began on Saturday 2023-12-30.
    assert _by_day(lianzheng_calendar(2023, calendar))[date(2023, 12, 29)].key == "jieqian:元旦"


def test_a_year_without_data_is_estimated() -> None:
    entries = lianzheng_calendar(2027, HolidayCalendar())
    assert len(entries) == 9
    for entry in entries:
        assert entry.estimated == (entry.key not in ("jiaoyuri", "fanfubai"))
    days = _by_day(entries)
    assert days[date(2027, 2, 4)].key == "chunjie"  # before 除夕, Friday 2月5日
    assert days[date(2027, 9, 30)].key == "jieqian:国庆节"
    assert days[date(2027, 12, 31)].key == "jieqian:元旦"  # 元旦 2028
    assert message(days[date(2027, 9, 30)]).endswith(texts.ESTIMATED_NOTE)


def test_a_loaded_table_is_preferred_over_the_estimate() -> None:
    entries = lianzheng_calendar(2027, HolidayCalendar(parse_holiday_file(TABLE_2027)))
    estimated = [(e.day, e.key) for e in entries if e.estimated]
    assert estimated == [(date(2027, 12, 31), "jieqian:元旦")]  # 2028 is still unknown
    assert render_calendar(entries).splitlines()[0] == "2027-02-04 周四  新春贺“廉”"


def test_the_tables_period_moves_the_reminder() -> None:
    # A made-up notice giving 国庆 from Thursday 9月30日, where the estimate says 10月1日.
    table = TABLE_2027.replace("2027-10-01~2027-10-07,休", "2027-09-30~2027-10-07,休")
    days = _by_day(lianzheng_calendar(2027, HolidayCalendar(parse_holiday_file(table))))
    assert days[date(2027, 9, 29)].key == "jieqian:国庆节"
    assert date(2027, 9, 30) not in days


def test_a_festival_that_is_no_holiday_gets_its_theme_without_holiday_points() -> None:
    # 清明 became a holiday in 2008; in 2005 it fell on Tuesday 4月5日.
    qingming = _by_day(lianzheng_calendar(2005, HolidayCalendar()))[date(2005, 4, 4)]
    assert (qingming.key, qingming.holidays, qingming.estimated) == ("qingming", (), False)
    assert "八项规定" not in message(qingming)


@pytest.mark.parametrize("year", [1901, 2099])
def test_the_far_years_have_calendars(year: int) -> None:
    text = render_calendar(lianzheng_calendar(year, HolidayCalendar()))
    assert len(text.splitlines()) == 9
    assert f"{year}-05-10" in text and f"{year}-12-09" in text


def test_every_year_one_message_a_day_and_every_occasion_once() -> None:
    calendar = HolidayCalendar()
    for year in range(1901, 2100):
        entries = lianzheng_calendar(year, calendar)
        days = [e.day for e in entries]
        assert days == sorted(set(days)), year
        assert all(day.year == year for day in days), year
        keys = [e.key for e in entries]
        for key in ("jiaoyuri", "fanfubai", *THEMES):
            assert keys.count(key) == 1, (year, key)
        # Every holiday period gets its 节前 points exactly once: those of the year
        # but 元旦, and 元旦 of the next year.
        covered = sorted(name for e in entries for name in e.holidays)
        expected = [p.name for p in calendar.holiday_periods(year) if p.name != "元旦"]
        expected += [p.name for p in calendar.holiday_periods(year + 1) if p.name == "元旦"]
        assert covered == sorted(expected), year
        if not 2004 <= year <= 2026:
            assert covered == sorted(STATUTORY_HOLIDAYS), year


def test_messages_of_every_kind() -> None:
    entries = lianzheng_calendar(2025, HolidayCalendar())
    for entry in entries:
        text = message(entry)
        assert text.startswith(f"【{texts.title(entry.key)}】")
        assert ("中央八项规定" in text) == bool(entry.holidays)
    days = _by_day(entries)
    assert "警示教育" in message(days[date(2025, 5, 10)])
    assert "国际反腐败日" in message(days[date(2025, 12, 9)])
    assert "新春" in message(days[date(2025, 1, 27)])


def test_render_by_key() -> None:
    assert texts.render("jieqian:国庆节").startswith("【国庆节前廉政提醒】\n国庆节假期将至")
    assert "元旦假期将至" in texts.render("chunjie", holiday="元旦")
    assert texts.render("duanwu", estimated=True).endswith(texts.ESTIMATED_NOTE)
    assert texts.title("jieqian:中秋节、国庆节") == "中秋节、国庆节前廉政提醒"
    with pytest.raises(KeyError):
        texts.render("laodong")
