"""Two connections cast the same person's anonymous ballot at once: the key lets one through.

On PostgreSQL both transactions first see no ballot, then both try to record
one; on SQLite the second transaction cannot begin before the first commits,
so it sees the first's ballot. Either way exactly one ballot is counted.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from storage.db import Database
from storage.people import touch_person
from storage.polls import (
    Poll,
    PollTally,
    add_anonymous_ballot,
    create_poll,
    has_voted,
    mark_voted,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


async def _poll_and_voter(db: Database) -> tuple[int, int]:
    async with db.transaction() as s:
        pid = await touch_person(s, "local", "t1", "王老师", NOW)
        poll = Poll(
            title="食堂服务评议",
            kind="single",
            options=["好", "一般"],
            scale=[],
            max_choices=1,
            anonymous=True,
            visibility="closed",
            platform="local",
            chat_id="g1",
            unit_id=None,
            creator_id=None,
            state="open",
            deadline=NOW + timedelta(days=1),
            created_at=NOW,
        )
        await create_poll(s, poll, [pid])
        return poll.id, pid


async def test_two_connections_racing_for_one_ballot(db_url: str) -> None:
    first, second = Database(db_url), Database(db_url)
    try:
        poll_id, pid = await _poll_and_voter(first)
        both_looked = asyncio.Barrier(2) if not first.is_sqlite else None

        async def cast(db: Database, choice: int) -> bool:
            async with db.transaction() as s:
                already = await has_voted(s, poll_id, pid)
                if both_looked is not None:
                    await both_looked.wait()
                if already or not await mark_voted(s, poll_id, pid):
                    return False
                await add_anonymous_ballot(s, poll_id, [(0, choice)])
                return True

        results = await asyncio.gather(cast(first, 0), cast(second, 1))
        assert sorted(results) == [False, True]
        async with first.reading() as s:
            counted = await s.scalar(
                select(func.sum(PollTally.count)).where(PollTally.poll_id == poll_id)
            )
        assert counted == 1
    finally:
        await first.dispose()
        await second.dispose()
