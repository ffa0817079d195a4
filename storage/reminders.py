"""Reminders: meetings, the 廉政 calendar subscriptions, holidays, and the planned firings.

Their firings (a meeting's reminders, the 廉政 calendar's days) are rows of
storage.schedule, which the core scheduler plans and fires.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.schedule import PENDING, Firing
from storage.upsert import insert_for, on_conflict

# The meetings' timer kind: a meeting's start is its firing "meeting:<id>" of offset 0.
MEETING_KIND = "meeting"


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
    # "next" (next workday), "previous" (the workday before), "skip", "keep".
    holiday_policy: Mapped[str] = mapped_column(String(8))
    # Whether a 调休 weekend worked in a holiday's place counts as a workday to
    # move the meeting to (the secretary's choice; by default it does not).
    swapped_workdays: Mapped[bool] = mapped_column(default=False)
    # "platform:chat_id" of the groups that are reminded.
    targets: Mapped[list[str]] = mapped_column(JSON)
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
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
    """A meeting quota of a unit ("a 支部党员大会 each quarter"), nagging its secretary.

    The table keeps the name it had when every quota was monthly.
    """

    __tablename__ = "monthly_items"
    __table_args__ = (UniqueConstraint("unit_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(64))
    # The key of its cadence in schedules.cadences; "" for a duty the plans do
    # not name, which is monthly.
    cadence: Mapped[str] = mapped_column(String(24), default="")
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]


class MonthlyDone(Base):
    """A quota's period recorded as done; `month` holds the period's key (2026-12,
    2026-Q4, 2026-H1, 2026)."""

    __tablename__ = "monthly_done"
    __table_args__ = (UniqueConstraint("item_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("monthly_items.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))
    recorded_by: Mapped[str] = mapped_column(String(160))
    recorded_at: Mapped[datetime]


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


# --- what is coming ------------------------------------------------------------------


@dataclass(frozen=True)
class Upcoming:
    """One planned start of a meeting."""

    meeting: Meeting
    starts_at: datetime


async def upcoming_meetings(
    session: AsyncSession,
    after: datetime,
    *,
    target: str | None = None,
    unit_ids: set[int] | None = None,
    limit: int = 10,
) -> list[Upcoming]:
    """The next planned starts of meetings reminding `target` ("platform:chat_id") or of
    these units, soonest first (from the planned firings: holidays already applied)."""
    firings = await session.execute(
        select(Firing.source, Firing.event_at)
        .where(
            Firing.source.like(f"{MEETING_KIND}:%"),
            Firing.offset_minutes == 0,
            Firing.state == PENDING,
            Firing.event_at > after,
        )
        .order_by(Firing.event_at, Firing.id)
        .limit(500)
    )
    starts = [(int(source.partition(":")[2]), at) for source, at in firings]
    ids = {meeting_id for meeting_id, _ in starts}
    meetings = {m.id: m for m in await session.scalars(select(Meeting).where(Meeting.id.in_(ids)))}
    found = []
    for meeting_id, at in starts:
        m = meetings.get(meeting_id)
        if m is None:
            continue
        if (target is not None and target in m.targets) or (
            unit_ids is not None and m.unit_id in unit_ids
        ):
            found.append(Upcoming(m, at))
            if len(found) >= limit:
                break
    return found


async def meetings_for_target(session: AsyncSession, target: str) -> list[Meeting]:
    """The meetings that remind `target` ("platform:chat_id")."""
    rows = await session.scalars(select(Meeting).order_by(Meeting.id))
    return [m for m in rows if target in m.targets]
