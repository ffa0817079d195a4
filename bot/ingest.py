"""Inbound messages: record durably (group commit), acknowledge, handle in a pool.

A platform retries a callback it thinks failed, so the (platform, msg_id)
unique key decides what is new. The HTTP side waits only for the batch that
holds its message to commit: a few milliseconds, never the handling.

Recorded messages wait for a worker in bounded queues. When a queue is full
the message waits in the database instead, and so does every message after
it until the backlog is gone: a feeder hands them over, oldest first, as
fast as the workers take them, so one person's messages keep their order.
Messages left by a process that died are found by `recover` and join the
same backlog. A message is handled once: the handling transaction takes only
rows still pending (another replica may take over a message whose lease ran
out while it waited here).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from bot import texts
from bot.context import Context
from bot.errors import Failure
from bot.messages import Incoming, Outgoing
from bot.metrics import Metrics
from bot.outbox import enqueue, insert_rows, outbox_rows
from bot.roles import Actor
from bot.runtime import Runtime
from bot.sensitive import open_payload, seal_payload
from storage.inbound_log import InboundLog, NewMessage
from storage.messaging import InboundMessage
from storage.people import grants_of_many, touch_groups, touch_participants, touch_people

log = logging.getLogger("tongxin.ingest")

LEASE = timedelta(seconds=30)
GROUP_COMMIT_MAX = 500
# The backlog is read back this many messages at a time, and the recovery
# pass claims this many orphaned messages per statement.
FEED_CHUNK = 256
RECOVER_CHUNK = 5000
# A full queue is reported at most this often (seconds).
WARN_EVERY = 60.0
# A batch holds the write lock while it is handled. While platforms are
# sending ack-first callbacks (seen within ACK_TRAFFIC_WINDOW seconds),
# batches stay small so the next record gets the lock within milliseconds;
# otherwise larger batches cost less.
HANDLE_BATCH_MAX = 64
HANDLE_BATCH_ACKING = 16
ACK_TRAFFIC_WINDOW = 2.0
YIELD_MAX = 1.0
HANDLE_SHARE = 0.5
HOLD_MAX = 0.005
QUEUE_MAX = 1024


@dataclass
class _Pending:
    incoming: Incoming
    accepted: asyncio.Future[bool]
    done: asyncio.Future[list[Outgoing]] | None = None


@dataclass
class Job:
    row_id: int
    incoming: Incoming
    done: asyncio.Future[list[Outgoing]] | None = field(default=None)
    # When it was recorded (time.monotonic()), for the handling-time histogram.
    received: float = field(default_factory=time.monotonic)


class Ingest:
    """Owns the group-commit writer and the bounded pool of handling workers."""

    def __init__(self, rt: Runtime, workers: int, metrics: Metrics | None = None) -> None:
        self.rt = rt
        self.metrics = metrics or Metrics()
        self._writes: asyncio.Queue[_Pending] = asyncio.Queue()
        # SQLite has one writer: more workers would only queue on its lock
        # with smaller batches each.
        count = 1 if rt.db.is_sqlite else workers
        self._queues: list[asyncio.Queue[Job]] = [
            asyncio.Queue(maxsize=QUEUE_MAX) for _ in range(count)
        ]
        self._tasks: list[asyncio.Task[None]] = []
        self._writer: asyncio.Task[None] | None = None
        self._feeder: asyncio.Task[None] | None = None
        self._log = InboundLog(rt.db)
        # Recorded messages waiting in the database for room in the queues,
        # oldest first; while any wait (or are being read back), new ones
        # join them rather than overtake them.
        self._backlog: deque[int] = deque()
        self._feeding = False
        self._room = asyncio.Event()
        # Every message this process has taken on and not yet handled.
        self._held: set[int] = set()
        self._warned = -WARN_EVERY
        self._backlogged = 0
        self._seen = Seen()
        # Submits waiting for their record; handling yields to them.
        self._recording = 0
        self._last_ack_first = -ACK_TRAFFIC_WINDOW
        self._calm = asyncio.Event()
        self._calm.set()

    def start(self) -> None:
        self._writer = asyncio.create_task(self._write_loop(), name="ingest-writer")
        self._feeder = asyncio.create_task(self._feed_loop(), name="ingest-feeder")
        self._tasks = [
            asyncio.create_task(self._work_loop(q), name=f"ingest-worker-{i}")
            for i, q in enumerate(self._queues)
        ]

    async def stop(self) -> None:
        """Finish what was accepted, then stop (the pool drains on shutdown)."""
        await self.idle()
        loops = [t for t in (self._writer, self._feeder) if t is not None]
        for task in [*self._tasks, *loops]:
            task.cancel()
        await asyncio.gather(*self._tasks, *loops, return_exceptions=True)
        await self._log.close()

    async def submit(
        self, incoming: Incoming, *, wait: bool = False
    ) -> tuple[bool, list[Outgoing]]:
        """Record a message. (is_new, replies) — replies only when `wait` asks for them."""
        loop = asyncio.get_running_loop()
        pending = _Pending(incoming, loop.create_future(), loop.create_future() if wait else None)
        self._recording += 1
        if not wait:
            self._last_ack_first = time.monotonic()
        self._calm.clear()
        try:
            await self._writes.put(pending)
            is_new = await pending.accepted
        finally:
            self._recording -= 1
            if not self._recording:
                self._calm.set()
        if not is_new or pending.done is None:
            return is_new, []
        return True, await pending.done

    async def _write_loop(self) -> None:
        while True:
            batch = [await self._writes.get()]
            while not self._writes.empty() and len(batch) < GROUP_COMMIT_MAX:
                batch.append(self._writes.get_nowait())
            try:
                jobs = await self._record(batch)
            except Exception as err:
                log.exception("recording %d inbound messages failed", len(batch))
                for p in batch:
                    if not p.accepted.done():
                        p.accepted.set_exception(err)
                continue
            for job in jobs:
                self._hand_over(job)

    async def _record(self, batch: list[_Pending]) -> list[Job]:
        now = self.rt.clock.now()
        first: dict[tuple[str, str], _Pending] = {}
        for p in batch:
            first.setdefault((p.incoming.platform, p.incoming.msg_id), p)
        rows = [
            NewMessage(platform, msg_id, seal_payload(self.rt.sealer, p.incoming))
            for (platform, msg_id), p in first.items()
        ]
        inserted = await self._log.record(rows, now, now + LEASE)
        jobs = []
        for p in batch:
            key = (p.incoming.platform, p.incoming.msg_id)
            row_id = inserted.get(key)
            is_new = row_id is not None and first[key] is p
            p.accepted.set_result(is_new)
            if is_new and row_id is not None:
                jobs.append(Job(row_id, p.incoming, p.done))
                self.metrics.received.labels(p.incoming.platform).inc()
            else:
                self.metrics.duplicates.labels(p.incoming.platform).inc()
        return jobs

    def _hand_over(self, job: Job) -> None:
        self._held.add(job.row_id)
        if self._backlog or self._feeding or not self._put(job):
            # Recorded, so it waits in the database; a local-channel caller
            # gets its replies through the outbox instead.
            self._wait_in_backlog([job.row_id])
            if job.done is not None and not job.done.done():
                job.done.set_result([])

    def _put(self, job: Job) -> bool:
        # One queue per worker, chosen by conversation, keeps a person's
        # messages in order while different people are handled side by side.
        msg = job.incoming
        queue = self._queues[hash((msg.platform, msg.chat_id, msg.sender_id)) % len(self._queues)]
        try:
            queue.put_nowait(job)
        except asyncio.QueueFull:
            return False
        return True

    def _wait_in_backlog(self, row_ids: Sequence[int]) -> None:
        if not self._backlog and not self._feeding:
            # Said once per overload at most: a line per message would add to it.
            now = time.monotonic()
            if now - self._warned >= WARN_EVERY:
                log.warning("worker queues full; messages wait in the database, oldest first")
                self._warned = now
        self._backlog.extend(row_ids)
        self._backlogged += len(row_ids)
        self._room.set()

    async def _feed_loop(self) -> None:
        """Hand the backlog to the workers, oldest first, as they make room."""
        while True:
            await self._room.wait()
            self._room.clear()
            try:
                await self._feed()
            except Exception:
                log.exception("reading back waiting messages failed")
                await asyncio.sleep(1.0)
                self._room.set()

    async def _feed(self) -> None:
        while self._backlog:
            free = sum(q.maxsize - q.qsize() for q in self._queues)
            size = sum(q.maxsize for q in self._queues)
            if free < min(FEED_CHUNK, size // 4, len(self._backlog)):
                return  # a worker sets _room when it has taken a batch
            take = min(free, FEED_CHUNK, len(self._backlog))
            ids = [self._backlog.popleft() for _ in range(take)]
            self._feeding = True
            try:
                jobs = await self._load(ids)
            except BaseException:
                self._backlog.extendleft(reversed(ids))
                raise
            finally:
                self._feeding = False
            for i, job in enumerate(jobs):
                if not self._put(job):  # that worker's queue is full: wait for it
                    self._backlog.extendleft(reversed([j.row_id for j in jobs[i:]]))
                    return
        if self._backlogged:
            log.info("backlog handed to the workers: %d messages", self._backlogged)
            self._backlogged = 0

    async def _load(self, ids: list[int]) -> list[Job]:
        """The waiting messages of `ids`, in order; one handled meanwhile is let go."""
        async with self.rt.db.reading() as session:
            rows = await session.execute(
                select(InboundMessage.id, InboundMessage.payload, InboundMessage.received_at).where(
                    InboundMessage.id.in_(ids), InboundMessage.state == "pending"
                )
            )
            found = {row_id: (payload, at) for row_id, payload, at in rows}
        now, mono = self.rt.clock.now(), time.monotonic()
        jobs = []
        lost = []
        for row_id in ids:
            if row_id not in found:
                self._held.discard(row_id)
                continue
            payload, at = found[row_id]
            incoming = open_payload(self.rt.sealer, payload)
            if incoming is None:
                lost.append(row_id)
                continue
            received = mono - max((now - at).total_seconds(), 0.0)
            jobs.append(Job(row_id, incoming, received=received))
        if lost:
            # Sealed under a key since replaced: nobody can read it any more.
            async with self.rt.db.transaction() as session:
                await _mark(session, lost, "failed", now, error="unreadable")
            self._held.difference_update(lost)
        return jobs

    async def _work_loop(self, queue: asyncio.Queue[Job]) -> None:
        # Jobs taken from the queue but left when a batch gave way; they go
        # first next time, so a conversation's messages stay in order.
        carried: deque[Job] = deque()
        while True:
            if not carried:
                carried.append(await queue.get())
            await self._yield_to_recording()
            acking = time.monotonic() - self._last_ack_first < ACK_TRAFFIC_WINDOW
            limit = HANDLE_BATCH_ACKING if acking else HANDLE_BATCH_MAX
            batch = [carried.popleft() for _ in range(min(limit, len(carried)))]
            while not queue.empty() and len(batch) < limit:
                batch.append(queue.get_nowait())
            if self._backlog:
                self._room.set()
            handled = batch
            started = time.monotonic()
            try:
                results = await self._run(batch)
                handled, left = batch[: len(results)], batch[len(results) :]
                carried.extendleft(reversed(left))
                for job, outs in zip(handled, results, strict=True):
                    if job.done is not None and not job.done.done():
                        job.done.set_result(outs)
            except Exception as err:
                for job in batch:
                    if job.done is not None and not job.done.done():
                        job.done.set_exception(err)
            finally:
                self.rt.outbox.wake()
                for job in handled:
                    self._held.discard(job.row_id)
                    queue.task_done()
            if acking:
                # While platforms wait for acknowledgements, handling (and the
                # sending it causes) gets at most HANDLE_SHARE of the event
                # loop: a saturated loop would make every callback queue.
                await asyncio.sleep((time.monotonic() - started) * (1 / HANDLE_SHARE - 1))

    async def _yield_to_recording(self) -> None:
        """Handling yields to recording, which a platform's callback is waiting on.

        No batch starts while a submit waits for its record, nor before the
        loop has polled its sockets once more: callbacks already received
        (clients answered a moment ago send their next one at once) count as
        waiting. None waits longer than YIELD_MAX, so a flood of callbacks
        still leaves room for handling.
        """
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(YIELD_MAX):
                while True:
                    await self._calm.wait()
                    await asyncio.sleep(0)
                    if self._calm.is_set():
                        return

    async def handle(self, row_id: int, incoming: Incoming) -> list[Outgoing]:
        """Handle one message on its own (a recovered one, or a test's)."""
        return (await self._run([Job(row_id, incoming)]))[0]

    async def _run(self, jobs: list[Job]) -> list[list[Outgoing]]:
        """Handle messages that arrived together in one transaction.

        Answers for the first of `jobs`, at least one: a batch may give way to
        a waiting callback between messages (see `_gives_way`).
        If any handler fails, the whole batch is rolled back and each message
        is handled again alone, so one bad message costs only itself.
        """
        try:
            return await self._process(jobs)
        except Exception as err:
            if len(jobs) > 1:
                return [(await self._run([job]))[0] for job in jobs]
            job = jobs[0]
            msg = job.incoming
            await self.rt.errors.report(Failure("message", f"{msg.platform}:{msg.msg_id}", err))
            return [await self._fail(job.row_id, job.incoming, err)]

    def _gives_way(self, started: float) -> bool:
        """Whether a handling batch should commit now for a waiting callback.

        On SQLite the batch holds the one write lock, so a callback's record
        waits for the whole batch. After HOLD_MAX a batch gives way between
        messages (sooner, it would spend more on starting batches than on
        handling). PostgreSQL records alongside and never needs to.
        """
        waited_on = self.rt.db.is_sqlite and self._recording > 0
        return waited_on and time.monotonic() - started >= HOLD_MAX

    async def _process(self, jobs: list[Job]) -> list[list[Outgoing]]:
        rt = self.rt
        inline = rt.outbox.inline_platforms
        results: list[list[Outgoing]] = []
        rows: list[dict[str, Any]] = []
        async with rt.db.transaction() as session:
            now = rt.clock.now()
            # Only rows still pending: another replica may have handled one.
            # (SQLite has one serving process, which never hands a message
            # it holds to two workers, and so needs no look.)
            ids = [j.row_id for j in jobs]
            todo = set(ids) if rt.db.is_sqlite else await _pending(session, ids)
            mine = [j for j in jobs if j.row_id in todo]
            built, learned = await contexts_of(
                rt, session, [j.incoming for j in mine], now, self._seen
            )
            contexts = iter(built)
            started = time.monotonic()
            done: list[int] = []
            for job in jobs:
                if results and self._gives_way(started):
                    break
                if job.row_id not in todo:
                    results.append([])
                    continue
                ctx = next(contexts)
                await rt.router.dispatch(ctx)
                outs, new_rows = outbox_rows(
                    ctx.out, now, source=job.incoming, inline_platforms=inline, sealer=rt.sealer
                )
                results.append(outs)
                rows += new_rows
                done.append(job.row_id)
            await insert_rows(session, rows)
            await _mark(session, done, "done", now)
        self._seen.learn(learned)
        ended = time.monotonic()
        for job in jobs[: len(results)]:
            if job.row_id in todo:
                platform = job.incoming.platform
                self.metrics.handled.labels(platform, "done").inc()
                self.metrics.handling.labels(platform).observe(ended - job.received)
        return results

    async def _fail(self, row_id: int, incoming: Incoming, err: Exception) -> list[Outgoing]:
        rt = self.rt
        sorry = Outgoing(
            platform=incoming.platform,
            chat_type=incoming.chat_type,
            chat_id=incoming.chat_id,
            text=texts.INTERNAL_ERROR,
            reply_handle=incoming.reply_handle,
        )
        async with rt.db.transaction() as session:
            now = rt.clock.now()
            outs = await enqueue(
                session,
                [sorry],
                now,
                source=incoming,
                inline_platforms=rt.outbox.inline_platforms,
            )
            await _mark(session, [row_id], "failed", now, error=type(err).__name__)
        self.metrics.handled.labels(incoming.platform, "failed").inc()
        return outs

    async def recover(self) -> int:
        """Take over pending messages whose lease ran out: those a process that died left.

        They join the backlog, oldest first, all of them: the feeder hands
        them over as fast as they are handled. Messages this process holds
        are left alone however old their lease.
        """
        rt = self.rt
        taken = 0
        while True:
            now = rt.clock.now()
            pick = (
                select(InboundMessage.id)
                .where(InboundMessage.state == "pending", InboundMessage.lease_until < now)
                .order_by(InboundMessage.id)
                .limit(RECOVER_CHUNK)
            )
            if rt.db.is_sqlite:
                # The one writer is the only taker: look without its lock.
                async with rt.db.reading() as session:
                    found = list(await session.scalars(pick))
                ids = [i for i in found if i not in self._held]
                if ids:
                    async with rt.db.transaction() as session:
                        await self._lease(session, ids, now)
            else:
                async with rt.db.transaction() as session:
                    found = list(await session.scalars(pick.with_for_update(skip_locked=True)))
                    ids = [i for i in found if i not in self._held]
                    await self._lease(session, ids, now)
            if ids:
                self._held.update(ids)
                self._wait_in_backlog(ids)
                taken += len(ids)
            if len(found) < RECOVER_CHUNK or not ids:
                return taken

    async def _lease(self, session: Any, ids: list[int], now: datetime) -> None:
        if ids:
            await session.execute(
                update(InboundMessage)
                .where(InboundMessage.id.in_(ids))
                .values(lease_until=now + LEASE)
            )

    def forget_senders(self) -> None:
        """Look every sender up afresh: one erased by another process is
        otherwise still known here for up to SEEN_FOR seconds."""
        self._seen = Seen()

    async def idle(self) -> None:
        """Wait until every accepted message has been handled (tests, benches)."""
        while True:
            while not self._writes.empty():  # noqa: ASYNC110 - the writer drains it within a tick
                await asyncio.sleep(0.001)
            for queue in self._queues:
                await queue.join()
            if not self._backlog and not self._feeding and self._writes.empty():
                return
            await asyncio.sleep(0.001)


async def _pending(session: Any, row_ids: list[int]) -> set[int]:
    """Which of `row_ids` are still to handle, locked until the commit."""
    pick = (
        select(InboundMessage.id)
        .where(InboundMessage.id.in_(row_ids), InboundMessage.state == "pending")
        .with_for_update()
    )
    return set(await session.scalars(pick))


async def _mark(
    session: Any, row_ids: list[int], state: str, now: datetime, error: str = ""
) -> None:
    # The payload goes once handled: the row stays only as the dedup key.
    await session.execute(
        update(InboundMessage)
        .where(InboundMessage.id.in_(row_ids))
        .values(state=state, handled_at=now, payload=None, error=error)
    )


# A person's or participant's row written this recently is taken as up to
# date (seconds).
SEEN_FOR = 5.0


@dataclass
class Seen:
    """People and "spoke in this group" rows this process wrote lately.

    Under load the same teachers come back every few hundred milliseconds,
    and writing their rows again and again held SQLite's write lock for most
    of each handling batch (docs/BENCHMARKS.md). A changed name is written at
    once. Groups are written every time: their row says which unit a group
    is bound to, which decides a secretary's powers there; roles are read
    fresh every time too. What a batch wrote is learned only once its
    transaction has committed.
    """

    people: dict[tuple[str, str], tuple[int, str, float]] = field(default_factory=dict)
    pairs: dict[tuple[int, int], float] = field(default_factory=dict)

    def person(self, key: tuple[str, str], name: str, at: float) -> int | None:
        found = self.people.get(key)
        if found is None or at - found[2] >= SEEN_FOR or (name and name != found[1]):
            return None
        return found[0]

    def pair(self, key: tuple[int, int], at: float) -> bool:
        return at - self.pairs.get(key, -SEEN_FOR) < SEEN_FOR

    def learn(self, learned: Seen) -> None:
        self.people.update(learned.people)
        self.pairs.update(learned.pairs)
        if len(self.people) + len(self.pairs) > 50_000:
            self.people.clear()
            self.pairs.clear()


async def build_contexts(
    rt: Runtime, session: Any, messages: Sequence[Incoming], now: datetime
) -> list[Context]:
    """Contexts for messages handled together: people, roles and groups in a few statements."""
    contexts, _ = await contexts_of(rt, session, messages, now, Seen())
    return contexts


async def contexts_of(
    rt: Runtime, session: Any, messages: Sequence[Incoming], now: datetime, seen: Seen
) -> tuple[list[Context], Seen]:
    """Contexts, writing only the rows `seen` does not vouch for; what was written."""
    at = time.monotonic()
    learned = Seen()
    people: dict[tuple[str, str], int] = {}
    touch: list[tuple[str, str, str]] = []
    for m in messages:
        key = (m.platform, m.sender_id)
        pid = seen.person(key, m.sender_name, at)
        if pid is None:
            touch.append((m.platform, m.sender_id, m.sender_name))
        else:
            people[key] = pid
    written = await touch_people(session, touch, now)
    names = {(p, u): n for p, u, n in touch if n}
    for key, pid in written.items():
        learned.people[key] = (pid, names.get(key, ""), at)
    people.update(written)
    grants = await grants_of_many(session, people.values())
    in_groups = [m for m in messages if m.is_group]
    groups = await touch_groups(
        session, [(m.platform, m.chat_id, m.chat_title) for m in in_groups], now
    )
    pairs = {
        (groups[(m.platform, m.chat_id)][0], people[(m.platform, m.sender_id)])
        for m in messages
        if m.is_group
    }
    fresh = [pair for pair in pairs if not seen.pair(pair, at)]
    await touch_participants(session, fresh, now)
    learned.pairs.update(dict.fromkeys(fresh, at))
    contexts = []
    for m in messages:
        person_id = people[(m.platform, m.sender_id)]
        g = grants[person_id]
        group_id, unit_id = (
            groups.get((m.platform, m.chat_id), (None, None)) if m.is_group else (None, None)
        )
        actor = Actor(
            person_id=person_id,
            platform=m.platform,
            user_id=m.sender_id,
            name=m.sender_name,
            is_admin=g.is_admin or rt.settings.is_configured_admin(m.platform, m.sender_id),
            secretary_units=set(g.secretary_units),
        )
        contexts.append(
            Context(
                incoming=m,
                session=session,
                actor=actor,
                runtime=rt,
                now=now,
                group_id=group_id,
                group_unit_id=unit_id,
            )
        )
    return contexts, learned


def replies_for(incoming: Incoming, outs: Sequence[Outgoing]) -> list[Outgoing]:
    return [o for o in outs if o.platform == incoming.platform and o.chat_id == incoming.chat_id]
