"""SQLite's one writer: recording inbound messages goes before queued writers."""

from __future__ import annotations

import asyncio

from storage.db import WriteLock


async def test_urgent_waiters_go_first_and_cancelled_ones_leave_no_trace() -> None:
    lock = WriteLock()
    order: list[str] = []
    release = asyncio.Event()
    asked = {name: asyncio.Event() for name in ("first", "normal", "gone", "urgent")}
    holding = asyncio.Event()

    async def writer(name: str, urgent: bool) -> None:
        # Nothing yields between this and joining the lock's queue (or taking the
        # lock), so once the test sees the event the writer is in line.
        asked[name].set()
        async with lock.hold(urgent):
            order.append(name)
            if name == "first":
                holding.set()
                await release.wait()

    first = asyncio.create_task(writer("first", False))
    await holding.wait()
    normal = asyncio.create_task(writer("normal", False))
    gone = asyncio.create_task(writer("gone", True))
    urgent = asyncio.create_task(writer("urgent", True))
    for name in ("normal", "gone", "urgent"):
        await asked[name].wait()
    gone.cancel()
    await asyncio.gather(gone, return_exceptions=True)  # it has left the queue
    assert gone.cancelled()
    release.set()
    await asyncio.gather(first, normal, urgent)
    assert order == ["first", "urgent", "normal"]
    async with lock.hold(False):
        order.append("after")
    assert order[-1] == "after"


async def test_a_read_does_not_wait_for_an_open_write(db_url: str) -> None:
    from sqlalchemy import text

    from storage.db import Database

    db = Database(db_url)
    try:
        async with db.transaction() as writing:
            await writing.execute(text("UPDATE units SET name = name"))
            async with asyncio.timeout(2), db.reading() as reading:
                assert (await reading.execute(text("SELECT count(*) FROM units"))).scalar() == 0
    finally:
        await db.dispose()
