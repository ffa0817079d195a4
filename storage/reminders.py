"""Reminders: meetings, the 廉政 calendar subscriptions, holidays, and the planned firings.

`ReminderOccurrence` is the source of truth of the scheduler: every firing of
the next 60 days is a row, unique on (source, occurrence, offset_minutes), so
planning twice is harmless and a claim (FOR UPDATE SKIP LOCKED on PostgreSQL)
fires each row exactly once across processes. `occurrence` is the nominal
moment that names the firing (a meeting's slot in its RRULE); `event_at` is
when the thing really happens after the holiday policy, and `due_at` when the
row fires, after the advance offset, quiet hours and jitter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    delete,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.models import Person, RoleGrant
from storage.upsert import insert_for, on_conflict


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(64))
    # RFC 5545: "DTSTART;TZID=Asia/Shanghai:20261204T150000\nRRULE:FREQ=MONTHLY;BYDAY=+1FR"
    rrule: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(128), default="")
    duration_minutes: Mapped[int] = mapped_column(default=90)
    # Minutes before the start, e.g. [1440, 60].
    offsets: Mapped[list[int]] = mapped_column(JSON)
    # "next" (next workday), "skip", "keep".
    holiday_policy: Mapped[str] = mapped_column(String(8))
    # "platform:chat_id" of the groups that are reminded.
    targets: Mapped[list[str]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[datetime]


class CalendarSubscription(Base):
    """A group that receives the 廉政 calendar."""

    __tablename__ = "lianzheng_subscriptions"
    __table_args__ = (UniqueConstraint("platform", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    subscribed_by: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[datetime]


class CalendarTemplate(Base):
    """An admin's text replacing a default of schedules.lianzheng_texts."""

    __tablename__ = "lianzheng_templates"

    key: Mapped[str] = mapped_column(String(16), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(160))
    updated_at: Mapped[datetime]


class Holiday(Base):
    """One day of a State Council notice: a rest day or a 调休 workday."""

    __tablename__ = "holidays"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(32))
    loaded_at: Mapped[datetime]


class MonthlyItem(Base):
    """An "at least once a month" duty (政治学习) of a unit, nagging its secretary."""

    __tablename__ = "monthly_items"
    __table_args__ = (UniqueConstraint("unit_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]


class MonthlyDone(Base):
    __tablename__ = "monthly_done"
    __table_args__ = (UniqueConstraint("item_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("monthly_items.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))
    recorded_by: Mapped[str] = mapped_column(String(160))
    recorded_at: Mapped[datetime]


class ReminderOccurrence(Base):
    __tablename__ = "reminder_occurrences"
    __table_args__ = (
        UniqueConstraint("source", "occurrence", "offset_minutes"),
        Index("ix_reminder_occurrences_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "<kind>:<id>": "meeting:12", "lianzheng:jieqian:国庆节:2027", "monthly:3", "holidays:2028"
    source: Mapped[str] = mapped_column(String(96))
    occurrence: Mapped[datetime]
    offset_minutes: Mapped[int]
    event_at: Mapped[datetime]
    due_at: Mapped[datetime]
    # A push goes to people and so respects quiet hours; a non-push (a meeting's
    # start, which opens a check-in) fires on time.
    push: Mapped[bool] = mapped_column(default=True)
    state: Mapped[str] = mapped_column(String(8), default="pending")
    fired_at: Mapped[datetime | None]
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)

    @property
    def kind(self) -> str:
        return self.source.partition(":")[0]

    @property
    def ref(self) -> str:
        return self.source.partition(":")[2]


class ReminderMark(Base):
    """Small facts of the scheduler that must outlive a process (the day last planned)."""

    __tablename__ = "reminder_marks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(64))


@dataclass(frozen=True)
class Planned:
    """A firing a provider wants; the planner turns it into a row."""

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


# --- holidays ----------------------------------------------------------------------


async def holiday_rows(session: AsyncSession) -> list[Holiday]:
    return list(await session.scalars(select(Holiday).order_by(Holiday.day)))


async def store_holidays(
    session: AsyncSession, days: Iterable[tuple[date, str, str]], now: datetime
) -> int:
    """Load a notice, (day, kind, name) each: its days replace any stored for the same dates."""
    rows = [{"day": d, "kind": kind, "name": name, "loaded_at": now} for d, kind, name in days]
    if not rows:
        return 0
    stmt = insert_for(session, Holiday.__table__).values(rows)  # type: ignore[arg-type]
    excluded = stmt.excluded
    await session.execute(
        on_conflict(
            stmt,
            ["day"],
            {"kind": excluded.kind, "name": excluded.name, "loaded_at": excluded.loaded_at},
        )
    )
    return len(rows)


async def admin_chats(session: AsyncSession, configured: Iterable[str]) -> list[tuple[str, str]]:
    """(platform, user_id) of every admin: granted in chat or named in TONGXIN_ADMINS."""
    rows = await session.execute(
        select(Person.platform, Person.platform_user_id)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(RoleGrant.role == "admin")
    )
    found = {(p, u) for p, u in rows}
    for item in configured:
        platform, _, user = item.partition(":")
        found.add((platform, user))
    return sorted(found)


# --- marks and occurrences ------------------------------------------------------------


async def get_mark(session: AsyncSession, name: str) -> str | None:
    mark = await session.get(ReminderMark, name)
    return mark.value if mark else None


async def set_mark(session: AsyncSession, name: str, value: str) -> None:
    stmt = insert_for(session, ReminderMark.__table__).values(name=name, value=value)  # type: ignore[arg-type]
    await session.execute(on_conflict(stmt, ["name"], {"value": stmt.excluded.value}))


async def drop_pending(session: AsyncSession, source: str) -> None:
    await session.execute(
        delete(ReminderOccurrence).where(
            ReminderOccurrence.source == source, ReminderOccurrence.state == "pending"
        )
    )


async def next_due(session: AsyncSession) -> datetime | None:
    due: datetime | None = await session.scalar(
        select(func.min(ReminderOccurrence.due_at)).where(ReminderOccurrence.state == "pending")
    )
    return due
