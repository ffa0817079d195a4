"""Push times: an advance reminder keeps the minute it was asked for."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from schedules.planner import QuietHours, push_time, write_plan
from storage.db import Database
from storage.schedule import Firing, Planned

SH = ZoneInfo("Asia/Shanghai")
QUIET = QuietHours.parse("22:00-07:00")
MEETING = datetime(2026, 12, 4, 15, 0, tzinfo=SH)


@pytest.mark.parametrize(
    "before",
    [timedelta(hours=1), timedelta(days=1), timedelta(minutes=30), timedelta(hours=2)],
)
@pytest.mark.parametrize("seed", ["meeting:1", "meeting:2", "meeting:3", "meeting:77"])
def test_an_exact_push_keeps_its_minute(before: timedelta, seed: str) -> None:
    wanted = MEETING - before
    at = push_time(wanted, MEETING, seed, QUIET, SH, exact=True)
    # Off the top of the minute (WeCom's advice), never into another minute.
    assert at.replace(second=0) == wanted
    assert 3 <= at.second < 48
    assert push_time(wanted, MEETING, seed, QUIET, SH, exact=True) == at
    # Without `exact` the same push moves by a minute or two, as before.
    moved = push_time(wanted, MEETING, seed, QUIET, SH)
    assert moved - wanted in (timedelta(minutes=1), timedelta(minutes=2))


def test_exact_pushes_spread_over_the_seconds() -> None:
    seconds = {
        push_time(MEETING, MEETING, f"meeting:{n}", QUIET, SH, exact=True).second
        for n in range(200)
    }
    assert len(seconds) > 30


def test_the_quiet_hours_still_move_an_exact_push() -> None:
    early = datetime(2026, 12, 4, 7, 30, tzinfo=SH)
    at = push_time(early - timedelta(hours=1), early, "x", QUIET, SH, exact=True)
    assert (at.hour, at.minute) in ((7, 1), (7, 2))


async def test_a_planned_exact_reminder_is_written_on_its_minute(db_url: str) -> None:
    db = Database(db_url)
    now = MEETING - timedelta(days=3)
    plans = {
        "meeting:9": [
            Planned("meeting:9", MEETING, 60, MEETING, MEETING - timedelta(hours=1), exact=True),
            Planned("meeting:9", MEETING, 1440, MEETING, MEETING - timedelta(days=1)),
        ]
    }
    try:
        async with db.transaction() as session:
            await write_plan(session, plans, since=now, quiet=QUIET, tz=SH)
        async with db.reading() as session:
            rows = {
                r.offset_minutes: r.due_at.astimezone(SH)
                for r in await session.scalars(select(Firing))
            }
    finally:
        await db.dispose()
    assert rows[60].replace(second=0) == MEETING - timedelta(hours=1) and rows[60].second
    assert rows[1440].minute in (1, 2) and rows[1440].hour == 15
