"""Inbound messages: record durably (group commit), acknowledge, handle in a pool.

A platform retries a callback it thinks failed, so the (platform, msg_id)
unique key decides what is new. The HTTP side waits only for the batch that
holds its message to commit: a few milliseconds, never the handling.
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
# A batch holds the write lock while it is handled. While platforms are
# sending ack-first callbacks (seen within ACK_TRAFFIC_WINDOW seconds),
# batches stay small so the next record gets the lock within milliseconds;
# otherwise larger batches cost less.
HANDLE_BATCH_MAX = 64
HANDLE_BATCH_ACKING = 16
ACK_TRAFFIC_WINDOW = 2.0
YIELD_MAX = 1.0
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


class Ingest:
    """Owns the group-commit writer and the bounded pool of handling workers."""

    def __init__(self, rt: Runtime, workers: int) -> None:
        self.rt = rt
        self._writes: asyncio.Queue[_Pending] = asyncio.Queue()
        # SQLite has one writer: more workers would only queue on its lock
        # with smaller batches each.
        count = 1 if rt.db.is_sqlite else workers
        self._queues: list[asyncio.Queue[Job]] = [
            asyncio.Queue(maxsize=QUEUE_MAX) for _ in range(count)
        ]
        self._tasks: list[asyncio.Task[None]] = []
        self._writer: asyncio.Task[None] | None = None
        self._log = InboundLog(rt.db)
        self._overflowing = False
        # Submits waiting for their record; handling yields to them.
        self._recording = 0
        self._last_ack_first = -ACK_TRAFFIC_WINDOW
        self._calm = asyncio.Event()
        self._calm.set()

    def start(self) -> None:
        self._writer = asyncio.create_task(self._write_loop(), name="ingest-writer")
        self._tasks = [
            asyncio.create_task(self._work_loop(q), name=f"ingest-worker-{i}")
            for i, q in enumerate(self._queues)
        ]

    async def stop(self) -> None:
        """Finish what was accepted, then stop (the pool drains on shutdown)."""
        await self.idle()
        for task in [*self._tasks, *([self._writer] if self._writer else [])]:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._writer:
            await asyncio.gather(self._writer, return_exceptions=True)
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
        return jobs

    def _hand_over(self, job: Job) -> None:
        # One queue per worker, chosen by conversation, keeps a person's
        # messages in order while different people are handled side by side.
        msg = job.incoming
        queue = self._queues[hash((msg.platform, msg.chat_id, msg.sender_id)) % len(self._queues)]
        try:
            queue.put_nowait(job)
            self._overflowing = False
        except asyncio.QueueFull:
            # Recorded and leased: the recovery pass picks it up once the
            # lease runs out, so overload delays a message but never drops it.
            # Said once per overload: a line per message would add to it.
            if not self._overflowing:
                log.warning("worker queue full; messages wait for recovery")
            self._overflowing = True
            if job.done is not None and not job.done.done():
                job.done.set_result([])

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
            handled = batch
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
                for _ in handled:
                    queue.task_done()

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
            contexts = await build_contexts(rt, session, [j.incoming for j in jobs], now)
            started = time.monotonic()
            for job, ctx in zip(jobs, contexts, strict=True):
                if results and self._gives_way(started):
                    break
                await rt.router.dispatch(ctx)
                outs, new_rows = outbox_rows(
                    ctx.out, now, source=job.incoming, inline_platforms=inline, sealer=rt.sealer
                )
                results.append(outs)
                rows += new_rows
            await insert_rows(session, rows)
            await _mark(session, [j.row_id for j in jobs[: len(results)]], "done", now)
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
        return outs

    async def recover(self, limit: int = 500) -> int:
        """Hand pending messages whose lease ran out (a crash, an overload) to the pool."""
        rt = self.rt
        now = rt.clock.now()
        pick = (
            select(InboundMessage.id)
            .where(InboundMessage.state == "pending", InboundMessage.lease_until < now)
            .order_by(InboundMessage.id)
            .limit(limit)
        )
        if not rt.db.is_sqlite:
            pick = pick.with_for_update(skip_locked=True)
        async with rt.db.transaction() as session:
            ids = list(await session.scalars(pick))
            if not ids:
                return 0
            result = await session.execute(
                update(InboundMessage)
                .where(InboundMessage.id.in_(ids))
                .values(lease_until=now + LEASE)
                .returning(InboundMessage.id, InboundMessage.payload)
            )
            claimed = [(row_id, open_payload(rt.sealer, payload)) for row_id, payload in result]
            # Sealed under a key since replaced: nobody can read it any more.
            lost = [row_id for row_id, incoming in claimed if incoming is None]
            if lost:
                await _mark(session, lost, "failed", now, error="unreadable")
        for row_id, incoming in claimed:
            if incoming is not None:
                self._hand_over(Job(row_id, incoming))
        return len(claimed)

    async def idle(self) -> None:
        """Wait until every accepted message has been handled (tests, benches)."""
        while not self._writes.empty():  # noqa: ASYNC110 - the writer drains it within a tick
            await asyncio.sleep(0.001)
        for queue in self._queues:
            await queue.join()


async def _mark(
    session: Any, row_ids: list[int], state: str, now: datetime, error: str = ""
) -> None:
    # The payload goes once handled: the row stays only as the dedup key.
    await session.execute(
        update(InboundMessage)
        .where(InboundMessage.id.in_(row_ids))
        .values(state=state, handled_at=now, payload=None, error=error)
    )


async def build_contexts(
    rt: Runtime, session: Any, messages: Sequence[Incoming], now: datetime
) -> list[Context]:
    """Contexts for messages handled together: people, roles and groups in a few statements."""
    people = await touch_people(
        session, [(m.platform, m.sender_id, m.sender_name) for m in messages], now
    )
    grants = await grants_of_many(session, people.values())
    in_groups = [m for m in messages if m.is_group]
    groups = await touch_groups(
        session, [(m.platform, m.chat_id, m.chat_title) for m in in_groups], now
    )
    await touch_participants(
        session,
        [
            (groups[(m.platform, m.chat_id)][0], people[(m.platform, m.sender_id)])
            for m in in_groups
        ],
        now,
    )
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
    return contexts


def replies_for(incoming: Incoming, outs: Sequence[Outgoing]) -> list[Outgoing]:
    return [o for o in outs if o.platform == incoming.platform and o.chat_id == incoming.chat_id]
