"""督导 data: the meeting cadences units keep, and meetings recorded without the bot.

Cadences are rows, not code: 三会一课 and 主题党日 are seeded by the
migration, and a school may add 政治学习 or change how often a kind is due.
A meeting counts for the first cadence (by position) whose name or one of
whose keywords appears in its title, so the check-in of a scheduled
「党员大会」 counts for 支部党员大会.

What was held is read from two places: the bot's check-ins (with their
attendance) and `meeting_records`, what a secretary records of a meeting held
without the bot (a paper sign-in sheet), so the figures are complete.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Date, ForeignKey, Index, String, and_, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.checkin import ATTENDED, Checkin, CheckinEntry

_SPLIT = re.compile(r"[,，、;；\s]+")


class Cadence(Base):
    """A kind of meeting a unit must hold `per_period` times every `period`."""

    __tablename__ = "cadences"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    # bot.periods.Kind: month, quarter, half, year.
    period: Mapped[str] = mapped_column(String(8))
    per_period: Mapped[int] = mapped_column(default=1)
    # Other words a meeting's title may use for it, comma-separated.
    keywords: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)

    @property
    def words(self) -> list[str]:
        return [self.name, *(w for w in _SPLIT.split(self.keywords) if w)]

    def matches(self, title: str) -> bool:
        return any(word in title for word in self.words)


class MeetingRecord(Base):
    """A meeting held without the bot, as its secretary recorded it."""

    __tablename__ = "meeting_records"
    __table_args__ = (Index("ix_meeting_records_unit", "unit_id", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    cadence_id: Mapped[int] = mapped_column(ForeignKey("cadences.id", ondelete="CASCADE"))
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(128), default="")
    host: Mapped[str] = mapped_column(String(64), default="")
    expected: Mapped[int]
    attended: Mapped[int]
    leave: Mapped[int] = mapped_column(default=0)
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


async def cadences(session: AsyncSession) -> list[Cadence]:
    return list(await session.scalars(select(Cadence).order_by(Cadence.position, Cadence.id)))


def cadence_of(title: str, kinds: Sequence[Cadence]) -> Cadence | None:
    return next((c for c in kinds if c.matches(title)), None)


@dataclass(frozen=True)
class Held:
    """One meeting a unit held: from a check-in (`record` False) or a record."""

    ref: int
    record: bool
    unit_id: int
    cadence_id: int
    day: date
    title: str
    expected: int
    attended: int
    leave: int
    place: str = ""
    host: str = ""


async def held_meetings(
    session: AsyncSession,
    unit_ids: set[int] | None,
    first: date,
    last: date,
    kinds: Sequence[Cadence],
    tz: ZoneInfo,
) -> list[Held]:
    """Meetings of these units (None: all) held from `first` to `last` inclusive, by cadence.

    A check-in whose title matches no cadence (a 座谈会 nobody tracks) is
    left out. Attendance counts the people expected, as the ledger does.
    """
    start = datetime.combine(first, time(), tz)
    end = datetime.combine(last + timedelta(days=1), time(), tz)
    expected = CheckinEntry.expected == true()
    attended = and_(expected, CheckinEntry.status.in_(ATTENDED))
    on_leave = and_(expected, CheckinEntry.status == "leave")
    stmt = (
        select(
            Checkin.id,
            Checkin.unit_id,
            Checkin.title,
            Checkin.opened_at,
            func.count(CheckinEntry.id).filter(expected),
            func.count(CheckinEntry.id).filter(attended),
            func.count(CheckinEntry.id).filter(on_leave),
        )
        .outerjoin(CheckinEntry, CheckinEntry.checkin_id == Checkin.id)
        .where(Checkin.unit_id.is_not(None), Checkin.opened_at >= start, Checkin.opened_at < end)
        .group_by(Checkin.id)
    )
    if unit_ids is not None:
        stmt = stmt.where(Checkin.unit_id.in_(unit_ids))
    found: list[Held] = []
    for ref, unit_id, title, opened_at, n_expected, n_attended, n_leave in await session.execute(
        stmt
    ):
        kind = cadence_of(title, kinds)
        if kind is None or unit_id is None:
            continue
        found.append(
            Held(
                ref,
                False,
                unit_id,
                kind.id,
                opened_at.astimezone(tz).date(),
                title,
                int(n_expected),
                int(n_attended),
                int(n_leave),
            )
        )
    names = {c.id: c.name for c in kinds}
    records = select(MeetingRecord).where(
        MeetingRecord.held_on >= first, MeetingRecord.held_on <= last
    )
    if unit_ids is not None:
        records = records.where(MeetingRecord.unit_id.in_(unit_ids))
    for r in await session.scalars(records):
        if r.cadence_id in names:
            found.append(
                Held(
                    r.id,
                    True,
                    r.unit_id,
                    r.cadence_id,
                    r.held_on,
                    names[r.cadence_id],
                    r.expected,
                    r.attended,
                    r.leave,
                    r.place,
                    r.host,
                )
            )
    return found


def attendance(meetings: Sequence[Held]) -> float | None:
    """实到 / 应到 over these meetings, as a percentage; None when nobody was expected."""
    expected = sum(m.expected for m in meetings)
    return 100.0 * sum(m.attended for m in meetings) / expected if expected else None
