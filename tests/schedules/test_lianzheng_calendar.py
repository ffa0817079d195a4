"""The 廉政 calendar: every occasion on its day, one message a day, each its own text.

Expected days are computed here with chinesecalendar and lunar-python (and the
festival table of CALENDAR.md, cross-checked with five lunar libraries).
"""

from datetime import date, timedelta

import chinese_calendar
import pytest
from lunar_python import Lunar

from schedules import lianzheng_texts as texts
from schedules.holidays import STATUTORY_HOLIDAYS, HolidayCalendar, parse_holiday_file
from schedules.lianzheng import (
    CalendarOptions,
    LianzhengEntry,
    Occasion,
    festival_dates,
    lianzheng_calendar,
    message,
    render_calendar,
)
from schedules.terms import SchoolTerms
from tests.schedules.holiday_helpers import TABLE_2027

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
# The occasions every year has, whatever the options.
EVERY_YEAR = (
    *THEMES,
    "jiaoyuri",
    "jiaoyuri_pre",
    "fanfubai",
    "fanfubai_pre",
    "qiyi",
    "jiaoshijie",
    "gaokao",
    "hanjia",
    "shujia",
    "pingyi",
)


def _by_day(entries: list[LianzhengEntry]) -> dict[date, LianzhengEntry]:
    return {e.day: e for e in entries}


def _days_of(entries: list[LianzhengEntry]) -> dict[str, date]:
    """Each occasion's key (with those riding along) and the day it goes out."""
    return {key: e.day for e in entries for key in (e.key, *e.also)}


def workday(day: date) -> bool:
    return bool(chinese_calendar.is_workday(day))


def on_or_before(day: date) -> date:
    while not workday(day):
        day -= timedelta(days=1)
    return day


def before_rest_run(day: date) -> date:
    """The last workday before the run of rest days holding `day`."""
    while not workday(day):
        day -= timedelta(days=1)
    return day


@pytest.mark.parametrize("year", sorted(REFERENCE))
def test_festival_dates_match_the_reference(year: int) -> None:
    found = festival_dates(year)
    expected = [date.fromisoformat(f"{year}-{md}") for md in REFERENCE[year]]
    assert [found[name] for name in ("春节", "清明", "端午", "中秋")] == expected


@pytest.mark.parametrize("year", range(2019, 2027))
def test_every_occasion_on_its_day_in_the_library_years(year: int) -> None:
    days = _days_of(lianzheng_calendar(year, HolidayCalendar()))
    lunar = {
        "chunjie": Lunar.fromYmd(year, 1, 1).getSolar(),
        "duanwu": Lunar.fromYmd(year, 5, 5).getSolar(),
        "zhongqiu": Lunar.fromYmd(year, 8, 15).getSolar(),
    }
    festivals = {k: date(s.getYear(), s.getMonth(), s.getDay()) for k, s in lunar.items()}
    festivals["qingming"] = festival_dates(year)["清明"]
    expected = {
        # A week ahead and on the day, on the workday before when that is a rest day.
        "jiaoyuri_pre": on_or_before(date(year, 5, 3)),
        "jiaoyuri": on_or_before(date(year, 5, 10)),
        "fanfubai_pre": on_or_before(date(year, 12, 2)),
        "fanfubai": on_or_before(date(year, 12, 9)),
        "qiyi": on_or_before(date(year, 6, 24)),
        "jiaoshijie": on_or_before(date(year, 9, 9)),
        "gaokao": on_or_before(date(year, 6, 6)),
        # Three days before mid-January's and early July's vacations.
        "hanjia": on_or_before(date(year, 1, 15)),
        "shujia": on_or_before(date(year, 7, 5)),
        "pingyi": on_or_before(date(year, 12, 15)),
    }
    for key, festival in festivals.items():
        # Before the holiday holding the festival (2020: 中秋 on 10月1日, inside 国庆).
        expected[key] = before_rest_run(festival)
    for key, day in expected.items():
        assert days[key] == day, (year, key)


def test_render_calendar_names_each_occasion_and_its_date() -> None:
    lines = render_calendar(lianzheng_calendar(2026, HolidayCalendar())).splitlines()
    assert "2026-04-03 周五  清明话“清” — 清明 4月5日" in lines
    assert "2026-02-14 周六  新春贺“廉” — 春节 2月17日" in lines
    assert "2026-09-30 周三  国庆节前廉政提醒 — 国庆节 10月1日" in lines
    # On its own day an occasion needs no date beside it.
    assert "2026-12-09 周三  国际反腐败日" in lines
    # 5月10日 is a Sunday; the Saturday before is a 调休 workday.
    assert "2026-05-09 周六  党风廉政教育日 — 党风廉政教育日 5月10日" in lines
    assert (
        lines[-1] == "2026-12-31 周四  元旦前廉政提醒 — 元旦 2027年1月1日（估算：尚无当年放假安排）"
    )
    assert lines == sorted(lines)


def test_occasions_due_the_same_day_are_one_message() -> None:
    # 2026: 5月3日 is inside 劳动节, so the week-ahead notice goes with the 节前 one.
    entry = _by_day(lianzheng_calendar(2026, HolidayCalendar()))[date(2026, 4, 30)]
    assert entry.key == "jiaoyuri_pre"
    assert entry.holidays == ("劳动节",)
    assert entry.title == "党风廉政教育日将至暨劳动节前廉政提醒"
    text = message(entry)
    assert text.startswith(f"【{entry.title}】")
    assert "警示教育" in text and "劳动节假期将至" in text


def test_a_theme_and_a_holiday_due_the_same_day_are_one_message() -> None:
    # 2025: 中秋 (10月6日) inside the 国庆 break of 10月1日–8日.
    entries = lianzheng_calendar(2025, HolidayCalendar())
    merged = _by_day(entries)[date(2025, 9, 30)]
    assert merged.key == "zhongqiu"
    assert merged.holidays == ("中秋节", "国庆节")
    assert merged.title == "中秋思“正”暨国庆节前廉政提醒"
    assert merged.occasions == (("中秋", date(2025, 10, 6)), ("国庆节", date(2025, 10, 1)))
    assert not any(e.key.startswith("jieqian:国庆") for e in entries)
    text = message(merged)
    assert text.startswith("【中秋思“正”暨国庆节前廉政提醒】")
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
    for entry in entries:
        if entry.holidays:
            assert entry.estimated, entry
    days = _by_day(entries)
    assert days[date(2027, 2, 4)].key == "chunjie"  # before 除夕, Friday 2月5日
    assert days[date(2027, 9, 30)].key == "jieqian:国庆节"
    assert days[date(2027, 12, 31)].key == "jieqian:元旦"  # 元旦 2028
    assert message(days[date(2027, 9, 30)]).endswith(texts.ESTIMATED_NOTE)
    # Plain weekdays need no notice: 5月10日 and 12月9日 of 2027 are a Monday and a Thursday.
    assert not days[date(2027, 5, 10)].estimated and not days[date(2027, 12, 9)].estimated


def test_a_loaded_table_is_preferred_over_the_estimate() -> None:
    entries = lianzheng_calendar(2027, HolidayCalendar(parse_holiday_file(TABLE_2027)))
    estimated = [(e.day, e.key) for e in entries if e.estimated]
    assert estimated == [(date(2027, 12, 31), "jieqian:元旦")]  # 2028 is still unknown
    assert "2027-02-04 周四  新春贺“廉” — 春节 2月6日" in render_calendar(entries)


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
    entries = lianzheng_calendar(year, HolidayCalendar())
    days = _days_of(entries)
    assert set(EVERY_YEAR) <= set(days)
    text = render_calendar(entries)
    assert "党风廉政教育日" in text and "国际反腐败日" in text


def test_every_year_one_message_a_day_and_every_occasion_once() -> None:
    calendar = HolidayCalendar()
    for year in range(1901, 2100):
        entries = lianzheng_calendar(year, calendar)
        days = [e.day for e in entries]
        assert days == sorted(set(days)), year
        assert all(day.year == year for day in days), year
        keys = [key for e in entries for key in (e.key, *e.also)]
        for key in EVERY_YEAR:
            assert keys.count(key) == 1, (year, key)
        # Every holiday period gets its 节前 points exactly once: those of the year
        # but 元旦, and 元旦 of the next year.
        covered = sorted(name for e in entries for name in e.holidays)
        expected = [p.name for p in calendar.holiday_periods(year) if p.name != "元旦"]
        expected += [p.name for p in calendar.holiday_periods(year + 1) if p.name == "元旦"]
        assert covered == sorted(expected), year
        if not 2004 <= year <= 2026:
            assert covered == sorted(STATUTORY_HOLIDAYS), year


# --- each occasion its own text --------------------------------------------------------


def test_qingming_wishes_nobody_a_happy_holiday() -> None:
    entries = lianzheng_calendar(2026, HolidayCalendar())
    for entry in entries:
        text = message(entry)
        assert text.startswith(f"【{entry.title}】")
        assert ("一、不收送礼金礼品" in text) == bool(entry.holidays)
        assert ("节日愉快" in text) == (bool(entry.holidays) and entry.holidays != ("清明节",))
    qingming = next(e for e in entries if e.key == "qingming")
    assert "祭扫" in message(qingming)


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("jiaoyuri_pre", ("5月10日", "警示教育")),
        ("jiaoyuri", ("5月10日", "警示教育")),
        ("fanfubai_pre", ("12月9日", "廉政教育")),
        ("fanfubai", ("12月9日", "廉洁自律准则")),
        ("jiaoshijie", ("廉洁从教", "礼品礼金")),
        ("hanjia", ("寒假", "有偿补课", "家长")),
        ("shujia", ("暑假", "有偿补课", "家长")),
        ("gaokao", ("高考", "招生")),
        ("qiyi", ("评选表彰", "党员教育")),
        ("pingyi", ("组织生活会", "民主评议")),
    ],
)
def test_each_occasion_says_its_own_thing(key: str, words: tuple[str, ...]) -> None:
    entries = lianzheng_calendar(2027, HolidayCalendar(parse_holiday_file(TABLE_2027)))
    entry = next(e for e in entries if key in (e.key, *e.also))
    text = message(entry)
    for word in words:
        assert word in text, (key, word)
    assert "节日愉快" not in texts.THEMES[key]


def test_admin_templates_replace_a_kind_and_keep_the_rest() -> None:
    entries = _by_day(lianzheng_calendar(2026, HolidayCalendar()))
    templates = {"qingming": "清明，文明祭扫。", "jieqian_qm": "{holiday}期间请廉洁自律。"}
    text = message(entries[date(2026, 4, 3)], templates)
    assert text == "【清明话“清”】\n清明，文明祭扫。\n清明节期间请廉洁自律。"
    assert texts.JIEQIAN.format(holiday="国庆节") in message(entries[date(2026, 9, 30)], templates)


def test_render_by_key() -> None:
    assert texts.render("jieqian:国庆节").startswith("【国庆节前廉政提醒】\n国庆节假期将至")
    assert "元旦假期将至" in texts.render("chunjie", holiday="元旦")
    assert texts.render("duanwu", estimated=True).endswith(texts.ESTIMATED_NOTE)
    assert texts.title("jieqian:中秋节、国庆节") == "中秋节、国庆节前廉政提醒"
    assert "节日愉快" not in texts.render("jieqian:清明节")
    assert texts.render("dangfei:03").startswith("【党费交纳提醒】")
    with pytest.raises(KeyError):
        texts.render("laodong")


# --- what a school adds ------------------------------------------------------------------


def test_vacation_reminders_follow_the_schools_term_dates() -> None:
    terms = SchoolTerms(
        [
            (date(2025, 9, 1), date(2026, 1, 23)),
            (date(2026, 3, 2), date(2026, 7, 10)),
            (date(2026, 9, 1), date(2027, 1, 29)),
        ]
    )
    days = _days_of(lianzheng_calendar(2026, HolidayCalendar(), CalendarOptions(terms=terms)))
    # Three days before the vacation begins (1月24日, 7月11日), on a workday.
    assert days["hanjia"] == on_or_before(date(2026, 1, 21))
    assert days["shujia"] == on_or_before(date(2026, 7, 8))
    # A vacation the terms do not bound (暑假 2027) falls back to early July.
    later = _days_of(lianzheng_calendar(2027, HolidayCalendar(), CalendarOptions(terms=terms)))
    default = _days_of(lianzheng_calendar(2027, HolidayCalendar()))
    assert later["shujia"] == default["shujia"]
    assert later["hanjia"] == date(2027, 1, 27)  # 1月30日 less three days: a Wednesday


def test_exam_dates_are_configurable() -> None:
    options = CalendarOptions(gaokao=(6, 7), zhongkao=(6, 24))
    days = _days_of(lianzheng_calendar(2026, HolidayCalendar(), options))
    assert days["zhongkao"] == on_or_before(date(2026, 6, 23))
    assert days["gaokao"] == on_or_before(date(2026, 6, 6))
    assert "zhongkao" not in _days_of(lianzheng_calendar(2026, HolidayCalendar()))


@pytest.mark.parametrize(
    ("dues", "months"), [("monthly", range(1, 13)), ("quarterly", (1, 4, 7, 10))]
)
def test_party_dues_on_the_first_workday(dues: str, months: range | tuple[int, ...]) -> None:
    options = CalendarOptions(party_dues=dues)  # type: ignore[arg-type]
    entries = lianzheng_calendar(2026, HolidayCalendar(), options)
    found = sorted(day for key, day in _days_of(entries).items() if key.startswith("dangfei:"))
    expected = []
    for month in months:
        day = date(2026, month, 1)
        while not workday(day):
            day += timedelta(days=1)
        expected.append(day)
    assert found == expected
    assert not any(
        k.startswith("dangfei") for k in _days_of(lianzheng_calendar(2026, HolidayCalendar()))
    )


def _lunar_solar(year: int, month: int, day: int) -> date:
    s = Lunar.fromYmd(year, month, day).getSolar()
    return date(s.getYear(), s.getMonth(), s.getDay())


def test_admins_own_occasions_solar_and_lunar_yearly_and_once() -> None:
    own = (
        Occasion("own:1", "校庆", 10, 18, text="校庆期间，不收受校友和家长馈赠。"),
        Occasion("own:2", "腊八廉政茶话会", 12, 8, lunar=True, ahead=2),
        Occasion("own:3", "招生工作启动", 7, 20, year=2026, text="招生工作严守“十不准”。"),
        Occasion("own:4", "冬至", 11, 5, lunar=True, year=2025),
        Occasion("own:5", "闰日", 2, 29),
    )
    options = CalendarOptions(occasions=own)
    days_2026 = _days_of(lianzheng_calendar(2026, HolidayCalendar(), options))
    days_2027 = _days_of(lianzheng_calendar(2027, HolidayCalendar(), options))
    assert days_2026["own:1"] == on_or_before(date(2026, 10, 18))
    # 腊八 of lunar 2025 and of lunar 2026 both fall in 2027 … or not: as lunar-python says.
    laba = [d for y in (2025, 2026) if (d := _lunar_solar(y, 12, 8)).year == 2026]
    assert ("own:2" in days_2026) == bool(laba)
    if laba:
        assert days_2026["own:2"] == on_or_before(laba[0] - timedelta(days=2))
    assert days_2026["own:3"] == on_or_before(date(2026, 7, 20))
    assert "own:3" not in days_2027
    winter = _lunar_solar(2025, 11, 5)
    assert ("own:4" in days_2026) == (winter.year == 2026)
    # 2月29日 in a common year is 2月28日: a 调休 Saturday in 2026.
    assert days_2026["own:5"] == on_or_before(date(2026, 2, 28))
    assert own[4].dates_in(2027) == [date(2027, 2, 28)] and own[4].dates_in(2028) == [
        date(2028, 2, 29)
    ]
    entry = next(
        e
        for e in lianzheng_calendar(2026, HolidayCalendar(), options)
        if "own:3" in (e.key, *e.also)
    )
    assert "招生工作严守“十不准”。" in message(entry)
    assert "招生工作启动" in entry.title


def test_an_occasion_that_cannot_be_is_refused() -> None:
    for bad in ((2, 30, False), (13, 1, False), (4, 31, False), (12, 31, True), (1, 0, True)):
        month, day, lunar = bad
        with pytest.raises(ValueError):
            Occasion("own:9", "x", month, day, lunar=lunar)
    assert Occasion("own:9", "x", 12, 30, lunar=True).dates_in(2027)
