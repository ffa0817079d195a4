"""A year of reminders through the bot — a weekly, a monthly-on-day, a quarter-end and a
yearly meeting — against an independent computation, and a moved meeting merged."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import MONTHLY, WEEKLY, YEARLY, rrule

from tests.handlers.meetings_helpers import arrange, expected_days, held_on
from tests.harness import ChatHarness

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2025, 12, 20, 10, 0, tzinfo=SH)
END = datetime(2026, 12, 31, 23, 0, tzinfo=SH)
SAID = re.compile(r"「(.+?)」将于 (\d+)月(\d+)日（周.）(\d+):(\d+) 召开")


def at(y: int, m: int, d: int, h: int, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=SH)


MEETINGS = [
    # title (a kind the flow offers), repeat, first, the rule as dateutil says it, on a date
    ("支委会", "每周", "2026-01-01 10:00", rrule(WEEKLY, dtstart=at(2026, 1, 1, 10)), False),
    (
        "党小组会",
        "每月固定日期",
        "2026-01-15 14:30",
        rrule(MONTHLY, dtstart=at(2026, 1, 15, 14, 30)),
        True,
    ),
    (
        "党员大会",
        "每季度",
        "2026-03-31 15:00",
        rrule(MONTHLY, interval=3, bymonthday=-1, dtstart=at(2026, 3, 31, 15)),
        True,
    ),
    ("党课", "每年", "2026-07-01 9:00", rrule(YEARLY, dtstart=at(2026, 7, 1, 9)), True),
]


@pytest.mark.chat(start=START)
async def test_a_year_of_reminders(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    for title, repeat, first, _, _ in MEETINGS:
        await arrange(sec, g, repeat, first, kind=title)
    await chat.run_until(END)

    expected: set[tuple[str, date, datetime]] = set()
    for title, _, _, rule, on_date in MEETINGS:
        start = rule[0]
        for day in expected_days(rule, START, END, on_date=on_date, policy="next"):
            meeting = datetime.combine(day, start.timetz())
            # A day and an hour ahead, on the minute asked for.
            expected |= {
                (title, day, meeting - timedelta(days=1)),
                (title, day, meeting - timedelta(hours=1)),
            }

    got: list[tuple[str, date, datetime]] = []
    for message in await chat.delivered("g1"):
        found = SAID.search(message["text"])
        if not message["text"].startswith("【会议提醒】") or found is None:
            continue
        title, month, day = found[1], int(found[2]), int(found[3])
        sent = datetime.fromisoformat(message["sent_at"]).astimezone(SH)
        assert 3 <= sent.second < 48  # off the minute's top, within it
        got.append((title, date(2026, month, day), sent.replace(second=0, microsecond=0)))
    assert len(got) == len(set(got))  # nothing twice
    assert set(got) == expected
    # 2026 has 53 Thursdays; Thursday 10-01 (国庆) merged into 10-08.
    assert len(got) == 2 * (53 + 12 + 4 + 1) - 2


@pytest.mark.chat(start=datetime(2026, 9, 20, 10, 0, tzinfo=SH))
async def test_a_moved_meeting_landing_on_a_regular_one_is_one_meeting(
    chat: ChatHarness,
) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await arrange(sec, g, "每周", "2026-09-24 10:00")
    await chat.run_until(datetime(2026, 10, 9, 0, 0, tzinfo=SH))
    said = [m for m in await g.messages() if m.startswith("【会议提醒】")]
    # 10-01 (国庆) moves to the next regular workday, Thursday 10-08: its own day.
    october = [m for m in said if "将于 10月8日" in m]
    assert len(october) == 2  # one a day before, one an hour before
    assert all(
        "原定 10月1日（周四）10:00 的一次因节假日改到这天，两次合并召开" in m for m in october
    )
    assert not any("将于 10月1日" in m for m in said)
    held = [d.astimezone(SH).date() for d in await held_on(chat)]
    assert held == [date(2026, 9, 24), date(2026, 10, 8)]  # one start: one check-in
