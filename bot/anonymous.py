"""Anonymous content is written apart from its author.

A message's transaction touches its author's rows: the audience seat that
says they answered, the flow they were in. On PostgreSQL every row it
writes carries that transaction's id (xmin), and on SQLite its pages sit
side by side in the WAL; an anonymous ballot or opinion written there
would be stamped with its author. So a handler does not write anonymous
content itself: it hands it over,

    ballot = feature.anonymous("polls.ballot", Ballot)

    @ballot.writer
    async def add(job: JobContext, data: Ballot) -> None:
        await add_anonymous_ballot(job.session, data.poll_id, data.marks)

    await ballot.submit(ctx, Ballot(poll_id=poll.id, marks=marks))

and `submit` leaves in the author's transaction only a sealed row (bot.seal:
ciphertext, no time, no kind in clear). Once that transaction has committed,
`Writes` applies every waiting row, in random order, in a transaction of its
own that touches nothing of any author and sends its messages with keys of
its own, then deletes the rows. On SQLite it then checkpoints the WAL, so no
older image of the pages it changed stays beside the author's. A crash in
between loses nothing: the next pass applies what is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete, event, select, update

from bot import texts
from bot.context import Context
from bot.errors import Failure, alert_admins
from bot.outbox import enqueue
from bot.seal import SEALED, Unreadable
from bot.timers import JobContext
from storage.messaging import SealedWrite

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("tongxin.anonymous")

M = TypeVar("M", bound=BaseModel)
Writer = Callable[[JobContext, Any], Awaitable[None]]

_CONTEXT = "anonymous write"
PASS_SIZE = 200
MAX_ATTEMPTS = 5


@dataclass
class Anonymous(Generic[M]):
    """One kind of anonymous content a feature writes: its name, its data, its writer."""

    name: str
    model: type[M]
    write: Writer | None = field(default=None, repr=False)

    def writer(self, fn: Callable[[JobContext, M], Awaitable[None]]) -> Callable[..., Any]:
        self.write = fn
        return fn

    async def submit(self, ctx: Context, data: M) -> None:
        """Have `data` written once this message's transaction commits, apart from it."""
        rt = ctx.runtime
        plain = {"kind": self.name, "data": data.model_dump(mode="json")}
        ctx.session.add(SealedWrite(blob=rt.sealer.seal_json(plain, _CONTEXT)[SEALED]))
        event.listen(
            ctx.session.sync_session, "after_commit", lambda _s: rt.writes_due.set(), once=True
        )


class Writes:
    """The runtime's applier of sealed writes (`rt.writes`).

    Something that must count every ballot cast before it (a poll's closing
    at its deadline, perhaps just after a restart) first applies what still
    waits, in its own transaction: `await job.runtime.writes.catch_up(job.session)`.
    """

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.kinds: dict[str, Anonymous[Any]] = {}
        for kind in (k for f in rt.router.features for k in f.anonymous_kinds):
            if kind.name in self.kinds:
                raise ValueError(f"anonymous kind {kind.name!r} declared twice")
            self.kinds[kind.name] = kind

    async def run(self, poll_seconds: float = 30.0) -> None:
        """Apply writes as their authors' transactions commit (and any left by a crash)."""
        due = self.rt.writes_due
        while True:
            due.clear()
            try:
                applied = await self.run_once()
            except Exception:
                log.exception("applying anonymous writes failed")
                applied = 0
            if applied >= PASS_SIZE:
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(poll_seconds):
                    await due.wait()

    async def run_once(self) -> int:
        """Apply what waits, in a transaction of its own; how many rows were taken."""
        rt = self.rt
        async with rt.db.transaction() as session:
            taken, failures = await self.apply(session)
        for failure in failures:
            await rt.errors.report(failure)
        if taken:
            await rt.db.checkpoint()
            rt.outbox.wake()
        return taken

    async def catch_up(self, session: Any) -> None:
        """Apply what waits in `session`'s transaction, before counting what was cast."""
        _, failures = await self.apply(session)
        for failure in failures:
            await self.rt.errors.report(failure)

    async def apply(self, session: Any) -> tuple[int, list[Failure]]:
        """Apply what waits in `session`'s transaction: (rows taken, failures to report)."""
        rt = self.rt
        pick = select(SealedWrite.id, SealedWrite.blob, SealedWrite.attempts).limit(PASS_SIZE)
        if not rt.db.is_sqlite:
            # Replicas share the rows: each is applied by the one that locked it.
            pick = pick.with_for_update(skip_locked=True)
        rows = list(await session.execute(pick))
        # The order of arrival is not the order of writing.
        random.shuffle(rows)
        now = rt.clock.now()
        done: list[int] = []
        failures: list[Failure] = []
        for row_id, blob, attempts in rows:
            error = await self._apply(session, blob)
            if error is None:
                done.append(row_id)
                continue
            final = attempts + 1 >= MAX_ATTEMPTS
            failures.append(Failure("job", "anonymous write", error, attempts + 1, final))
            if final:
                done.append(row_id)
                outs = await alert_admins(
                    session, rt.settings.admins, f"anonymous:{row_id}", texts.WRITE_LOST
                )
                await enqueue(session, outs, now, sealer=rt.sealer)
            else:
                again = update(SealedWrite).where(SealedWrite.id == row_id)
                await session.execute(again.values(attempts=attempts + 1))
        if done:
            await session.execute(delete(SealedWrite).where(SealedWrite.id.in_(done)))
        return len(rows), failures

    async def _apply(self, session: Any, blob: str) -> BaseException | None:
        """Write one row's content in a savepoint; the error it raised, if any."""
        rt = self.rt
        try:
            plain = rt.sealer.open_json({SEALED: blob}, _CONTEXT)
            kind = self.kinds.get(plain["kind"])
            if kind is None or kind.write is None:
                raise LookupError(f"no writer for {plain['kind']!r}")
            data = kind.model.model_validate(plain["data"])
        except ValidationError:
            # Its message would quote the content: say only what went wrong.
            return ValueError(f"{plain['kind']}: data that no longer fits its model")
        except (Unreadable, LookupError) as err:
            return err
        job = JobContext(session, rt, rt.clock.now())
        try:
            async with session.begin_nested():
                await kind.write(job, data)
                await enqueue(session, job.out, job.now, sealer=rt.sealer)
        except Exception as err:
            return err
        return None
