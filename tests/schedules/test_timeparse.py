import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from schedules.timeparse import TimeParseError, When, format_when, parse_when

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Wednesday evening and Wednesday morning of the same day.
EVENING = datetime(2026, 11, 25, 20, 0, tzinfo=SHANGHAI)
MORNING = datetime(2026, 11, 25, 9, 10, tzinfo=SHANGHAI)


def _iso(expected: str) -> str:
    """Turn "2026-12-04 15:00" into what When.iso() gives; a bare date already is it."""
    if " " not in expected:
        return expected
    day, clock = expected.split(" ")
    return f"{day}T{clock}:00+08:00"


GOOD = [
    # The two reference values of CALENDAR.md.
    (EVENING, "下周五下午三点", "2026-12-04 15:00"),
    (EVENING, "下下周一", "2026-12-07"),
    # Weekdays: a bare one is the next such day, today included while still ahead.
    (EVENING, "下周五", "2026-12-04"),
    (EVENING, "下周五下午", "2026-12-04 15:00"),
    (EVENING, "周五", "2026-11-27"),
    (EVENING, "星期五", "2026-11-27"),
    (EVENING, "礼拜五", "2026-11-27"),
    (EVENING, "周日", "2026-11-29"),
    (EVENING, "星期天", "2026-11-29"),
    (EVENING, "礼拜天", "2026-11-29"),
    (EVENING, "周二", "2026-12-01"),
    (EVENING, "周三", "2026-11-25"),
    (EVENING, "周三21:00", "2026-11-25 21:00"),
    (EVENING, "周三下午3点", "2026-12-02 15:00"),
    (MORNING, "周三下午", "2026-11-25 15:00"),
    (MORNING, "周三上午", "2026-12-02 09:00"),
    (EVENING, "这周五", "2026-11-27"),
    (EVENING, "本周日", "2026-11-29"),
    (EVENING, "下周一", "2026-11-30"),
    (EVENING, "下周日", "2026-12-06"),
    (EVENING, "下个星期三", "2026-12-02"),
    # Parts of the day without an hour take their default hour.
    (EVENING, "周五早上", "2026-11-27 08:00"),
    (EVENING, "周五上午", "2026-11-27 09:00"),
    (EVENING, "周五中午", "2026-11-27 12:00"),
    (EVENING, "周五下午", "2026-11-27 15:00"),
    (EVENING, "周五傍晚", "2026-11-27 18:00"),
    (EVENING, "周五晚上", "2026-11-27 19:00"),
    (EVENING, "周五晚8点", "2026-11-27 20:00"),
    (EVENING, "明早", "2026-11-26 08:00"),
    (MORNING, "今晚", "2026-11-25 19:00"),
    (MORNING, "下午", "2026-11-25 15:00"),
    (MORNING, "中午", "2026-11-25 12:00"),
    # Relative days.
    (EVENING, "今天", "2026-11-25"),
    (EVENING, "明天", "2026-11-26"),
    (EVENING, "后天", "2026-11-27"),
    (EVENING, "大后天", "2026-11-28"),
    (EVENING, "3天后", "2026-11-28"),
    (EVENING, "三天后", "2026-11-28"),
    (EVENING, "三天以后", "2026-11-28"),
    (EVENING, "1周后", "2026-12-02"),
    (EVENING, "两个星期后", "2026-12-09"),
    (EVENING, "3天后下午2点", "2026-11-28 14:00"),
    # Offsets from now.
    (EVENING, "两小时后", "2026-11-25 22:00"),
    (EVENING, "30分钟后", "2026-11-25 20:30"),
    (EVENING, "半小时后", "2026-11-25 20:30"),
    (EVENING, "一个半小时后", "2026-11-25 21:30"),
    (EVENING, "24小时后", "2026-11-26 20:00"),
    (MORNING, "两小时后", "2026-11-25 11:10"),
    # Clock times, with and without a part of the day.
    (EVENING, "明天下午3点", "2026-11-26 15:00"),
    (EVENING, "明天下午三点半", "2026-11-26 15:30"),
    (EVENING, "明天三点一刻", "2026-11-26 15:15"),
    (EVENING, "明天三点三刻", "2026-11-26 15:45"),
    (EVENING, "明天两点", "2026-11-26 14:00"),
    (EVENING, "明天六点", "2026-11-26 18:00"),
    (EVENING, "明天七点", "2026-11-26 07:00"),
    (EVENING, "明天9点", "2026-11-26 09:00"),
    (EVENING, "明天十二点", "2026-11-26 12:00"),
    (EVENING, "明天3:00", "2026-11-26 03:00"),
    (EVENING, "明天上午10点", "2026-11-26 10:00"),
    (EVENING, "明天早上7点半", "2026-11-26 07:30"),
    (EVENING, "明天中午1点", "2026-11-26 13:00"),
    (EVENING, "明天中午12点", "2026-11-26 12:00"),
    (EVENING, "明天晚上8点", "2026-11-26 20:00"),
    (EVENING, "明晚八点", "2026-11-26 20:00"),
    (EVENING, "明天凌晨3点", "2026-11-26 03:00"),
    (EVENING, "明天零点", "2026-11-26 00:00"),
    (EVENING, "明天〇点", "2026-11-26 00:00"),
    (EVENING, "明天15:30", "2026-11-26 15:30"),
    (EVENING, "明天15点整", "2026-11-26 15:00"),
    (EVENING, "明天3点钟", "2026-11-26 15:00"),
    (EVENING, "明天15时30分", "2026-11-26 15:30"),
    (EVENING, "明天三点零五分", "2026-11-26 15:05"),
    (EVENING, "明天下午15:30", "2026-11-26 15:30"),
    (EVENING, "今天21:30", "2026-11-25 21:30"),
    (EVENING, "今晚9点", "2026-11-25 21:00"),
    (EVENING, "晚上十点", "2026-11-25 22:00"),
    (EVENING, "二十一点三十分", "2026-11-25 21:30"),
    (EVENING, "晚上12点", "2026-11-26 00:00"),
    (EVENING, "24:00", "2026-11-26 00:00"),
    (MORNING, "15:30", "2026-11-25 15:30"),
    (MORNING, "9:30", "2026-11-25 09:30"),
    (MORNING, "10点", "2026-11-25 10:00"),
    (MORNING, "三点", "2026-11-25 15:00"),
    (MORNING, "下午3点", "2026-11-25 15:00"),
    (MORNING, "今天下午", "2026-11-25 15:00"),
    (MORNING, "今天下午三点半", "2026-11-25 15:30"),
    # Dates: without a year, the next such date (today counts).
    (EVENING, "10月14日", "2027-10-14"),
    (EVENING, "10月14号", "2027-10-14"),
    (EVENING, "10月14日17:00", "2027-10-14 17:00"),
    (EVENING, "十二月一日", "2026-12-01"),
    (EVENING, "12月1日上午9点", "2026-12-01 09:00"),
    (EVENING, "12-01 9:00", "2026-12-01 09:00"),
    (EVENING, "12/1", "2026-12-01"),
    (EVENING, "11月25日", "2026-11-25"),
    (EVENING, "11月25日15:00", "2027-11-25 15:00"),
    (EVENING, "2月29日", "2028-02-29"),
    (EVENING, "30号", "2026-11-30"),
    (EVENING, "31号", "2026-12-31"),
    (EVENING, "15号下午3点", "2026-12-15 15:00"),
    (EVENING, "2026-12-01 09:00", "2026-12-01 09:00"),
    (EVENING, "2026/12/01", "2026-12-01"),
    (EVENING, "2026.12.01", "2026-12-01"),
    (EVENING, "2026年12月1日", "2026-12-01"),
    (EVENING, "二〇二六年十二月一日", "2026-12-01"),
    (EVENING, "2027年1月5日下午3点", "2027-01-05 15:00"),
    # Full-width characters, stray spaces, trailing punctuation and 前.
    (MORNING, "１５：３０", "2026-11-25 15:30"),
    (EVENING, "明天１５：３０", "2026-11-26 15:30"),
    (EVENING, "２０２６／１２／０１", "2026-12-01"),
    (EVENING, "下周五\u3000下午３点", "2026-12-04 15:00"),
    (EVENING, " 明天 下午 3 点 ", "2026-11-26 15:00"),
    (EVENING, "明天 15:30", "2026-11-26 15:30"),
    (EVENING, "下周五 15:00", "2026-12-04 15:00"),
    (EVENING, "明天下午3点前", "2026-11-26 15:00"),
    (EVENING, "周五之前。", "2026-11-27"),
    (EVENING, "明天15:30！", "2026-11-26 15:30"),
]


@pytest.mark.parametrize(("now", "text", "expected"), GOOD)
def test_reads_phrasing(now: datetime, text: str, expected: str) -> None:
    w = parse_when(text, now)
    assert w.iso() == _iso(expected)
    assert w.has_time == (" " in expected)
    assert w.at.tzinfo == SHANGHAI


BAD = [
    (EVENING, "", "没看懂"),
    (EVENING, "   ", "没看懂"),
    (EVENING, "开会", "没看懂"),
    (EVENING, "明天下午3点开会", "没看懂"),
    (EVENING, "10.14.5", "没看懂"),
    (EVENING, "10:5", "没看懂"),
    (EVENING, "3天前", "没看懂"),
    (EVENING, "周八", "没看懂"),
    (EVENING, "一百天后", "没看懂"),
    (EVENING, "2月30日", "没有2月30日"),
    (EVENING, "2026-02-29", "没有2026年2月29日"),
    (EVENING, "13月1日", "没有13月1日"),
    (EVENING, "32号", "没有32号"),
    (EVENING, "25:00", "没有25:00"),
    (EVENING, "明天25点", "没有25点"),
    (EVENING, "明天三十点", "没有30点"),
    (EVENING, "明天15:60", "没有15:60"),
    (EVENING, "明天24:30", "没有24:30"),
    (EVENING, "明天上午13点", "上午没有13点"),
    (EVENING, "明天凌晨8点", "凌晨没有8点"),
    (EVENING, "明天晚上3点", "晚上没有3点"),
    (EVENING, "周五凌晨", "写明几点"),
    (EVENING, "15:30", "已经过去"),
    (EVENING, "今天下午3点", "已经过去"),
    (EVENING, "下午", "已经过去"),
    (EVENING, "昨天", "已经过去"),
    (EVENING, "这周一", "已经过去"),
    (EVENING, "上周五", "已经过去"),
    (EVENING, "2025年12月1日", "已经过去"),
    (MORNING, "上午", "已经过去"),
]


@pytest.mark.parametrize(("now", "text", "fragment"), BAD)
def test_rejects_with_an_example(now: datetime, text: str, fragment: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_when(text, now)
    assert fragment in caught.value.reason
    assert re.search(r"「[^」]+」", caught.value.reason), caught.value.reason
    assert str(caught.value) == caught.value.reason


def test_past_reason_echoes_what_was_understood() -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_when("15:30", EVENING)
    assert caught.value.reason == (
        "11月25日（周三）15:30已经过去了，请写一个以后的时间，例如「明天15:30」。"
    )
    with pytest.raises(TimeParseError) as caught:
        parse_when("昨天", EVENING)
    assert caught.value.reason == "11月24日（周二）已经过去了，请写一个以后的日期，例如「明天」。"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("昨天", "2026-11-24"),
        ("上周五", "2026-11-20"),
        ("15:30", "2026-11-25 15:30"),
        ("10月14日", "2026-10-14"),
        ("周三下午3点", "2026-11-25 15:00"),
    ],
)
def test_allow_past_takes_the_first_reading(text: str, expected: str) -> None:
    assert parse_when(text, EVENING, allow_past=True).iso() == _iso(expected)


def test_time_parse_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_when("开会", EVENING)


def test_now_may_come_in_utc_and_tz_is_honoured() -> None:
    utc_now = EVENING.astimezone(UTC)
    assert parse_when("明天15:00", utc_now).iso() == "2026-11-26T15:00:00+08:00"
    berlin = ZoneInfo("Europe/Berlin")
    assert parse_when("明天15:00", utc_now, tz=berlin).iso() == "2026-11-26T15:00:00+01:00"
    # 13:00 in Berlin at that moment, so 15:00 is still ahead today there.
    assert parse_when("15:00", utc_now, tz=berlin).iso() == "2026-11-25T15:00:00+01:00"


def test_offsets_drop_seconds() -> None:
    now = datetime(2026, 11, 25, 20, 0, 42, 123, tzinfo=SHANGHAI)
    assert parse_when("30分钟后", now).iso() == "2026-11-25T20:30:00+08:00"


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("明天", datetime(2026, 11, 25, 20, 0))


def test_iso() -> None:
    assert When(datetime(2026, 12, 4, 15, 0, tzinfo=SHANGHAI), True).iso() == (
        "2026-12-04T15:00:00+08:00"
    )
    assert When(datetime(2026, 12, 7, tzinfo=SHANGHAI), False).iso() == "2026-12-07"
    assert parse_when("下下周一", EVENING).at == datetime(2026, 12, 7, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("下周五下午三点", "12月4日（周五）15:00"),
        ("下下周一", "12月7日（周一）"),
        ("明天9点", "11月26日（周四）9:00"),
        ("周日", "11月29日（周日）"),
        ("10月14日17:00", "2027年10月14日（周四）17:00"),
        ("2027年1月5日", "2027年1月5日（周二）"),
    ],
)
def test_format_when(text: str, expected: str) -> None:
    assert format_when(parse_when(text, EVENING), EVENING) == expected
