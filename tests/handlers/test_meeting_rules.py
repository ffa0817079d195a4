"""Each recurrence rule of a meeting, through the bot, against an independent computation
(dateutil's rrule and chinesecalendar, tests/handlers/meetings_helpers.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import MONTHLY, YEARLY, rrule
from lunar_python import Lunar

from tests.handlers.meetings_helpers import arrange, expected_days, held_on
from tests.harness import ChatHarness

SH = ZoneInfo("Asia/Shanghai")
BEFORE_2026 = datetime(2025, 12, 20, 10, 0, tzinfo=SH)


def at(y: int, m: int, d: int, h: int = 15) -> datetime:
    return datetime(y, m, d, h, 0, tzinfo=SH)


@dataclass(frozen=True)
class Rule:
    name: str
    repeat: str
    first: str
    policy: str
    label: str
    rule: rrule
    on_date: bool
    until: datetime
    swapped: bool = False


POLICY_CODES = {
    "顺延到下一个工作日": "next",
    "顺延到下一个工作日或调休上班日": "next",
    "提前到上一个工作日": "previous",
    "照常举行": "keep",
}
RULES = [
    Rule(
        "the 31st is every month's last day",
        "每月固定日期",
        "2026-01-31 15:00",
        "照常举行",
        "每月最后一天 15:00",
        rrule(MONTHLY, bymonthday=-1, dtstart=at(2026, 1, 31)),
        True,
        at(2026, 12, 31, 23),
    ),
    Rule(
        "the 29th is February's last day, kept on its Saturday",
        "每月固定日期",
        "2026-01-29 15:00",
        "照常举行",
        "每月29日（2月为当月最后一天） 15:00",
        rrule(MONTHLY, bymonthday=(28, 29), bysetpos=-1, dtstart=at(2026, 1, 29)),
        True,
        at(2026, 4, 30),
    ),
    Rule(
        "the 31st moves off weekends to the next workday",
        "每月固定日期",
        "2026-01-31 15:00",
        "顺延到下一个工作日",
        "每月最后一天 15:00",
        rrule(MONTHLY, bymonthday=-1, dtstart=at(2026, 1, 31)),
        True,
        at(2026, 12, 31, 23),
    ),
    Rule(
        "each quarter's end, every quarter",
        "每季度",
        "2026-03-31 15:00",
        "顺延到下一个工作日",
        "每季度末（3月、6月、9月、12月的最后一天） 15:00",
        rrule(MONTHLY, interval=3, bymonthday=-1, dtstart=at(2026, 3, 31)),
        True,
        at(2026, 12, 31, 23),
    ),
    Rule(
        "the 5th leaves Sunday 04-05 (清明) and the Saturdays",
        "每月固定日期",
        "2026-01-05 9:00",
        "顺延到下一个工作日",
        "每月5日 9:00",
        rrule(MONTHLY, bymonthday=5, dtstart=at(2026, 1, 5, 9)),
        True,
        at(2026, 12, 31, 23),
    ),
    Rule(
        "the first Friday taken by 元旦 goes to Monday, not the 调休 Sunday",
        "每月第几个星期几",
        "2026-01-02 15:00",
        "顺延到下一个工作日",
        "每月第一个周五 15:00",
        rrule(MONTHLY, byweekday=4, bysetpos=1, dtstart=at(2026, 1, 2)),
        False,
        at(2026, 6, 30),
    ),
    Rule(
        "the first Friday goes to the 调休 Sunday when the secretary counts it",
        "每月第几个星期几",
        "2026-01-02 15:00",
        "顺延到下一个工作日或调休上班日",
        "每月第一个周五 15:00",
        rrule(MONTHLY, byweekday=4, bysetpos=1, dtstart=at(2026, 1, 2)),
        False,
        at(2026, 6, 30),
        swapped=True,
    ),
    Rule(
        "the 1st moves to the workday before, never to a 调休 Saturday",
        "每月固定日期",
        "2026-01-01 9:00",
        "提前到上一个工作日",
        "每月1日 9:00",
        rrule(MONTHLY, bymonthday=1, dtstart=at(2026, 1, 1, 9)),
        True,
        at(2026, 11, 30),
    ),
]


@pytest.mark.chat(start=BEFORE_2026)
async def test_each_rule_holds_its_meetings_on_the_right_days(chat: ChatHarness) -> None:
    # All rules in one bot, one meeting each: a year of the clock is walked once.
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    for rule in RULES:
        preview = await arrange(sec, g, rule.repeat, rule.first, rule.policy, offsets="1小时")
        assert f"时间：{rule.label}" in preview, rule.name
    await chat.run_until(max(r.until for r in RULES))
    for number, rule in enumerate(RULES, 1):
        held = [d.astimezone(SH) for d in await held_on(chat, number) if d <= rule.until]
        expected = expected_days(
            rule.rule,
            BEFORE_2026,
            rule.until,
            on_date=rule.on_date,
            policy=POLICY_CODES[rule.policy],
            swapped=rule.swapped,
        )
        assert [d.date() for d in held] == expected, rule.name
        assert {(d.hour, d.minute) for d in held} == {(rule.rule[0].hour, 0)}, rule.name


@pytest.mark.chat(start=datetime(2026, 9, 1, 10, 0, tzinfo=SH))
async def test_a_yearly_meeting_moves_off_a_sunday(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    preview = await arrange(sec, g, "每年", "2026-09-10 10:00", offsets="1小时")
    assert "时间：每年9月10日 10:00" in preview
    until = at(2028, 9, 12)
    await chat.run_until(until)
    held = [d.astimezone(SH) for d in await held_on(chat)]
    # No statutory holiday comes near 9月10日 in 2027 or 2028: 中秋 falls on these days.
    for year in (2027, 2028):
        solar = Lunar.fromYmd(year, 8, 15).getSolar()
        assert (
            abs((date(solar.getYear(), solar.getMonth(), solar.getDay()) - date(year, 9, 10)).days)
            > 3
        )
    expected = expected_days(
        rrule(YEARLY, bymonth=9, bymonthday=10, dtstart=at(2026, 9, 10, 10)),
        at(2026, 9, 1),
        until,
        on_date=True,
        policy="next",
    )
    assert (
        [d.date() for d in held]
        == expected
        == [
            date(2026, 9, 10),
            date(2027, 9, 10),
            date(2028, 9, 11),  # 2028-09-10 is a Sunday
        ]
    )
    assert all(d.hour == 10 for d in held)
