"""Doing something at a time: typed timers and planned reminders, one table, one dispatcher.

A timer is declared once by its feature, set in a handler's transaction, and
handled once when due (bot.scheduler fires it):

    poll_close = feature.timer("poll.close", ref=int)

    await poll_close.set(ctx.session, poll.id, deadline)

    @poll_close.handler
    async def close(job: JobContext, poll_id: int) -> None:
        ...
        job.to_group("local", chat_id, "投票已截止", key=f"poll:{poll_id}:closed")

A planned kind (a meeting's reminders, the 廉政 calendar) is a timer whose rows
a planner writes: the scheduler asks every planner for the next 60 days each
night and when something changes, and replaces the pending rows of each ref it
answers for.

    meeting = feature.timer("meeting", ref=int, grace=True)

    @meeting.planner
    async def plan(p: PlanRequest) -> dict[int, list[Planned]]: ...

The handler runs inside the transaction that marks the row sent, in a
savepoint of its own: its effects, its messages and the mark commit together,
and a handler that raises spoils nothing but its own row, which is retried
with backoff (bot.scheduler).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import Choice, Outgoing
from schedules.holidays import HolidayCalendar
from storage.schedule import PENDING, Firing, Planned, drop_pending
from storage.upsert import insert_for, on_conflict

if TYPE_CHECKING:
    from bot.runtime import Runtime

R = TypeVar("R", int, str)


@dataclass
class JobContext:
    """What a timer handler or a periodic job gets: a transaction and a way to speak."""

    session: AsyncSession
    runtime: Runtime
    now: datetime
    # The row being fired (a timer's or a planned reminder's), None in other jobs.
    firing: Firing | None = None
    out: list[Outgoing] = field(default_factory=list)

    @property
    def tz(self) -> ZoneInfo:
        return self.runtime.settings.tz

    @property
    def due_at(self) -> datetime | None:
        return self.firing.due_at if self.firing is not None else None

    def to_group(
        self,
        platform: str,
        chat_id: str,
        text: str,
        *,
        key: str,
        mentions: Sequence[str] = (),
        markdown: bool = False,
        batch: str = "",
        choices: Sequence[tuple[str, str]] = (),
        expires_at: datetime | None = None,
    ) -> None:
        """`expires_at`: no use after then (a meeting reminder once the meeting began),
        so an outage past it gives the message up instead of sending it late."""
        out = Outgoing.group(
            platform, chat_id, text, key=key, mentions=mentions, markdown=markdown, batch=batch
        )
        out.choices = [Choice(label=label, reply=reply) for label, reply in choices]
        out.expires_at = expires_at
        self.out.append(out)

    def to_person(
        self,
        platform: str,
        user_id: str,
        text: str,
        *,
        key: str,
        sensitive: bool = False,
        markdown: bool = False,
        batch: str = "",
    ) -> None:
        self.out.append(
            Outgoing.direct(
                platform,
                user_id,
                text,
                key=key,
                sensitive=sensitive,
                markdown=markdown,
                batch=batch,
            )
        )


@dataclass(frozen=True)
class PlanRequest:
    """What a planner is asked: the firings due in [start, end]."""

    session: AsyncSession
    runtime: Runtime
    calendar: HolidayCalendar
    start: datetime
    end: datetime

    @property
    def tz(self) -> ZoneInfo:
        return self.runtime.settings.tz


Handler = Callable[[JobContext, Any], Awaitable[None]]
Planner = Callable[[PlanRequest], Awaitable[dict[Any, list[Planned]]]]


class Timer(Generic[R]):
    """One kind of timed work: its name, the type of its reference, its handler."""

    def __init__(self, kind: str, ref: type[R], *, grace: bool = False, push: bool = False) -> None:
        if ":" in kind:
            raise ValueError(f"a timer kind has no colon: {kind!r}")
        self.kind = kind
        self.ref_type: type[R] = ref
        # A row found due much later than planned (the process was down) is
        # recorded as missed instead of fired, when lateness spoils it (a
        # reminder); a close or a count is done however late.
        self.grace = grace
        # Rows for people (reminders, nudges) wait out the quiet hours.
        self.push = push
        self.run: Handler | None = None
        self.plan: Planner | None = None

    def source(self, ref: R) -> str:
        return f"{self.kind}:{ref}"

    def parse(self, ref: str) -> R:
        parsed: R = self.ref_type(ref)
        return parsed

    def handler(self, fn: Callable[[JobContext, R], Awaitable[None]]) -> Callable[..., Any]:
        self.run = fn
        return fn

    def planner(
        self, fn: Callable[[PlanRequest], Awaitable[dict[R, list[Planned]]]]
    ) -> Callable[..., Any]:
        self.plan = fn
        return fn

    def planned(
        self,
        ref: R,
        occurrence: datetime,
        due_at: datetime,
        *,
        offset_minutes: int = 0,
        event_at: datetime | None = None,
        push: bool | None = None,
        data: dict[str, Any] | None = None,
        exact: bool = False,
    ) -> Planned:
        """A row this kind wants, for a planner to return."""
        return Planned(
            self.source(ref),
            occurrence,
            offset_minutes,
            event_at or occurrence,
            due_at,
            self.push if push is None else push,
            data or {},
            exact,
        )

    async def set(
        self, session: AsyncSession, ref: R, at: datetime, *, data: dict[str, Any] | None = None
    ) -> None:
        """Fire at `at` (setting the same time twice is harmless)."""
        stmt = insert_for(session, Firing.__table__).values(  # type: ignore[arg-type]
            source=self.source(ref),
            occurrence=at,
            offset_minutes=0,
            event_at=at,
            due_at=at,
            push=self.push,
            state=PENDING,
            attempts=0,
            last_error="",
            data=data or {},
        )
        await session.execute(on_conflict(stmt, ["source", "occurrence", "offset_minutes"]))

    async def cancel(self, session: AsyncSession, ref: R) -> None:
        """Drop what is still pending for `ref`."""
        await drop_pending(session, self.source(ref))
