"""Every outgoing message is a row first; a worker delivers it, exactly once.

Rows are claimed under a lease (FOR UPDATE SKIP LOCKED on PostgreSQL, the
single writer on SQLite) that names its holder, so several workers or
replicas never take the same row, and only the holder records a result.
The worker renews the leases of every row it holds, waiting for a send slot
or sending, so a slow platform never lets a claim run out under a send.

Each platform has its own send slots: one that hangs holds only its own.
Each result is recorded as soon as its send ends (results that end together
share one transaction), so a crash repeats at most the sends that were in
the air.

A message is retried with capped backoff for as long as it still matters
(`expires_at`); a send that may have reached the platform (a timeout after
sending) is repeated only while the platform drops repeats by itself
(`Deduplicating`), else at most MAX_UNCERTAIN times in all.
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

from sqlalchemy import ColumnElement, Select, Update, func, literal, or_, select, update

from bot.clock import Clock
from bot.delivery import (
    Deduplicating,
    Deliverer,
    Delivery,
    Limit,
    NeedsAdmin,
    PermanentError,
    TransientError,
    sane_delay,
)
from bot.messages import Incoming, Outgoing
from bot.metrics import Metrics
from bot.person_data import ERASED_PLATFORM
from bot.ratelimit import RateLimiter
from bot.seal import Sealer
from bot.sensitive import UNREADABLE, open_delivery, seal_outbox_row
from storage.db import Database
from storage.messaging import OutboxMessage
from storage.upsert import insert_for, on_conflict

log = logging.getLogger("tongxin.outbox")

BACKOFF_BASE = 2.0
BACKOFF_CAP = 300.0
LEASE = timedelta(seconds=60)
# Sends in flight per platform, and rows a worker holds per platform (sending
# or waiting for a slot): claiming ahead keeps claims to one per batch.
SLOTS = 16
HOLD = 64
# A send that takes this long is abandoned (its outcome unknown).
SEND_DEADLINE = 300.0
# How long a message matters when its sender did not say.
MATTERS_FOR = timedelta(days=1)
# Attempts with an unknown outcome a message may have when its platform does
# not drop repeats: each may have shown it once.
MAX_UNCERTAIN = 3
PURGED = {"text": "", "purged": True}
# Results that end this close together are recorded in one transaction.
RECORD_WINDOW = 0.005
# The result of a send that went through (values filled in when recorded).
SENT: dict[str, Any] = {"state": "sent"}
# How a failure's reason begins, so the console can say what happened.
EXPIRED = "expired"
UNCERTAIN = "outcome unknown"


def merge_replies(outs: Sequence[Outgoing]) -> list[Outgoing]:
    """One message per chat per handled message: fewer sends, a quieter group."""
    merged: list[Outgoing] = []
    index: dict[tuple[str, str, str, bool, bool], Outgoing] = {}
    for out in outs:
        held = out.not_before is not None
        if (
            out.key is not None
            or out.attachment is not None
            or out.expires_at is not None
            or held
            or out.choices
        ):
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
    sealer: Sealer | None = None,
) -> tuple[list[Outgoing], list[dict[str, Any]]]:
    """Messages as outbox rows (after merging the replies to one message).

    A message without a key gets one derived from the inbound message (so a
    re-handled message cannot enqueue twice) or a fresh one. Replies to
    `source` on an inline platform are stored as already sent. A message to an
    erased person (bot.person_data) has no one to reach and is dropped. A
    sensitive message's row is sealed (bot.sensitive), so it needs the `sealer`.
    """
    outs = [o for o in outs if o.platform != ERASED_PLATFORM]
    outs = merge_replies(outs) if source is not None else outs
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
        row = {
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
            # Only an expiry the sender set is stored: a set-up problem
            # (NeedsAdmin) may keep a message past the default day.
            "expires_at": out.expires_at,
        }
        if out.sensitive:
            if sealer is None:
                raise ValueError("a sensitive message needs a sealer to be stored")
            row = seal_outbox_row(sealer, row)
        rows.append(row)
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
    sealer: Sealer | None = None,
) -> list[Outgoing]:
    """Write messages as outbox rows in the caller's transaction; returns what was enqueued."""
    merged, rows = outbox_rows(
        outs, now, source=source, inline_platforms=inline_platforms, sealer=sealer
    )
    await insert_rows(session, rows)
    return merged


def expiry(d: Delivery) -> datetime | None:
    """Until when a row is worth sending (rows written before expiry existed: a day)."""
    if d.expires_at is not None:
        return d.expires_at
    return d.created_at + MATTERS_FOR if d.created_at is not None else None


class Outbox:
    """The delivery worker of one process."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        deliverers: Mapping[str, Deliverer],
        *,
        slots: int = SLOTS,
        hold: int = HOLD,
        metrics: Metrics | None = None,
        sealer: Sealer | None = None,
    ) -> None:
        self.db = db
        self.metrics = metrics or Metrics()
        self.sealer = sealer
        self.clock = clock
        self.deliverers = dict(deliverers)
        self.limiter = RateLimiter()
        self.slots = slots
        self.hold = max(hold, slots)
        # Names this worker's leases: only the holder records a row's result.
        self.owner = uuid.uuid4().hex
        self._sems: dict[str, asyncio.Semaphore] = {}
        # Rows this worker holds (claimed, not yet recorded), by platform, and
        # the platforms whose last claim filled their room (more may be due).
        self._held: dict[str, set[int]] = {}
        self._full: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._results: list[tuple[int, dict[str, Any]]] = []
        self._recording = asyncio.Lock()
        self._wake = asyncio.Event()
        self._renew_at: datetime | None = None

    @property
    def inline_platforms(self) -> frozenset[str]:
        return frozenset(n for n, d in self.deliverers.items() if d.inline_replies)

    def wake(self) -> None:
        self._wake.set()

    async def run(self, poll_seconds: float = 1.0) -> None:
        """Deliver forever: woken by new rows and freed slots, polling for retries."""
        while True:
            self._wake.clear()
            claimed = 0
            try:
                await self._renew_if_due()
                claimed = len(await self._start())
            except Exception:
                log.exception("outbox pass failed")
            if claimed == 0:
                # Not asyncio.wait_for: on Python 3.11 a wake-up in the same
                # tick as a cancellation returns and swallows the cancel, and
                # the app's stop waits on this task forever.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(poll_seconds):
                        await self._wake.wait()

    async def run_once(self) -> int:
        """Deliver everything due now and record the results; the number of rows claimed.

        Claims as sends end and make room, until nothing due is left and every
        send has ended (a retry comes due later, not now). Cancelling the
        caller leaves the sends running to record their results.
        """
        total = 0
        while True:
            started = await self._start()
            total += len(started)
            if not started and not self._tasks:
                return total
            while self._tasks:
                await asyncio.wait(set(self._tasks), return_when=asyncio.FIRST_COMPLETED)
                if self._room_where_full():
                    break

    def _room_where_full(self) -> bool:
        """Whether a platform that left due rows behind has room for them again."""
        return any(len(self._held.get(p, ())) <= self.hold // 2 for p in self._full)

    async def drain(self) -> None:
        """Wait for deliveries already started (on shutdown)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _sem(self, platform: str) -> asyncio.Semaphore:
        sem = self._sems.get(platform)
        if sem is None:
            sem = self._sems[platform] = asyncio.Semaphore(self.slots)
        return sem

    async def _start(self) -> list[asyncio.Task[None]]:
        """Claim what is due for every platform with room, and start sending it."""
        room = {
            p: self.hold - len(self._held.get(p, ()))
            for p in self.deliverers
            if self.hold - len(self._held.get(p, ())) > 0
        }
        if not room:
            return []
        started = []
        claimed = await self._claim(room)
        counts: dict[str, int] = {}
        for d in claimed:
            counts[d.platform] = counts.get(d.platform, 0) + 1
        self._full = {p for p in self.deliverers if counts.get(p, 0) >= room.get(p, 0)}
        for d in claimed:
            held = self._held.setdefault(d.platform, set())
            if d.id in held:
                continue  # ours already: its lease ran out under a stall
            held.add(d.id)
            task = asyncio.create_task(self._deliver_and_record(d))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            started.append(task)
        return started

    async def _claim(self, room: Mapping[str, int]) -> list[Delivery]:
        now = self.clock.now()
        claimed: list[Delivery] = []
        if self.db.is_sqlite:
            # Looked for without the write lock, which callbacks are waiting
            # on; taken under it, where nothing else can have claimed them.
            picks: list[list[int]] = []
            async with self.db.reading() as session:
                for platform, limit in room.items():
                    ids = list(await session.scalars(self._pick(platform, limit, now)))
                    if ids:
                        picks.append(ids)
            if not picks:
                return []
            async with self.db.transaction() as session:
                for ids in picks:
                    claimed += await self._take(session, ids, now)
        else:
            async with self.db.transaction() as session:
                for platform, limit in room.items():
                    pick = self._pick(platform, limit, now).with_for_update(skip_locked=True)
                    ids = list(await session.scalars(pick))
                    if ids:
                        claimed += await self._take(session, ids, now)
        if claimed and self._renew_at is None:
            self._renew_at = now + LEASE / 3
        return claimed

    def _pick(self, platform: str, limit: int, now: datetime) -> Select[int]:
        return (
            select(OutboxMessage.id)
            .where(OutboxMessage.platform == platform, _due(now))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )

    async def _take(self, session: Any, ids: list[int], now: datetime) -> list[Delivery]:
        result = await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), _due(now))
            .values(state="sending", lease_until=now + LEASE, lease_owner=self.owner)
            .returning(
                OutboxMessage.id,
                OutboxMessage.idempotency_key,
                OutboxMessage.platform,
                OutboxMessage.chat_type,
                OutboxMessage.chat_id,
                OutboxMessage.body,
                OutboxMessage.attempts,
                OutboxMessage.created_at,
                OutboxMessage.expires_at,
                OutboxMessage.uncertain,
                OutboxMessage.uncertain_since,
            )
        )
        deliveries = (open_delivery(self.sealer, Delivery(*row)) for row in result)
        return sorted(deliveries, key=lambda d: d.id)

    async def _renew_if_due(self) -> None:
        """Push back the leases of every row this worker holds, a third of a lease early."""
        now = self.clock.now()
        if self._renew_at is None or now < self._renew_at:
            return
        ids = sorted(i for held in self._held.values() for i in held)
        self._renew_at = now + LEASE / 3 if ids else None
        if not ids:
            return
        async with self.db.transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(ids),
                    OutboxMessage.state == "sending",
                    OutboxMessage.lease_owner == self.owner,
                )
                .values(lease_until=now + LEASE)
            )

    async def _deliver_and_record(self, d: Delivery) -> None:
        try:
            try:
                values = await self._deliver(d)
            except Exception as err:  # a bug of ours: the row is retried, never lost
                log.exception("outbox %s: deciding the outcome failed", d.key)
                values = self._result("pending", next_at=self.clock.now(), error=repr(err))
            if values is SENT or "attempts" in values:  # not a rate-limit wait
                result = {"sent": "sent", "failed": "failed"}.get(values["state"], "retry")
                self.metrics.deliveries.labels(d.platform, result).inc()
            await self._record(d.id, values)
        finally:
            held = self._held.get(d.platform)
            if held is not None:
                held.discard(d.id)
                if self._room_where_full():
                    self.wake()

    async def _record(self, row_id: int, values: dict[str, Any]) -> None:
        """Write a result now, with every result that ends in the same few milliseconds."""
        self._results.append((row_id, values))
        async with self._recording:
            if not self._results:
                return  # written by the write that held the lock before us
            await asyncio.sleep(RECORD_WINDOW)
            batch: list[tuple[int, dict[str, Any]]] = []
            try:
                async with self.db.transaction() as session:
                    # Taken once the write can start: what ended meanwhile joins.
                    batch, self._results = self._results, []
                    # Plain "sent" results (nearly all) in one statement: on
                    # SQLite the write lock is held for as few awaits as can be.
                    sent = [rid for rid, vals in batch if vals is SENT]
                    if sent:
                        values = self._result("sent")
                        await session.execute(self._update(sent).values(**values))
                    for rid, vals in batch:
                        if vals is not SENT:
                            await session.execute(self._update([rid]).values(**vals))
            except Exception:
                # The rows stay leased to us and are tried again once the
                # lease runs out; a send that got through may then repeat.
                log.exception("outbox: recording %d results failed", len(batch))

    def _update(self, ids: list[int]) -> Update:
        # Only the lease holder records: a row whose lease ran out and was
        # claimed again is someone else's now.
        return update(OutboxMessage).where(
            OutboxMessage.id.in_(ids),
            OutboxMessage.state == "sending",
            OutboxMessage.lease_owner == self.owner,
        )

    async def _deliver(self, d: Delivery) -> dict[str, Any]:
        """Try one row; what to write back to it."""
        deliverer = self.deliverers[d.platform]
        now = self.clock.now()
        if d.body.get(UNREADABLE):
            return self._failed(d, "sealed under another key")
        until = expiry(d)
        if until is not None and now >= until:
            values = self._failed(d, f"{EXPIRED} before it could be sent", count=False)
            if d.attempts:
                # Keep what went wrong with the attempts that were made.
                values["last_error"] = literal(f"{EXPIRED} before the next attempt, after: ").op(
                    "||"
                )(OutboxMessage.last_error)
            return values
        limits = deliverer.limits(d)
        wait = self.limiter.wait(limits, now)
        if wait > 0:
            return self._result("pending", next_at=now + timedelta(seconds=wait), count=False)
        self.limiter.record(limits, now)
        async with self._sem(d.platform):
            try:
                async with asyncio.timeout(SEND_DEADLINE):
                    await deliverer.deliver(d)
            except NeedsAdmin as err:
                # The set-up is at fault, not the message: it waits for the fix
                # (a month for a spent quota) without using up its attempts
                # or its default day; only an expiry its sender set still holds.
                return self._retry(d, err.reason, err.retry_after, limits, False, held=True)
            except TransientError as err:
                wait_asked = sane_delay(err.retry_after)
                return self._retry(d, err.reason, wait_asked, limits, err.maybe_sent)
            except PermanentError as err:
                log.warning("outbox %s failed for good: %s", d.key, err.reason)
                return self._failed(d, err.reason)
            except TimeoutError:
                reason = f"no answer within {SEND_DEADLINE:.0f} s"
                return self._retry(d, reason, None, limits, True)
            except Exception as err:
                log.exception("outbox %s: unexpected delivery error", d.key)
                return self._retry(d, f"{type(err).__name__}: {err}", None, limits, True)
        return self._result("sent", purge=True) if d.body.get("sensitive") else SENT

    def _retry(
        self,
        d: Delivery,
        reason: str,
        retry_after: float | None,
        limits: Sequence[Limit],
        maybe_sent: bool,
        *,
        held: bool = False,
    ) -> dict[str, Any]:
        now = self.clock.now()
        if retry_after is not None:
            delay = retry_after
            for limit in limits:
                self.limiter.block(limit.key, now + timedelta(seconds=retry_after))
        else:
            # Jittered below the cap, so the cap is the longest wait after an outage.
            step = BACKOFF_BASE * 2 ** min(d.attempts, 16)
            delay = min(step, BACKOFF_CAP) * random.uniform(0.5, 1.0)
        # Never "again at once": that would spin on a platform that says 0.
        delay = max(delay, 1.0)
        next_at = now + timedelta(seconds=delay)
        uncertain = d.uncertain + (1 if maybe_sent else 0)
        since = d.uncertain_since or (now if maybe_sent else None)
        until = d.expires_at if held else expiry(d)
        if until is not None and next_at >= until:
            return self._failed(
                d, f"{EXPIRED} while the platform kept failing: {reason}", uncertain
            )
        if uncertain and not self._may_repeat(d, uncertain, since, next_at):
            log.warning("outbox %s: stopped, an earlier attempt may have arrived", d.key)
            return self._failed(
                d,
                f"{UNCERTAIN} after {uncertain} attempts that may have arrived: {reason}",
                uncertain,
            )
        values = self._result("pending", next_at=next_at, error=reason, count=not held)
        if held and d.expires_at is None:
            # Its default day starts again once the platform takes messages.
            values["expires_at"] = next_at + MATTERS_FOR
        values["uncertain"] = uncertain
        values["uncertain_since"] = since
        return values

    def _may_repeat(
        self, d: Delivery, uncertain: int, since: datetime | None, next_at: datetime
    ) -> bool:
        """Whether another attempt cannot show the message twice, or only boundedly."""
        deliverer = self.deliverers[d.platform]
        window = deliverer.dedup_seconds(d) if isinstance(deliverer, Deduplicating) else 0.0
        if window > 0 and since is not None:
            return next_at < since + timedelta(seconds=window)
        return uncertain < MAX_UNCERTAIN

    def _failed(
        self, d: Delivery, reason: str, uncertain: int | None = None, *, count: bool = True
    ) -> dict[str, Any]:
        # A sensitive message given up is wiped like a sent one: its words
        # must not wait on disk for an admin to look.
        purge = bool(d.body.get("sensitive"))
        values = self._result("failed", error=reason, count=count, purge=purge)
        values["failed_at"] = self.clock.now()
        if uncertain is not None:
            values["uncertain"] = uncertain
        return values

    def _result(
        self,
        state: str,
        *,
        next_at: datetime | None = None,
        error: str = "",
        purge: bool = False,
        count: bool = True,
    ) -> dict[str, Any]:
        values: dict[str, Any] = {"state": state, "lease_until": None, "lease_owner": ""}
        if count:
            values["attempts"] = OutboxMessage.attempts + 1
        if next_at is not None:
            values["next_attempt_at"] = next_at
        if error:
            values["last_error"] = error[:1000]
        if state == "sent":
            values["sent_at"] = self.clock.now()
        if purge:
            # Delivered or given up: neither what was said nor to whom (it
            # was only sealed while it could still go out).
            values["body"] = PURGED
            values["chat_id"] = ""
        return values


def _due(now: datetime) -> ColumnElement[bool]:
    """Rows to claim: due and waiting, or held by a worker whose lease ran out."""
    return or_(
        (OutboxMessage.state == "pending") & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.state == "sending") & (OutboxMessage.lease_until < now),
    )


async def batch_status(db: Database, batch: str) -> dict[str, int]:
    """How many rows of a batch (a broadcast) are in each state."""
    async with db.reading() as session:
        rows = await session.execute(
            select(OutboxMessage.state, func.count())
            .where(OutboxMessage.batch == batch)
            .group_by(OutboxMessage.state)
        )
        return {state: int(n) for state, n in rows}
