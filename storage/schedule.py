"""Everything the bot does at a time, as rows: one table for timers and planned reminders.

A `Firing` is one thing to do at `due_at`: close poll 12, remind group g1 a
day before meeting 7, send the 廉政 reminder of 清明 2027. `source` names what
it belongs to, "<kind>:<ref>" ("poll.close:12", "meeting:7"), and the kind
names the handler that does it (bot.timers). Rows are unique on (source,
occurrence, offset_minutes), so setting or planning one twice is harmless, and
a claim (FOR UPDATE SKIP LOCKED on PostgreSQL) fires each exactly once across
processes. `occurrence` is the nominal moment that names the firing (a
meeting's slot in its RRULE, a timer's first due time); `event_at` is when the
thing itself happens (after a holiday moved it); `due_at` is when the row
fires, after the advance offset, quiet hours, jitter and any retry backoff.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, UniqueConstraint, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.upsert import insert_for, on_conflict

PENDING, SENT, MISSED, FAILED = "pending", "sent", "missed", "failed"


class Firing(Base):
    __tablename__ = "firings"
    __table_args__ = (
        UniqueConstraint("source", "occurrence", "offset_minutes"),
        Index("ix_firings_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(96))
    occurrence: Mapped[datetime]
    offset_minutes: Mapped[int] = mapped_column(default=0)
    event_at: Mapped[datetime]
    due_at: Mapped[datetime]
    # A push goes to people and so waits out the quiet hours; a non-push (a
    # poll's close, a meeting's start that opens a check-in) fires on time.
    push: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(8), default=PENDING)
    # A handler that raised: how often, and why the last time.
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    fired_at: Mapped[datetime | None]
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)

    @property
    def kind(self) -> str:
        return self.source.partition(":")[0]

    @property
    def ref(self) -> str:
        return self.source.partition(":")[2]


class ScheduleMark(Base):
    """Small facts of the scheduler that must outlive a process (the day last planned)."""

    __tablename__ = "reminder_marks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(64))


@dataclass(frozen=True)
class Planned:
    """A firing a planner wants; the planner turns it into a row."""

    source: str
    occurrence: datetime
    offset_minutes: int
    event_at: datetime
    due_at: datetime
    push: bool = True
    data: dict[str, Any] = field(default_factory=dict)
    # An advance reminder asked for to the minute ("提前1小时"): jittered by
    # seconds within that minute, never to another one.
    exact: bool = False


async def get_mark(session: AsyncSession, name: str) -> str | None:
    mark = await session.get(ScheduleMark, name)
    return mark.value if mark else None


async def set_mark(session: AsyncSession, name: str, value: str) -> None:
    stmt = insert_for(session, ScheduleMark.__table__).values(name=name, value=value)  # type: ignore[arg-type]
    await session.execute(on_conflict(stmt, ["name"], {"value": stmt.excluded.value}))


async def drop_pending(session: AsyncSession, source: str) -> None:
    await session.execute(delete(Firing).where(Firing.source == source, Firing.state == PENDING))


async def next_due(session: AsyncSession) -> datetime | None:
    due: datetime | None = await session.scalar(
        select(func.min(Firing.due_at)).where(Firing.state == PENDING)
    )
    return due


async def pending_of(session: AsyncSession, source: str) -> list[Firing]:
    return list(
        await session.scalars(
            select(Firing)
            .where(Firing.source == source, Firing.state == PENDING)
            .order_by(Firing.due_at, Firing.id)
        )
    )
