"""The outbox delivers every message exactly once through failures, kills and replicas."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Literal

from sqlalchemy import select, update

from bot.clock import ManualClock
from bot.delivery import Delivery
from bot.messages import Outgoing
from bot.outbox import EXPIRED, Outbox
from storage.db import Database
from storage.messaging import OutboxMessage
from tests.bot.outbox_helpers import FlakyPlatform, fill, messages, states
from tests.conftest import START


async def run_until_done(
    outbox: Outbox, clock: ManualClock, db: Database, rounds: int = 400
) -> None:
    for _ in range(rounds):
        await outbox.run_once()
        st = await states(db)
        if set(st) <= {"sent", "failed"}:
            return
        clock.advance(seconds=30)
    raise AssertionError(f"outbox did not finish: {await states(db)}")


async def test_kill_and_restart_mid_way_delivers_each_exactly_once(db_url: str) -> None:
    clock = ManualClock(START)
    db = Database(db_url)
    platform = FlakyPlatform()
    try:
        await fill(db, clock, messages(500))
        first = Outbox(db, clock, {"fake": platform}, hold=32)
        worker = asyncio.create_task(first.run(poll_seconds=0.01))
        while sum(platform.accepted.values()) < 150:  # noqa: ASYNC110 - polling a fake
            await asyncio.sleep(0.005)
        worker.cancel()  # killed mid-way, batches in flight
        await asyncio.gather(worker, return_exceptions=True)
        await first.drain()
        assert 150 <= sum(platform.accepted.values()) < 500

        second = Outbox(db, clock, {"fake": platform}, hold=32)
        await run_until_done(second, clock, db)
    finally:
        await db.dispose()
    assert len(platform.accepted) == 500
    assert set(platform.accepted.values()) == {1}
    assert platform.calls > 500  # the failures really happened and were retried


async def test_a_row_whose_worker_died_is_taken_again_after_its_lease(db_url: str) -> None:
    clock = ManualClock(START)
    db = Database(db_url)
    platform = FlakyPlatform(fail_rate=0)
    try:
        await fill(db, clock, messages(3))
        async with db.transaction() as s:
            await s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.idempotency_key == "k0")
                .values(state="sending", lease_until=clock.now() + timedelta(seconds=60))
            )
        outbox = Outbox(db, clock, {"fake": platform})
        await outbox.run_once()
        assert sorted(platform.accepted) == ["k1", "k2"]
        clock.advance(seconds=61)
        await outbox.run_once()
        assert sorted(platform.accepted) == ["k0", "k1", "k2"]
    finally:
        await db.dispose()


async def test_permanent_errors_fail_at_once_and_retries_stop_when_the_message_expires(
    db_url: str,
) -> None:
    clock = ManualClock(START)
    db = Database(db_url)
    try:
        await fill(
            db,
            clock,
            [
                Outgoing(
                    platform="fake", chat_type="group", chat_id="nowhere", text="x", key="lost"
                ),
                Outgoing(
                    platform="fake",
                    chat_type="group",
                    chat_id="g1",
                    text="y",
                    key="flaky",
                    expires_at=START + timedelta(minutes=30),
                ),
            ],
        )
        outbox = Outbox(db, clock, {"fake": FlakyPlatform(fail_rate=1.0)})
        for _ in range(40):
            await outbox.run_once()
            clock.advance(seconds=100)
        async with db.reading() as s:
            rows = {r.idempotency_key: r for r in await s.scalars(select(OutboxMessage))}
    finally:
        await db.dispose()
    assert rows["lost"].state == "failed" and "no such chat" in rows["lost"].last_error
    assert rows["lost"].attempts == 1
    flaky = rows["flaky"]
    assert flaky.state == "failed" and flaky.last_error.startswith(EXPIRED)
    assert "HTTP 503" in flaky.last_error
    # Tried throughout the half hour, with the backoff capped at five minutes.
    assert flaky.attempts >= 8
    assert flaky.failed_at is not None and flaky.failed_at <= START + timedelta(minutes=30)


async def test_per_chat_limit_spreads_sends_over_time(db_url: str) -> None:
    clock = ManualClock(START)
    db = Database(db_url)
    platform = FlakyPlatform(fail_rate=0, per_chat=20)
    try:
        await fill(db, clock, messages(45, chats=1))
        outbox = Outbox(db, clock, {"fake": platform}, hold=100)
        await outbox.run_once()
        assert sum(platform.accepted.values()) == 20
        clock.advance(seconds=61)
        await outbox.run_once()
        assert sum(platform.accepted.values()) == 40
        clock.advance(seconds=61)
        await outbox.run_once()
        assert sum(platform.accepted.values()) == 45
    finally:
        await db.dispose()


async def test_two_workers_on_one_postgresql_never_deliver_twice(pg_url: str) -> None:
    db_url = pg_url
    clock = ManualClock(START)
    db_a, db_b = Database(db_url), Database(db_url)
    platform = FlakyPlatform(fail_rate=0.2, seed=3)
    try:
        await fill(db_a, clock, messages(500))
        a = Outbox(db_a, clock, {"fake": platform}, hold=16)
        b = Outbox(db_b, clock, {"fake": platform}, hold=16)

        async def both() -> None:
            for _ in range(400):
                await asyncio.gather(a.run_once(), b.run_once())
                if set(await states(db_a)) <= {"sent"}:
                    return
                clock.advance(seconds=30)

        await both()
    finally:
        await db_a.dispose()
        await db_b.dispose()
    assert len(platform.accepted) == 500
    assert set(platform.accepted.values()) == {1}


class SlowPlatform(FlakyPlatform):
    """A platform that takes its time over one chat."""

    name = "slow"

    def __init__(self) -> None:
        super().__init__(fail_rate=0)
        self.release = asyncio.Event()
        self.waiting = 0

    async def deliver(self, delivery: Delivery) -> None:
        self.waiting += 1
        await self.release.wait()
        self.accepted[delivery.key] += 1


async def test_a_hanging_platform_does_not_hold_up_the_others(db_url: str) -> None:
    """40 sends hang on one platform; the other's messages go out meanwhile (DingTalk
    replies waited 30 s behind 40 stuck WeCom sends)."""
    clock = ManualClock(START)
    db = Database(db_url)
    slow, fast = SlowPlatform(), FlakyPlatform(fail_rate=0)
    try:
        await fill(
            db,
            clock,
            [
                Outgoing(platform="slow", chat_type="group", chat_id="s", text="x", key=f"s{i}")
                for i in range(40)
            ],
        )
        outbox = Outbox(db, clock, {"slow": slow, "fake": fast})
        worker = asyncio.create_task(outbox.run(poll_seconds=0.01))
        async with asyncio.timeout(5):
            while slow.waiting < 16:  # noqa: ASYNC110 - polling a fake
                await asyncio.sleep(0.005)
        await fill(db, clock, messages(5))
        outbox.wake()
        async with asyncio.timeout(5):
            while len(fast.accepted) < 5:  # noqa: ASYNC110 - polling a fake
                await asyncio.sleep(0.01)
        assert not slow.accepted
        slow.release.set()
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
        await outbox.drain()
        assert sum(slow.accepted.values()) == 40
    finally:
        await db.dispose()


class WatchedEvent(asyncio.Event):
    """The outbox's wake-up event, which tells the test once the worker waits on it."""

    def __init__(self) -> None:
        super().__init__()
        self.waited = asyncio.Event()

    async def wait(self) -> Literal[True]:
        self.waited.set()
        return await super().wait()


async def test_a_wake_that_meets_the_stop_does_not_keep_the_worker_alive(db_url: str) -> None:
    # Replies woke the idle outbox in the same tick the app stopped it: on
    # Python 3.11, asyncio.wait_for returned the wake-up and swallowed the
    # cancellation, and `tongxin chat` hung on exit.
    db = Database(db_url)
    try:
        outbox = Outbox(db, ManualClock(START), {"fake": FlakyPlatform(fail_rate=0)})
        wake = outbox._wake = WatchedEvent()
        worker = asyncio.create_task(outbox.run(poll_seconds=30))
        async with asyncio.timeout(5):
            await wake.waited.wait()  # nothing to claim: idle, waiting to be woken
        outbox.wake()
        worker.cancel()
        async with asyncio.timeout(5):
            await asyncio.gather(worker, return_exceptions=True)
        assert worker.cancelled()
    finally:
        await db.dispose()
