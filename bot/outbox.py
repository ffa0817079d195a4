"""Every outgoing message is a row first; a worker delivers it, exactly once.

Rows are claimed under a lease (FOR UPDATE SKIP LOCKED on PostgreSQL, the
single writer on SQLite), so several workers or replicas never take the same
row. A delivery and the record of its result run to completion even when the
worker is cancelled; only a hard crash between the platform's acceptance and
our record can repeat that one message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update

from bot.clock import Clock
from bot.delivery import Deliverer, Delivery, PermanentError, TransientError
from bot.messages import Incoming, Outgoing
from bot.ratelimit import RateLimiter
from storage.db import Database
from storage.messaging import OutboxMessage
from storage.upsert import insert_for, on_conflict

log = logging.getLogger("tongxin.outbox")

MAX_ATTEMPTS = 8
BACKOFF_BASE = 2.0
BACKOFF_CAP = 600.0
LEASE = timedelta(seconds=60)
BATCHES_IN_FLIGHT = 4
PURGED = {"text": "", "purged": True}


def merge_replies(outs: Sequence[Outgoing]) -> list[Outgoing]:
    """One message per chat per handled message: fewer sends, a quieter group."""
    merged: list[Outgoing] = []
    index: dict[tuple[str, str, str, bool, bool], Outgoing] = {}
    for out in outs:
        held = out.not_before is not None
        if out.key is not None or out.attachment is not None or held or out.choices:
            merged.append(out)
            continue
        slot = (out.platform, out.chat_type, out.chat_id, out.sensitive, out.markdown)
        prev = index.get(slot)
        if prev is None:
            copy = out.model_copy(deep=True)
            index[slot] = copy
            merged.append(copy)
        else:
            prev.text = f"{prev.text}\n\n{out.text}"
            prev.mentions += [m for m in out.mentions if m not in prev.mentions]
    return merged


def outbox_rows(
    outs: Sequence[Outgoing],
    now: datetime,
    *,
    source: Incoming | None = None,
    inline_platforms: frozenset[str] = frozenset(),
) -> tuple[list[Outgoing], list[dict[str, Any]]]:
    """Messages as outbox rows (after merging the replies to one message).

    A message without a key gets one derived from the inbound message (so a
    re-handled message cannot enqueue twice) or a fresh one. Replies to
    `source` on an inline platform are stored as already sent.
    """
    outs = merge_replies(outs) if source is not None else list(outs)
    rows = []
    for i, out in enumerate(outs):
        if out.key is not None:
            key = out.key
        elif source is not None:
            key = f"in:{source.platform}:{source.msg_id}:{i}"
        else:
            key = f"gen:{uuid.uuid4().hex}"
        # A file is built and sent by the adapter, so it is never born delivered.
        inline = (
            source is not None
            and out.attachment is None
            and out.platform in inline_platforms
            and out.platform == source.platform
            and out.chat_id == source.chat_id
        )
        purge = inline and out.sensitive
        rows.append(
            {
                "idempotency_key": key,
                "platform": out.platform,
                "chat_type": out.chat_type,
                "chat_id": "" if purge else out.chat_id,
                "body": PURGED if purge else out.body(),
                "state": "sent" if inline else "pending",
                "attempts": 0,
                "next_attempt_at": max(now, out.not_before or now),
                "created_at": now,
                "sent_at": now if inline else None,
                "last_error": "",
                "batch": out.batch,
            }
        )
    return outs, rows


async def insert_rows(session: Any, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        stmt = insert_for(session, OutboxMessage.__table__)  # type: ignore[arg-type]
        await session.execute(on_conflict(stmt, ["idempotency_key"]), list(rows))


async def enqueue(
    session: Any,
    outs: Sequence[Outgoing],
    now: datetime,
    *,
    source: Incoming | None = None,
    inline_platforms: frozenset[str] = frozenset(),
) -> list[Outgoing]:
    """Write messages as outbox rows in the caller's transaction; returns what was enqueued."""
    merged, rows = outbox_rows(outs, now, source=source, inline_platforms=inline_platforms)
    await insert_rows(session, rows)
    return merged


class Outbox:
    """The delivery worker of one process."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        deliverers: Mapping[str, Deliverer],
        *,
        concurrency: int = 16,
        batch: int = 64,
    ) -> None:
        self.db = db
        self.clock = clock
        self.deliverers = dict(deliverers)
        self.limiter = RateLimiter()
        self.batch = batch
        self._sem = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._inflight: set[asyncio.Task[None]] = set()

    @property
    def inline_platforms(self) -> frozenset[str]:
        return frozenset(n for n, d in self.deliverers.items() if d.inline_replies)

    def wake(self) -> None:
        self._wake.set()

    async def run(self, poll_seconds: float = 1.0) -> None:
        """Deliver forever: woken by new rows, or polling for retries that come due.

        Batches run side by side (up to BATCHES_IN_FLIGHT), so one slow
        platform holding a batch open does not hold up everyone else's.
        """
        while True:
            self._wake.clear()
            try:
                _, claimed = await self._start_batch()
            except Exception:
                log.exception("outbox pass failed")
                claimed = 0
            if len(self._inflight) >= BATCHES_IN_FLIGHT:
                await asyncio.wait(set(self._inflight), return_when=asyncio.FIRST_COMPLETED)
            elif claimed == 0:
                # Not asyncio.wait_for: on Python 3.11 a wake-up in the same
                # tick as a cancellation returns and swallows the cancel, and
                # the app's stop waits on this task forever.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(poll_seconds):
                        await self._wake.wait()

    async def run_once(self) -> int:
        """Claim what is due, deliver it, record the results; the number of rows claimed."""
        task, claimed = await self._start_batch()
        if task is not None:
            # Shielded so cancelling the worker lets the deliveries record their results.
            await asyncio.shield(task)
        return claimed

    async def _start_batch(self) -> tuple[asyncio.Task[None] | None, int]:
        """Claim what is due and start delivering it; (the batch's task, rows claimed)."""
        rows = await self._claim()
        if not rows:
            return None, 0
        task = asyncio.create_task(self._deliver_all(rows))
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)
        return task, len(rows)

    async def _deliver_all(self, rows: list[Delivery]) -> None:
        outcomes = await asyncio.gather(*(self._deliver(d) for d in rows))
        # One transaction for the whole batch: on SQLite one turn of the lock.
        async with self.db.transaction() as session:
            for row_id, values in outcomes:
                # Only the lease holder records: a row whose lease ran out and
                # was claimed again must not be overwritten by a late attempt.
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row_id, OutboxMessage.state == "sending")
                    .values(**values)
                )

    async def drain(self) -> None:
        """Wait for deliveries already started (on shutdown)."""
        if self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)

    async def _claim(self) -> list[Delivery]:
        now = self.clock.now()
        platforms = list(self.deliverers)
        due = or_(
            (OutboxMessage.state == "pending") & (OutboxMessage.next_attempt_at <= now),
            (OutboxMessage.state == "sending") & (OutboxMessage.lease_until < now),
        )
        pick = (
            select(OutboxMessage.id)
            .where(due, OutboxMessage.platform.in_(platforms))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(self.batch)
        )
        if not self.db.is_sqlite:
            pick = pick.with_for_update(skip_locked=True)
        async with self.db.transaction() as session:
            ids = list(await session.scalars(pick))
            if not ids:
                return []
            result = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(state="sending", lease_until=now + LEASE)
                .returning(
                    OutboxMessage.id,
                    OutboxMessage.idempotency_key,
                    OutboxMessage.platform,
                    OutboxMessage.chat_type,
                    OutboxMessage.chat_id,
                    OutboxMessage.body,
                    OutboxMessage.attempts,
                )
            )
            return [Delivery(*row) for row in result]

    async def _deliver(self, d: Delivery) -> tuple[int, dict[str, Any]]:
        """Try one row; what to write back to it."""
        deliverer = self.deliverers[d.platform]
        now = self.clock.now()
        limits = deliverer.limits(d)
        wait = self.limiter.wait(limits, now)
        if wait > 0:
            return d.id, self._result("pending", next_at=now + timedelta(seconds=wait), count=False)
        self.limiter.record(limits, now)
        async with self._sem:
            try:
                await deliverer.deliver(d)
            except TransientError as err:
                return d.id, self._retry(d, err.reason, err.retry_after, limits)
            except PermanentError as err:
                log.warning("outbox %s failed for good: %s", d.key, err.reason)
                return d.id, self._result("failed", error=err.reason)
            except Exception as err:
                log.exception("outbox %s: unexpected delivery error", d.key)
                return d.id, self._retry(d, f"{type(err).__name__}: {err}", None, limits)
        return d.id, self._result("sent", purge=bool(d.body.get("sensitive")))

    def _retry(
        self, d: Delivery, reason: str, retry_after: float | None, limits: Sequence[Any]
    ) -> dict[str, Any]:
        now = self.clock.now()
        if d.attempts + 1 >= MAX_ATTEMPTS:
            return self._result("failed", error=f"gave up after {MAX_ATTEMPTS} attempts: {reason}")
        if retry_after is not None:
            delay = retry_after
            for limit in limits:
                self.limiter.block(limit.key, now + timedelta(seconds=retry_after))
        else:
            delay = min(BACKOFF_BASE * 2**d.attempts, BACKOFF_CAP) * random.uniform(0.5, 1.5)
        return self._result("pending", next_at=now + timedelta(seconds=delay), error=reason)

    def _result(
        self,
        state: str,
        *,
        next_at: datetime | None = None,
        error: str = "",
        purge: bool = False,
        count: bool = True,
    ) -> dict[str, Any]:
        values: dict[str, Any] = {"state": state, "lease_until": None}
        if count:
            values["attempts"] = OutboxMessage.attempts + 1
        if next_at is not None:
            values["next_attempt_at"] = next_at
        if error:
            values["last_error"] = error[:1000]
        if state == "sent":
            values["sent_at"] = self.clock.now()
        if purge:
            # Neither what was said nor to whom: an anonymous author's
            # receipt must not point back at them.
            values["body"] = PURGED
            values["chat_id"] = ""
        return values


async def batch_status(db: Database, batch: str) -> dict[str, int]:
    """How many rows of a batch (a broadcast) are in each state."""
    async with db.reading() as session:
        rows = await session.execute(
            select(OutboxMessage.state, func.count())
            .where(OutboxMessage.batch == batch)
            .group_by(OutboxMessage.state)
        )
        return {state: int(n) for state, n in rows}
