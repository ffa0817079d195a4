"""What anonymity at rest costs: writing apart, checkpointing, zeroing, sealing.

Each figure against a baseline in the same run, on the same database file:

1. an anonymous ballot as one transaction (the voter's mark and the counters
   together: the old way, the baseline) against the way it is written now —
   the voter's transaction with a sealed row, then a transaction of its own
   that applies it, then (SQLite) a WAL checkpoint;
2. SQLite's `secure_delete` off (baseline) and on, for what the message path
   writes: an inbound row with its payload, then the done-mark that wipes it;
3. an inbound payload as JSON (baseline) and sealed.

    .venv/bin/python -m bench.anonymity
    scripts/with-postgres.sh .venv/bin/python -m bench.anonymity   (1 on PostgreSQL too)
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, select, text, update

from bench.polls import empty, poll, setup
from bot.config import Settings
from bot.messages import Incoming
from bot.seal import Sealer
from bot.sensitive import seal_payload
from storage.db import Database
from storage.messaging import InboundMessage, SealedWrite
from storage.migrate import recreate
from storage.polls import add_anonymous_ballot, mark_voted
from tests.keys import TEST_KEY

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
MESSAGES = 2000
BATCH = 16


def sealer() -> Sealer:
    return Sealer(Settings(secret_key=TEST_KEY))


async def ballots(db: Database, sealed: Sealer, *, apart: bool, checkpoint: bool) -> float:
    poll_id, people = await setup(db, poll("single", True, list("ABC"), []))
    started = time.perf_counter()
    for i, person in enumerate(people):
        marks = [(0, i % 3)]
        async with db.transaction() as s:
            await mark_voted(s, poll_id, person)
            if not apart:
                await add_anonymous_ballot(s, poll_id, marks)
                continue
            blob = sealed.seal_json({"kind": "polls.ballot", "data": {"marks": marks}}, "w")
            s.add(SealedWrite(blob=blob["sealed"]))
        if apart:
            async with db.transaction() as s:
                rows = list(await s.execute(select(SealedWrite.id, SealedWrite.blob)))
                for _, blob_text in rows:
                    sealed.open_json({"sealed": blob_text}, "w")
                await add_anonymous_ballot(s, poll_id, marks)
                await s.execute(delete(SealedWrite).where(SealedWrite.id.in_([r[0] for r in rows])))
            if checkpoint:
                await db.checkpoint()
    return (time.perf_counter() - started) / len(people) * 1000


async def message_path(db: Database, payload: str) -> float:
    """Record and wipe MESSAGES inbound rows in batches, as ingest does; ms per message."""
    started = time.perf_counter()
    for b in range(0, MESSAGES, BATCH):
        async with db.transaction() as s:
            rows = [
                InboundMessage(
                    platform="local",
                    msg_id=f"{time.monotonic_ns()}-{i}",
                    state="pending",
                    payload={"text": payload},
                    received_at=NOW,
                    lease_until=NOW + timedelta(seconds=30),
                )
                for i in range(b, b + BATCH)
            ]
            s.add_all(rows)
        async with db.transaction() as s:
            await s.execute(
                update(InboundMessage)
                .where(InboundMessage.id.in_([r.id for r in rows]))
                .values(state="done", payload=None, handled_at=NOW)
            )
    return (time.perf_counter() - started) / MESSAGES * 1000


def secure_delete(db: Database, on: bool) -> None:
    @event.listens_for(db.engine.sync_engine, "connect")
    def _set(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA secure_delete={'ON' if on else 'OFF'}")
        cur.close()


async def bench_ballots(url: str, name: str) -> None:
    db = Database(url)
    sealed = sealer()
    try:
        await recreate(db)
        print(f"{name}: 300 anonymous ballots each (ms per ballot)")
        await ballots(db, sealed, apart=False, checkpoint=False)  # warm-up
        await empty(db)
        base = await ballots(db, sealed, apart=False, checkpoint=False)
        await empty(db)
        apart = await ballots(db, sealed, apart=True, checkpoint=False)
        await empty(db)
        both = await ballots(db, sealed, apart=True, checkpoint=True)
        print(f"  one transaction (baseline)        {base:6.2f}")
        print(f"  apart, sealed row                 {apart:6.2f} ({apart / base:.2f}x)")
        if db.is_sqlite:
            print(f"  apart, sealed row, checkpoint     {both:6.2f} ({both / base:.2f}x)")
    finally:
        await db.dispose()


async def bench_secure_delete(folder: str) -> None:
    print(f"SQLite: {MESSAGES} inbound rows recorded and wiped, {BATCH} a batch (ms per message)")
    payload = "征求意见的回复内容，" * 20
    results = {}
    for on in (False, True, False, True):
        db = Database(f"sqlite+aiosqlite:///{folder}/path-{on}.db")
        secure_delete(db, on)
        try:
            await recreate(db)
            async with db.engine.connect() as conn:
                mode = (await conn.execute(text("PRAGMA secure_delete"))).scalar()
            assert bool(mode) is on
            results[on] = await message_path(db, payload)
        finally:
            await db.dispose()
    print(f"  secure_delete off (baseline)      {results[False]:6.3f}")
    print(
        f"  secure_delete on                  {results[True]:6.3f} "
        f"({results[True] / results[False]:.2f}x)"
    )


def bench_sealing() -> None:
    sealed = sealer()
    msg = Incoming(
        platform="wecom",
        chat_id="zhangsan",
        chat_type="direct",
        sender_id="zhangsan",
        sender_name="张三",
        text="食堂的菜太咸了，希望少放盐" * 3,
        msg_id="7321904455012",
        at=NOW,
    )
    n = 20000
    started = time.perf_counter()
    for _ in range(n):
        msg.model_dump_json()
    base = (time.perf_counter() - started) / n * 1e6
    started = time.perf_counter()
    for _ in range(n):
        seal_payload(sealed, msg)
    both = (time.perf_counter() - started) / n * 1e6
    print("An inbound payload (µs per message)")
    print(f"  as JSON (baseline)                {base:6.2f}")
    print(f"  sealed                            {both:6.2f} (+{both - base:.2f} µs)")


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await bench_ballots(f"sqlite+aiosqlite:///{tmp}/bench.db", "SQLite")
        await bench_secure_delete(tmp)
    pg = os.environ.get("TONGXIN_TEST_PG_URL")
    if pg:
        await bench_ballots(pg, "PostgreSQL")
    bench_sealing()


if __name__ == "__main__":
    asyncio.run(main())
