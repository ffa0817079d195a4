"""What an anonymous ballot costs: every counter of the poll rewritten per ballot.

Baseline, in the same run: a named ballot (one voter row, one vote row). Then
anonymous ballots on a 3-option poll and on a 30-candidate 测评 graded on 4
levels (120 counters rewritten per ballot). One transaction per ballot, as in
the bot. SQLite always; PostgreSQL too when TONGXIN_TEST_PG_URL is set
(`scripts/with-postgres.sh .venv/bin/python -m bench.polls`).

    .venv/bin/python -m bench.polls
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bot.schema import metadata as gather
from handlers import FEATURES
from storage.db import Database
from storage.migrate import recreate
from storage.people import touch_person
from storage.polls import (
    Poll,
    add_anonymous_ballot,
    create_poll,
    mark_voted,
    put_named_vote,
)

metadata = gather(FEATURES)

VOTERS = 300
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
GRADES = ["优秀", "称职", "基本称职", "不称职"]


def poll(kind: str, anonymous: bool, options: list[str], scale: list[str]) -> Poll:
    return Poll(
        title="bench",
        kind=kind,
        options=options,
        scale=scale,
        max_choices=1,
        anonymous=anonymous,
        visibility="closed",
        platform="local",
        chat_id="g",
        state="open",
        deadline=NOW + timedelta(days=1),
        created_at=NOW,
    )


async def setup(db: Database, p: Poll) -> tuple[int, list[int]]:
    async with db.transaction() as s:
        people = [await touch_person(s, "local", f"u{i}", "", NOW) for i in range(VOTERS)]
        created = await create_poll(s, p, people)
        return created.id, people


async def run(db: Database, label: str, p: Poll) -> float:
    poll_id, people = await setup(db, p)
    started = time.perf_counter()
    for i, person in enumerate(people):
        async with db.transaction() as s:
            if not p.anonymous:
                await put_named_vote(s, poll_id, person, [i % len(p.options)])
                continue
            await mark_voted(s, poll_id, person)
            if p.kind == "grade":
                marks = [(item, (i + item) % len(GRADES)) for item in range(len(p.options))]
            else:
                marks = [(0, i % len(p.options))]
            await add_anonymous_ballot(s, poll_id, marks)
    per = (time.perf_counter() - started) / len(people) * 1000
    print(f"  {label:<34} {per:6.2f} ms/ballot")
    return per


async def empty(db: Database) -> None:
    """Start a run from empty tables (PostgreSQL; SQLite gets a fresh file)."""
    async with db.engine.begin() as conn:
        if db.is_sqlite:
            return
        tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


async def bench(url: str, name: str) -> None:
    db = Database(url)
    try:
        await recreate(db)
        print(f"{name} ({VOTERS} ballots each)")
        # The first run warms statement caches and the connection pool.
        await run(db, "named, 3 options (warm-up)", poll("single", False, list("ABC"), []))
        await empty(db)
        base = await run(db, "named, 3 options (baseline)", poll("single", False, list("ABC"), []))
        await empty(db)
        small = await run(db, "anonymous, 3 counters", poll("single", True, list("ABC"), []))
        await empty(db)
        big_poll = poll("grade", True, [f"候选人{i}" for i in range(30)], GRADES)
        big = await run(db, "anonymous 测评, 120 counters", big_poll)
        print(f"  ratio to baseline: {small / base:.2f}x (3 counters), {big / base:.2f}x (120)")
    finally:
        await db.dispose()


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await bench(f"sqlite+aiosqlite:///{tmp}/bench.db", "SQLite")
    pg = os.environ.get("TONGXIN_TEST_PG_URL")
    if pg:
        await bench(pg, "PostgreSQL")


if __name__ == "__main__":
    asyncio.run(main())
