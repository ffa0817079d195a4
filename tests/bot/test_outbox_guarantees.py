"""Exactly once under a slow platform, a kill, odd Retry-After values and timeouts."""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import ClassVar

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.delivery import (
    RETRY_AFTER_MAX,
    Delivery,
    Limit,
    TransientError,
    maybe_sent,
    parse_retry_after,
)
from bot.messages import Outgoing
from bot.outbox import MAX_UNCERTAIN, UNCERTAIN, Outbox
from storage.db import Database
from storage.messaging import OutboxMessage
from tests.bot.outbox_helpers import FlakyPlatform, fill, messages, states
from tests.conftest import START


async def until(cond: Callable[[], bool], seconds: float = 10.0) -> None:
    """Poll a fake until `cond` holds (the outbox runs on its own task)."""
    async with asyncio.timeout(seconds):
        while not cond():  # noqa: ASYNC110 - polling a fake
            await asyncio.sleep(0.002)


async def until_db(check: Callable[[], Awaitable[bool]], seconds: float = 10.0) -> None:
    """Poll the database until `check` holds."""
    async with asyncio.timeout(seconds):
        while not await check():  # noqa: ASYNC110 - polling what another task writes
            await asyncio.sleep(0.003)


async def sent_count(db: Database) -> int:
    async with db.reading() as s:
        n = await s.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == "sent")
        )
    return int(n or 0)


class HeldPlatform:
    """Every send waits until the test lets it finish: a slow platform in the test's time."""

    inline_replies = False

    def __init__(self, name: str = "fake", hang: frozenset[str] = frozenset()) -> None:
        self.name = name
        self.hang = hang
        self.waiting: list[asyncio.Future[None]] = []
        self.accepted: Counter[str] = Counter()

    def limits(self, delivery: Delivery) -> list[Limit]:
        return []

    async def deliver(self, delivery: Delivery) -> None:
        if not self.hang or delivery.key in self.hang:
            fut = asyncio.get_running_loop().create_future()
            self.waiting.append(fut)
            await fut
        self.accepted[delivery.key] += 1

    def release_all(self) -> None:
        for fut in self.waiting:
            if not fut.done():
                fut.set_result(None)
        self.waiting.clear()


async def test_a_platform_taking_nine_seconds_a_send_never_doubles(db_url: str) -> None:
    """200 replies, 16 send slots, 9 s a send: 13 rounds, 2 minutes of sending. The
    last rounds waited past the 60 s claim and were claimed again (151 doubled)."""
    clock = ManualClock(START)
    db = Database(db_url)
    platform = HeldPlatform()
    outbox = Outbox(db, clock, {"fake": platform})
    worker = asyncio.create_task(outbox.run(poll_seconds=0.005))
    try:
        await fill(db, clock, messages(200))
        outbox.wake()
        done = 0
        while done < 200:
            done = await nine_seconds_pass(platform, clock, db, done)
        await until_states(db, {"sent": 200})
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
        await drain_releasing(outbox, platform)
        await db.dispose()
    assert set(platform.accepted.values()) == {1}
    assert clock.now() - START >= timedelta(seconds=9 * 13)


async def nine_seconds_pass(
    platform: HeldPlatform, clock: ManualClock, db: Database, done: int
) -> int:
    """The sends in flight take 9 s and end; how many have ended in all."""
    await until(lambda: len(platform.waiting) >= min(16, 200 - done))
    clock.advance(seconds=9)
    done += len(platform.waiting)
    platform.release_all()
    await until(lambda: sum(platform.accepted.values()) >= done)

    async def recorded() -> bool:  # each result as its send ends
        return await sent_count(db) >= done

    await until_db(recorded)
    return done


async def test_a_send_outlasting_its_claim_is_not_taken_by_another_worker(db_url: str) -> None:
    """The worker renews the claims it holds, so a second worker (a replica) leaves the
    row alone however long its send takes."""
    clock = ManualClock(START)
    db_a, db_b = Database(db_url), Database(db_url)
    slow = HeldPlatform()
    other = FlakyPlatform(fail_rate=0)
    a = Outbox(db_a, clock, {"fake": slow})
    b = Outbox(db_b, clock, {"fake": other})
    worker = asyncio.create_task(a.run(poll_seconds=0.005))
    try:
        await fill(db_a, clock, messages(1))
        a.wake()
        await until(lambda: len(slow.waiting) == 1)
        first_lease = START + timedelta(seconds=60)
        for _ in range(6):  # four minutes in all
            clock.advance(seconds=40)
            moment = clock.now()
            await until_lease_after(db_a, moment)
            assert await b.run_once() == 0
        assert clock.now() > first_lease
        slow.release_all()
        await until_states(db_a, {"sent": 1})
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
        await drain_releasing(a, slow)
        await db_a.dispose()
        await db_b.dispose()
    assert slow.accepted == Counter({"k0": 1})
    assert not other.accepted


async def drain_releasing(outbox: Outbox, platform: HeldPlatform) -> None:
    """Let every send still waiting (a second copy, if any) finish, and its result land."""
    drained = asyncio.create_task(outbox.drain())
    async with asyncio.timeout(10):
        while not drained.done():
            platform.release_all()
            await asyncio.sleep(0.002)


async def until_states(db: Database, expected: dict[str, int]) -> None:
    async def reached() -> bool:
        return await states(db) == expected

    await until_db(reached)


async def until_lease_after(db: Database, moment: datetime) -> None:
    async def renewed() -> bool:
        async with db.reading() as s:
            lease = await s.scalar(select(OutboxMessage.lease_until))
        return lease is not None and lease > moment

    await until_db(renewed)


async def test_each_result_is_recorded_when_its_send_ends(db_url: str) -> None:
    """A kill while one send hangs repeats only that one (it re-sent 53 of 100)."""
    clock = ManualClock(START)
    db_a, db_b = Database(db_url), Database(db_url)
    first = HeldPlatform(hang=frozenset({"k0"}))
    second = FlakyPlatform(fail_rate=0)
    a = Outbox(db_a, clock, {"fake": first})
    await fill(db_a, clock, messages(100))
    run = asyncio.create_task(a.run_once())
    try:
        await until(lambda: sum(first.accepted.values()) == 99)

        async def recorded() -> bool:
            return await sent_count(db_a) == 99

        await until_db(recorded)
        # Killed here: the process is gone, k0's send with it. Another
        # process takes over once the claim has run out.
        clock.advance(seconds=61)
        b = Outbox(db_b, clock, {"fake": second})
        await b.run_once()
        assert second.accepted == Counter({"k0": 1})
        # The dead process's late answer must not overwrite the new holder's record.
        first.release_all()
        await run
        assert await states(db_b) == {"sent": 100}
    finally:
        first.release_all()
        await asyncio.gather(run, return_exceptions=True)
        await db_a.dispose()
        await db_b.dispose()


class AskingPlatform(FlakyPlatform):
    """Refuses with the Retry-After a key names: what a platform's header gave."""

    WAITS: ClassVar[dict[str, float]] = {
        "nan": math.nan,
        "inf": math.inf,
        "neg": -5.0,
        "huge": 1e30,
    }

    async def deliver(self, delivery: Delivery) -> None:
        if delivery.key in self.WAITS:
            raise TransientError("HTTP 429", self.WAITS[delivery.key])
        self.accepted[delivery.key] += 1


async def test_odd_retry_after_values_neither_crash_nor_lose_a_batch(db_url: str) -> None:
    clock = ManualClock(START)
    db = Database(db_url)
    platform = AskingPlatform(fail_rate=0)
    keys = [*AskingPlatform.WAITS, "plain"]
    try:
        await fill(
            db,
            clock,
            [
                Outgoing(platform="fake", chat_type="group", chat_id=f"g{k}", text=k, key=k)
                for k in keys
            ],
        )
        await Outbox(db, clock, {"fake": platform}).run_once()
        async with db.reading() as s:
            rows = {r.idempotency_key: r for r in await s.scalars(select(OutboxMessage))}
    finally:
        await db.dispose()
    assert rows["plain"].state == "sent"
    for key in AskingPlatform.WAITS:
        row = rows[key]
        assert row.state == "pending" and row.last_error == "HTTP 429", key
        wait = (row.next_attempt_at - START).total_seconds()
        assert 1 <= wait <= RETRY_AFTER_MAX, (key, wait)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("nan", None),
        ("NaN", None),
        ("inf", None),
        ("-inf", None),
        ("-3", None),
        ("", None),
        ("soon", None),
        ("1e30", RETRY_AFTER_MAX),
        ("99999999999999999999", RETRY_AFTER_MAX),
        (format_datetime(START.astimezone(UTC) + timedelta(seconds=90), usegmt=True), 90.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("Sun, 06 Nov 1994 08:49:37", 0.0),
        ("Mon, 99 Foo 2015 99:99:99 GMT", None),
    ],
)
def test_retry_after_is_read_defensively(header: str, seconds: float | None) -> None:
    assert parse_retry_after(header, START) == seconds


class NotIdempotent(FlakyPlatform):
    """Takes every message, then the answer times out (the request was carried out)."""

    async def deliver(self, delivery: Delivery) -> None:
        self.accepted[delivery.key] += 1
        raise TransientError("message/send: TimeoutError", maybe_sent=True)


class DropsRepeats(NotIdempotent):
    """The same, on a platform that drops a repeat within `window` seconds (WeCom's
    duplicate check); `timeouts` answers time out, then it answers."""

    def __init__(self, clock: ManualClock, window: float, timeouts: int) -> None:
        super().__init__(fail_rate=0)
        self.clock = clock
        self.window = window
        self.timeouts = timeouts
        self.shown: Counter[str] = Counter()
        self._last: dict[str, datetime] = {}

    def dedup_seconds(self, delivery: Delivery) -> float:
        return self.window

    async def deliver(self, delivery: Delivery) -> None:
        now = self.clock.now()
        last = self._last.get(delivery.key)
        if last is None or now - last >= timedelta(seconds=self.window):
            self.shown[delivery.key] += 1
            self._last[delivery.key] = now
        self.accepted[delivery.key] += 1
        if self.accepted[delivery.key] <= self.timeouts:
            raise TransientError("message/send: TimeoutError", maybe_sent=True)


async def drive(outbox: Outbox, clock: ManualClock, db: Database, rounds: int = 200) -> None:
    for _ in range(rounds):
        await outbox.run_once()
        if set(await states(db)) <= {"sent", "failed"}:
            return
        clock.advance(seconds=20)
    raise AssertionError(f"outbox did not finish: {await states(db)}")


async def test_timeouts_after_sending_repeat_a_message_a_bounded_number_of_times(
    db_url: str,
) -> None:
    """It used to be repeated up to 14 times; now at most MAX_UNCERTAIN, then kept for
    an admin to look at (and resend) with the reason."""
    clock = ManualClock(START)
    db = Database(db_url)
    platform = NotIdempotent(fail_rate=0)
    try:
        await fill(db, clock, messages(3))
        await drive(Outbox(db, clock, {"fake": platform}), clock, db)
        async with db.reading() as s:
            rows = list(await s.scalars(select(OutboxMessage)))
    finally:
        await db.dispose()
    assert set(platform.accepted.values()) == {MAX_UNCERTAIN}
    for row in rows:
        assert row.state == "failed" and row.last_error.startswith(UNCERTAIN)
        assert row.uncertain == MAX_UNCERTAIN


async def test_where_the_platform_drops_repeats_timeouts_are_retried_within_its_window(
    db_url: str,
) -> None:
    clock = ManualClock(START)
    db = Database(db_url)
    recovers = DropsRepeats(clock, window=600, timeouts=5)
    never = DropsRepeats(clock, window=600, timeouts=10**6)
    try:
        await fill(db, clock, messages(2, chats=2))
        async with db.transaction() as s:
            await s.execute(
                OutboxMessage.__table__.update()
                .where(OutboxMessage.idempotency_key == "k1")
                .values(platform="never")
            )
        outbox = Outbox(db, clock, {"fake": recovers, "never": never})
        await drive(outbox, clock, db)
        async with db.reading() as s:
            rows = {r.idempotency_key: r for r in await s.scalars(select(OutboxMessage))}
    finally:
        await db.dispose()
    # Six attempts, shown once: WeCom drops the five repeats.
    assert recovers.accepted["k0"] == 6 and recovers.shown["k0"] == 1
    assert rows["k0"].state == "sent"
    # Past the window a repeat would show: it stops before that.
    assert never.shown["k1"] == 1
    assert rows["k1"].state == "failed" and rows["k1"].last_error.startswith(UNCERTAIN)
    assert rows["k1"].uncertain_since is not None
    last_try = rows["k1"].uncertain_since + timedelta(seconds=600)
    assert rows["k1"].failed_at is not None and rows["k1"].failed_at < last_try


def test_only_a_connection_never_made_proves_nothing_was_sent() -> None:
    key = aiohttp.client_reqrep.ConnectionKey("h", 443, True, True, None, None, None)
    refused = aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "refused"))
    assert not maybe_sent(refused)
    assert not maybe_sent(aiohttp.ConnectionTimeoutError("connect timeout"))
    assert maybe_sent(TimeoutError())
    assert maybe_sent(aiohttp.SocketTimeoutError("read timeout"))
    assert maybe_sent(aiohttp.ServerDisconnectedError())
    assert maybe_sent(aiohttp.ClientPayloadError("cut short"))
