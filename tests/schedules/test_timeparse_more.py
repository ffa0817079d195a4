"""More of what teachers type: month ends, festivals, notices' weekdays, ranges.

Every expected day is computed here, from the `now` of its row, with dateutil
(relativedelta), lunar-python and chinesecalendar — never copied from the code.
"""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from dateutil.relativedelta import FR, MO, SA, TH, relativedelta
from lunar_python import Lunar

from schedules.holidays import HolidayCalendar, HolidayDay
from schedules.timeparse import TimeParseError, parse_span, parse_when

SH = ZoneInfo("Asia/Shanghai")


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


# Wednesday evening and morning of the reference day, a Saturday, a month's and a
# year's last day, a leap-year February, and a day just before 春节 2027.
EVENING = moment("2026-11-25T20:00")
MORNING = moment("2026-11-25T09:10")
SATURDAY = moment("2026-11-28T10:00")
JAN31 = moment("2026-01-31T08:00")
DEC31 = moment("2026-12-31T10:00")
FEB_LEAP = moment("2028-02-10T10:00")
BEFORE_SPRING = moment("2027-02-01T10:00")
NOWS = (EVENING, MORNING, SATURDAY, JAN31, DEC31, FEB_LEAP, BEFORE_SPRING)

Expect = Callable[[date], date]


def rd(**kw: int | object) -> Expect:
    return lambda today: today + relativedelta(**kw)  # type: ignore[arg-type]


def first_not_before(today: date, candidates: list[date]) -> date:
    return min(d for d in candidates if d >= today)


def solar_next(month: int, day: int) -> Expect:
    return lambda today: first_not_before(
        today, [date(y, month, day) for y in (today.year, today.year + 1)]
    )


def lunar_day(year: int, month: int, day: int) -> date:
    s = Lunar.fromYmd(year, month, day).getSolar()
    return date(s.getYear(), s.getMonth(), s.getDay())


def lunar_next(month: int, day: int) -> Expect:
    return lambda today: first_not_before(
        today, [lunar_day(y, month, day) for y in range(today.year - 1, today.year + 2)]
    )


def qingming_next(today: date) -> date:
    days = []
    for y in (today.year, today.year + 1):
        s = Lunar.fromYmd(y, 1, 1).getJieQiTable()["清明"]
        days.append(date(s.getYear(), s.getMonth(), s.getDay()))
    return first_not_before(today, days)


def eve_next(today: date) -> date:
    return first_not_before(
        today, [lunar_day(y, 1, 1) - timedelta(days=1) for y in (today.year, today.year + 1)]
    )


def next_monday(t: date) -> date:
    monday: date = t + relativedelta(days=1, weekday=MO)
    return monday


def month_end(shift: int) -> Expect:
    return rd(months=shift, day=31)


def month_start_next(today: date) -> date:
    return first_not_before(
        today, [today + relativedelta(day=1), today + relativedelta(months=1, day=1)]
    )


def mid_month_next(today: date) -> date:
    return first_not_before(
        today, [today + relativedelta(day=15), today + relativedelta(months=1, day=15)]
    )


def named_month(month: int, day: int) -> Expect:
    """`day` of `month` (31: its last), this year or next, not before today."""
    return lambda today: first_not_before(
        today, [date(y, month, 1) + relativedelta(day=day) for y in (today.year, today.year + 1)]
    )


# --- days only: (text, expected day from today) -------------------------------------------

DAYS: list[tuple[str, Expect]] = [
    # Month and year ends and starts.
    ("月底", month_end(0)),
    ("月底前", month_end(0)),
    ("月末", month_end(0)),
    ("本月底", month_end(0)),
    ("这个月底", month_end(0)),
    ("本月月底", month_end(0)),
    ("下月底", month_end(1)),
    ("下个月底", month_end(1)),
    ("下个月月底", month_end(1)),
    ("下下个月底", month_end(2)),
    ("下月底前", month_end(1)),
    ("月初", month_start_next),
    ("下月初", rd(months=1, day=1)),
    ("下个月初", rd(months=1, day=1)),
    ("月中", mid_month_next),
    ("下月中", rd(months=1, day=15)),
    ("年底", lambda t: date(t.year, 12, 31)),
    ("年底前", lambda t: date(t.year, 12, 31)),
    ("年末", lambda t: date(t.year, 12, 31)),
    ("今年年底", lambda t: date(t.year, 12, 31)),
    ("明年年底", lambda t: date(t.year + 1, 12, 31)),
    ("明年初", lambda t: date(t.year + 1, 1, 1)),
    ("明年年初", lambda t: date(t.year + 1, 1, 1)),
    ("12月底", named_month(12, 31)),
    ("二月底", named_month(2, 31)),
    ("8月底前", named_month(8, 31)),
    ("3月中", named_month(3, 15)),
    ("10月初", named_month(10, 1)),
    # A day of this month, next month, the month after.
    ("下个月5号", rd(months=1, day=5)),
    ("下月5日", rd(months=1, day=5)),
    ("下个月一号", rd(months=1, day=1)),
    ("下下个月10号", rd(months=2, day=10)),
    ("下月二十八日", rd(months=1, day=28)),
    # A day of this year or next.
    ("明年1月10日", lambda t: date(t.year + 1, 1, 10)),
    ("明年一月十日", lambda t: date(t.year + 1, 1, 10)),
    ("明年3月5号", lambda t: date(t.year + 1, 3, 5)),
    ("后年元旦", lambda t: date(t.year + 2, 1, 1)),
    ("明年国庆", lambda t: date(t.year + 1, 10, 1)),
    ("明年端午", lambda t: lunar_day(t.year + 1, 5, 5)),
    # Month.day as notices abbreviate it.
    ("12.3", solar_next(12, 3)),
    ("12.25", solar_next(12, 25)),
    ("1.5", solar_next(1, 5)),
    ("10.14", solar_next(10, 14)),
    ("6.30", solar_next(6, 30)),
    ("12月3号", solar_next(12, 3)),
    ("12月3", solar_next(12, 3)),
    # Weekends.
    ("下周末", lambda t: next_monday(t) + relativedelta(weekday=SA)),
    ("下个周末", lambda t: next_monday(t) + relativedelta(weekday=SA)),
    ("下下周末", lambda t: next_monday(t) + relativedelta(weeks=1, weekday=SA)),
    ("周末", lambda t: t + relativedelta(weekday=SA)),
    # Festivals, solar and lunar.
    ("元旦", solar_next(1, 1)),
    ("元旦前", solar_next(1, 1)),
    ("除夕", eve_next),
    ("大年夜", eve_next),
    ("春节", lunar_next(1, 1)),
    ("春节前", lunar_next(1, 1)),
    ("过年", lunar_next(1, 1)),
    ("大年初一", lunar_next(1, 1)),
    ("大年初二", lunar_next(1, 2)),
    ("大年初三", lunar_next(1, 3)),
    ("正月初一", lunar_next(1, 1)),
    ("正月初八", lunar_next(1, 8)),
    ("正月十五", lunar_next(1, 15)),
    ("元宵节", lunar_next(1, 15)),
    ("元宵", lunar_next(1, 15)),
    ("二月初二", lunar_next(2, 2)),
    ("清明", qingming_next),
    ("清明节", qingming_next),
    ("清明节前", qingming_next),
    ("五一", solar_next(5, 1)),
    ("五一前", solar_next(5, 1)),
    ("劳动节", solar_next(5, 1)),
    ("五四", solar_next(5, 4)),
    ("青年节", solar_next(5, 4)),
    ("六一", solar_next(6, 1)),
    ("儿童节", solar_next(6, 1)),
    ("端午", lunar_next(5, 5)),
    ("端午节", lunar_next(5, 5)),
    ("农历五月初五", lunar_next(5, 5)),
    ("七一", solar_next(7, 1)),
    ("建党节", solar_next(7, 1)),
    ("八一", solar_next(8, 1)),
    ("建军节", solar_next(8, 1)),
    ("七夕", lunar_next(7, 7)),
    ("教师节", solar_next(9, 10)),
    ("中秋", lunar_next(8, 15)),
    ("中秋节", lunar_next(8, 15)),
    ("农历八月十五", lunar_next(8, 15)),
    ("国庆", solar_next(10, 1)),
    ("国庆节", solar_next(10, 1)),
    ("十一", solar_next(10, 1)),
    ("十一前", solar_next(10, 1)),
    ("重阳", lunar_next(9, 9)),
    ("重阳节", lunar_next(9, 9)),
    ("冬月初一", lunar_next(11, 1)),
    ("腊八", lunar_next(12, 8)),
    ("腊月二十三", lunar_next(12, 23)),
    ("腊月廿三", lunar_next(12, 23)),
    ("三八", solar_next(3, 8)),
    ("妇女节", solar_next(3, 8)),
    ("植树节", solar_next(3, 12)),
    # Later by months and years.
    ("3个月后", rd(months=3)),
    ("三个月后", rd(months=3)),
    ("两个月以后", rd(months=2)),
    ("半个月后", lambda t: t + timedelta(days=15)),
    ("半年后", rd(months=6)),
    ("1年后", rd(years=1)),
    ("一年以后", rd(years=1)),
]


@pytest.mark.parametrize("now", NOWS, ids=lambda n: n.strftime("%Y%m%d%H%M"))
@pytest.mark.parametrize(("text", "expected"), DAYS, ids=[t for t, _ in DAYS])
def test_reads_a_day(now: datetime, text: str, expected: Expect) -> None:
    w = parse_when(text, now)
    assert not w.has_time
    assert w.at.date() == expected(now.date())
    assert w.at.time() == time() and w.at.tzinfo == SH


# --- moments: (now, text, expected) ------------------------------------------------------


def on(now: datetime, day: Expect, hour: int, minute: int = 0) -> str:
    return datetime.combine(day(now.date()), time(hour, minute), SH).isoformat()


def today(t: date) -> date:
    return t


def tomorrow(t: date) -> date:
    return t + timedelta(days=1)


MOMENTS: list[tuple[datetime, str, str]] = [
    # Month ends and festivals with a time.
    (EVENING, "月底下午5点", on(EVENING, month_end(0), 17)),
    (EVENING, "月底前17:00", on(EVENING, month_end(0), 17)),
    (EVENING, "下月初上午9点", on(EVENING, rd(months=1, day=1), 9)),
    (EVENING, "年底前下班前", on(EVENING, lambda t: date(t.year, 12, 31), 17)),
    (EVENING, "下月5日上午9点", on(EVENING, rd(months=1, day=5), 9)),
    (EVENING, "下个月5号下午三点半", on(EVENING, rd(months=1, day=5), 15, 30)),
    (EVENING, "明年1月10日上午十点", on(EVENING, lambda t: date(t.year + 1, 1, 10), 10)),
    (EVENING, "12.3下午3点", on(EVENING, solar_next(12, 3), 15)),
    (EVENING, "12.3 15:00", on(EVENING, solar_next(12, 3), 15)),
    (EVENING, "国庆节上午9点", on(EVENING, solar_next(10, 1), 9)),
    (EVENING, "中秋节晚上7点", on(EVENING, lunar_next(8, 15), 19)),
    (EVENING, "正月初八上午8点半", on(EVENING, lunar_next(1, 8), 8, 30)),
    (EVENING, "元旦前下午", on(EVENING, solar_next(1, 1), 15)),
    (EVENING, "除夕晚上8点", on(EVENING, eve_next, 20)),
    # Weekdays in brackets, as notices write them; checked against the date.
    (EVENING, "12月3日（星期四）下午5点前", on(EVENING, solar_next(12, 3), 17)),
    (EVENING, "12月3日(周四)下午5点", on(EVENING, solar_next(12, 3), 17)),
    (EVENING, "12月3日（四）15:00", on(EVENING, solar_next(12, 3), 15)),
    (EVENING, "12月3日星期四下午三点", on(EVENING, solar_next(12, 3), 15)),
    (EVENING, "12月3日 周四 下午3点", on(EVENING, solar_next(12, 3), 15)),
    (EVENING, "11月30日（周一）上午9点", on(EVENING, solar_next(11, 30), 9)),
    (EVENING, "2026年12月4日（星期五）下午", on(EVENING, lambda t: date(2026, 12, 4), 15)),
    (EVENING, "定于12月3日（星期四）下午3点", on(EVENING, solar_next(12, 3), 15)),
    (EVENING, "截止12月3日17:00", on(EVENING, solar_next(12, 3), 17)),
    (EVENING, "明天17:00截止", on(EVENING, tomorrow, 17)),
    (EVENING, "于12月3日上午9点", on(EVENING, solar_next(12, 3), 9)),
    (moment("2022-10-10T09:00"), "10月14日（星期五）下午下班前", "2022-10-14T17:00:00+08:00"),
    (moment("2022-10-10T09:00"), "10月14日（星期五）", "2022-10-14"),
    # 差 minutes before the hour.
    (MORNING, "差五分三点", on(MORNING, today, 14, 55)),
    (MORNING, "三点差五分", on(MORNING, today, 14, 55)),
    (MORNING, "差一刻三点", on(MORNING, today, 14, 45)),
    (MORNING, "三点差一刻", on(MORNING, today, 14, 45)),
    (MORNING, "差十分十点", on(MORNING, today, 9, 50)),
    (MORNING, "下午差五分三点", on(MORNING, today, 14, 55)),
    (MORNING, "差5分12点", on(MORNING, today, 11, 55)),
    (EVENING, "明天差五分八点", on(EVENING, tomorrow, 7, 55)),
    (EVENING, "明天上午十点差十分", on(EVENING, tomorrow, 9, 50)),
    # Work's start and end.
    (MORNING, "今天下班前", on(MORNING, today, 17)),
    (MORNING, "下班前", on(MORNING, today, 17)),
    (MORNING, "下午下班前", on(MORNING, today, 17)),
    (MORNING, "中午下班前", on(MORNING, today, 12)),
    (MORNING, "上午下班前", on(MORNING, today, 12)),
    (MORNING, "下午上班", on(MORNING, today, 14)),
    (EVENING, "明天下班前", on(EVENING, tomorrow, 17)),
    (EVENING, "明早上班前", on(EVENING, tomorrow, 8)),
    (EVENING, "明天上班前", on(EVENING, tomorrow, 8)),
    (EVENING, "周五下班前", on(EVENING, lambda t: t + relativedelta(weekday=FR), 17)),
    # What notices add around a time.
    (MORNING, "3点左右", on(MORNING, today, 15)),
    (MORNING, "下午3点开始", on(MORNING, today, 15)),
    (MORNING, "下午四点半之前", on(MORNING, today, 16, 30)),
    (EVENING, "本周五17:00前", on(EVENING, lambda t: t + relativedelta(weekday=FR), 17)),
    (EVENING, "这个星期五下午", on(EVENING, lambda t: t + relativedelta(weekday=FR), 15)),
    (EVENING, "后天下午四点半", on(EVENING, rd(days=2), 16, 30)),
    (EVENING, "12/3 15:00", on(EVENING, solar_next(12, 3), 15)),
    (
        EVENING,
        "下周四上午十点",
        on(EVENING, lambda t: next_monday(t) + relativedelta(weekday=TH), 10),
    ),
    (EVENING, "下周末上午", on(EVENING, lambda t: next_monday(t) + relativedelta(weekday=SA), 9)),
    # A bare 7–11点 that has passed: the evening, then the next morning.
    (moment("2026-11-25T08:30"), "7点", on(EVENING, today, 19)),
    (moment("2026-11-25T08:30"), "七点半", on(EVENING, today, 19, 30)),
    (moment("2026-11-25T08:30"), "8点", on(EVENING, today, 20)),
    (moment("2026-11-25T08:30"), "9点", on(EVENING, today, 9)),
    (moment("2026-11-25T12:00"), "十一点", on(EVENING, today, 23)),
    (moment("2026-11-25T22:00"), "9点", on(EVENING, tomorrow, 9)),
    (moment("2026-11-25T22:00"), "七点", on(EVENING, tomorrow, 7)),
    (moment("2026-11-25T23:30"), "11点", on(EVENING, tomorrow, 11)),
    (moment("2026-11-25T22:00"), "差五分八点", on(EVENING, tomorrow, 7, 55)),
    # Offsets.
    (EVENING, "一刻钟后", "2026-11-25T20:15:00+08:00"),
    (EVENING, "十五分钟后", "2026-11-25T20:15:00+08:00"),
]


@pytest.mark.parametrize(("now", "text", "expected"), MOMENTS, ids=[t for _, t, _ in MOMENTS])
def test_reads_a_moment(now: datetime, text: str, expected: str) -> None:
    assert parse_when(text, now).iso() == expected


# --- holidays: the first workday after --------------------------------------------------


def first_workday_after(start: date, holiday: str | None) -> date | None:
    """From chinesecalendar alone: the next run of rest days holding `holiday`
    (any statutory one when None), and the first workday after it; None when
    that is beyond the years the library knows."""
    day = start
    while day.year <= 2026:
        rest, name = chinese_calendar.get_holiday_detail(day)
        if rest and name is not None and (holiday is None or name == holiday):
            while not chinese_calendar.is_workday(day):
                day += timedelta(days=1)
            return day
        day += timedelta(days=1)
    return None


AFTER_HOLIDAYS = [
    ("节后第一个工作日", None),
    ("节后第一天上班", None),
    ("假期后第一天", None),
    ("节后上班第一天", None),
    ("国庆后第一天上班", "National Day"),
    ("国庆后第一天", "National Day"),
    ("国庆节后第一个工作日", "National Day"),
    ("十一后第一天上班", "National Day"),
    ("国庆假期后第一天", "National Day"),
    ("春节后第一个工作日", "Spring Festival"),
    ("春节后上班第一天", "Spring Festival"),
    ("五一后第一天上班", "Labour Day"),
    ("劳动节后第一个工作日", "Labour Day"),
    ("端午节后第一天", "Dragon Boat Festival"),
    ("中秋后第一个工作日", "Mid-autumn Festival"),
    ("元旦后第一天上班", "New Year's Day"),
    ("清明节后第一个工作日", "Tomb-sweeping Day"),
]


# Each phrase from three days of 2026, where the holiday is still ahead that year.
AFTER_CASES = [
    (start, text, expected)
    for start in ("2026-01-10T09:00", "2026-04-01T09:00", "2026-09-20T09:00")
    for text, holiday in AFTER_HOLIDAYS
    if (expected := first_workday_after(moment(start).date(), holiday)) is not None
]


@pytest.mark.parametrize(("start", "text", "expected"), AFTER_CASES)
def test_the_first_workday_after_a_holiday(start: str, text: str, expected: date) -> None:
    now = moment(start)
    w = parse_when(text, now)
    assert (w.at.date(), w.has_time, w.note) == (expected, False, "")
    assert parse_when(text + "上午9点", now).at == datetime.combine(expected, time(9), SH)


def test_after_a_holiday_uses_the_loaded_notice_and_says_when_it_guesses() -> None:
    now = moment("2027-09-01T09:00")
    guess = parse_when("国庆后第一天上班", now)
    assert guess.at.date() == date(2027, 10, 4) and "估算" in guess.note
    loaded = [HolidayDay(date(2027, 10, d), "holiday", "国庆节") for d in range(1, 8)]
    calendar = HolidayCalendar(loaded)
    known = parse_when("国庆后第一天上班", now, calendar=calendar)
    assert (known.at.date(), known.note) == (date(2027, 10, 8), "")


# --- ranges --------------------------------------------------------------------------------

SPANS: list[tuple[datetime, str, tuple[str, str]]] = [
    (MORNING, "下午三点到五点", ("2026-11-25T15:00", "2026-11-25T17:00")),
    (MORNING, "15:30-17:00", ("2026-11-25T15:30", "2026-11-25T17:00")),
    (MORNING, "15:30~17:00", ("2026-11-25T15:30", "2026-11-25T17:00")),
    (MORNING, "15:30～17:00", ("2026-11-25T15:30", "2026-11-25T17:00")),
    (MORNING, "15:30—17:00", ("2026-11-25T15:30", "2026-11-25T17:00")),
    (MORNING, "15:30——17:00", ("2026-11-25T15:30", "2026-11-25T17:00")),
    (MORNING, "15:30至17:00", ("2026-11-25T15:30", "2026-11-25T17:00")),
    (MORNING, "15:30到17:00", ("2026-11-25T15:30", "2026-11-25T17:00")),
    (MORNING, "下午3-5点", ("2026-11-25T15:00", "2026-11-25T17:00")),
    (MORNING, "3点到5点", ("2026-11-25T15:00", "2026-11-25T17:00")),
    (MORNING, "九点半到十一点", ("2026-11-25T09:30", "2026-11-25T11:00")),
    (MORNING, "上午10点到下午5点", ("2026-11-25T10:00", "2026-11-25T17:00")),
    (MORNING, "上午十点到一点", ("2026-11-25T10:00", "2026-11-25T13:00")),
    (MORNING, "下午2:30-4:00", ("2026-11-25T14:30", "2026-11-25T16:00")),
    (MORNING, "晚上7点到9点", ("2026-11-25T19:00", "2026-11-25T21:00")),
    (MORNING, "今晚7点到8点半", ("2026-11-25T19:00", "2026-11-25T20:30")),
    (EVENING, "明天14:00－15:00", ("2026-11-26T14:00", "2026-11-26T15:00")),
    (EVENING, "明天上午九点至十一点", ("2026-11-26T09:00", "2026-11-26T11:00")),
    (EVENING, "周五14:30—16:00", ("2026-11-27T14:30", "2026-11-27T16:00")),
    (EVENING, "下周三下午两点半到四点", ("2026-12-02T14:30", "2026-12-02T16:00")),
    (EVENING, "2026-12-01 09:00-10:30", ("2026-12-01T09:00", "2026-12-01T10:30")),
    (EVENING, "12月3日（星期四）下午3点到5点", ("2026-12-03T15:00", "2026-12-03T17:00")),
    (EVENING, "12月3日至5日", ("2026-12-03", "2026-12-05")),
    (EVENING, "12月3日-12月5日", ("2026-12-03", "2026-12-05")),
    (EVENING, "12月31日到1月2日", ("2026-12-31", "2027-01-02")),
]


def _iso(text: str) -> str:
    return text if "T" not in text else moment(text).isoformat()


@pytest.mark.parametrize(("now", "text", "expected"), SPANS, ids=[t for _, t, _ in SPANS])
def test_reads_a_range(now: datetime, text: str, expected: tuple[str, str]) -> None:
    span = parse_span(text, now)
    assert span.end is not None
    assert (span.start.iso(), span.end.iso()) == (_iso(expected[0]), _iso(expected[1]))
    assert span.iso() == f"{_iso(expected[0])}/{_iso(expected[1])}"


@pytest.mark.parametrize(
    "text", ["下周五下午三点", "12-01 9:00", "2026-12-01 09:00", "12.3", "明天15:30"]
)
def test_a_single_time_is_a_span_without_end(text: str) -> None:
    span = parse_span(text, EVENING)
    assert span.end is None and span.iso() == parse_when(text, EVENING).iso()


def test_parse_when_reads_no_ranges() -> None:
    with pytest.raises(TimeParseError):
        parse_when("15:30-17:00", MORNING)


# --- what is said with the echo, and what is refused --------------------------------------


@pytest.mark.parametrize(
    ("now", "text", "day", "note"),
    [
        (EVENING, "2月29日", date(2028, 2, 29), "2027年没有2月29日，按2028年2月29日理解。"),
        (EVENING, "31号", date(2026, 12, 31), "11月没有31号，按2026年12月31日理解。"),
        (
            moment("2027-02-10T09:00"),
            "30号",
            date(2027, 3, 30),
            "2月没有30号，按2027年3月30日理解。",
        ),
        (FEB_LEAP, "2月29日", date(2028, 2, 29), ""),
        (EVENING, "30号", date(2026, 11, 30), ""),
    ],
)
def test_a_date_that_skips_to_exist_says_so(now: datetime, text: str, day: date, note: str) -> None:
    w = parse_when(text, now)
    assert (w.at.date(), w.note) == (day, note)


BAD = [
    (EVENING, "12月3日（星期五）", "2026年12月3日是星期四，不是星期五"),
    (moment("2026-12-05T09:00"), "12月3日（星期四）", "已经过去"),
    (JAN31, "下个月31号", "没有2月31日"),
    (EVENING, "今年10月1日", "已经过去"),
    (EVENING, "明年2月29日", "没有2027年2月29日"),
    (EVENING, "下午三点到五点", "已经过去"),
    (MORNING, "下午5点到3点", "不晚于开始时间"),
    (EVENING, "农历13月1日", "没看懂"),
]


@pytest.mark.parametrize(("now", "text", "fragment"), BAD, ids=[t for _, t, _ in BAD])
def test_refuses_with_a_reason(now: datetime, text: str, fragment: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_span(text, now)
    assert fragment in caught.value.reason
    assert "「" in caught.value.reason


def test_a_digit_festival_is_no_number() -> None:
    # 十一 is 国庆 alone, but 十一月, 十一点 and 十一号 are what they say.
    assert parse_when("十一月一日", EVENING).at.date() == date(2027, 11, 1)
    assert parse_when("十一号", EVENING).at.date() == date(2026, 12, 11)
    assert parse_when("十一点", MORNING).at.hour == 11
    assert parse_when("五一天后", EVENING).at.date() == EVENING.date() + timedelta(days=51)
