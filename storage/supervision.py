"""督导 data: the meeting cadences units keep, and meetings recorded without the bot.

Cadences are rows, not code: 三会一课 and 主题党日 are seeded by the
migration, and a school may add 政治学习 or change how often a kind is due.
A meeting counts for the first cadence (by position) whose name or one of
whose keywords appears in its title, so the check-in of a scheduled
「党员大会」 counts for 支部党员大会.

What was held is read from two places: the bot's check-ins (with their
attendance) and `meeting_records`, what a secretary records of a meeting held
without the bot (a paper sign-in sheet), so the figures are complete.

A closed check-in's attendance no longer changes (only open ones take
answers), so it is counted once into `checkin_tallies` by a periodic job
(`tally_closed`); the pages count only the few check-ins not tallied yet
from their entries. A year of a county's meetings then reads in one pass
over small rows, not over every person's entry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    and_,
    func,
    insert,
    select,
    true,
    type_coerce,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

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


class CheckinTally(Base):
    """A closed check-in of a unit, counted once: its kind, when (in the bot's time zone), who came.

    `cadence_id` is the kind its title matches now (None: no kind's); editing
    the kinds classifies every tally again (`reclassify`).
    """

    __tablename__ = "checkin_tallies"
    # Covering: a year of a county reads from the index alone.
    __table_args__ = (
        Index(
            "ix_checkin_tallies_year",
            "year",
            "unit_id",
            "cadence_id",
            "month",
            "expected",
            "attended",
        ),
    )

    checkin_id: Mapped[int] = mapped_column(
        ForeignKey("checkins.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    cadence_id: Mapped[int | None] = mapped_column(ForeignKey("cadences.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(64))
    year: Mapped[int]
    month: Mapped[int]
    # 应到 and 实到 (late included).
    expected: Mapped[int]
    attended: Mapped[int]


async def cadences(session: AsyncSession) -> list[Cadence]:
    return list(await session.scalars(select(Cadence).order_by(Cadence.position, Cadence.id)))


def cadence_of(title: str, kinds: Sequence[Cadence]) -> Cadence | None:
    return next((c for c in kinds if c.matches(title)), None)


class Held(NamedTuple):
    """One meeting a unit held: from a check-in (`record` False) or a record.

    A tuple: a county's year is tens of thousands of them, made on every view.
    """

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


def _counts() -> tuple[ColumnElement[int], ColumnElement[int], ColumnElement[int]]:
    expected = CheckinEntry.expected == true()
    return (
        func.count(CheckinEntry.id).filter(expected),
        func.count(CheckinEntry.id).filter(and_(expected, CheckinEntry.status.in_(ATTENDED))),
        func.count(CheckinEntry.id).filter(and_(expected, CheckinEntry.status == "leave")),
    )


async def tally_closed(
    session: AsyncSession, tz: ZoneInfo, kinds: Sequence[Cadence], limit: int = 1000
) -> int:
    """Count up to `limit` closed check-ins of units not counted yet; how many were."""
    pending = (
        select(Checkin.id)
        .where(
            Checkin.state == "closed",
            Checkin.unit_id.is_not(None),
            Checkin.id.not_in(select(CheckinTally.checkin_id)),
        )
        .order_by(Checkin.id)
        .limit(limit)
        .scalar_subquery()
    )
    # Outer: a check-in nobody was expected at is counted too, as zeros.
    rows = await session.execute(
        select(Checkin.id, Checkin.unit_id, Checkin.title, Checkin.opened_at, *_counts())
        .outerjoin(CheckinEntry, CheckinEntry.checkin_id == Checkin.id)
        .where(Checkin.id.in_(pending))
        .group_by(Checkin.id)
    )
    values = []
    for ref, unit_id, title, opened_at, expected, attended, _leave in rows:
        local = opened_at.astimezone(tz)
        kind = cadence_of(title, kinds)
        values.append(
            {
                "checkin_id": ref,
                "unit_id": unit_id,
                "cadence_id": kind.id if kind is not None else None,
                "title": title,
                "year": local.year,
                "month": local.month,
                "expected": expected,
                "attended": attended,
            }
        )
    if values:
        await session.execute(insert(CheckinTally), values)
    return len(values)


async def reclassify(session: AsyncSession, kinds: Sequence[Cadence]) -> None:
    """Give every tally the kind its title matches now (after the kinds were edited)."""
    titles = list(await session.scalars(select(CheckinTally.title).distinct()))
    for title in titles:
        kind = cadence_of(title, kinds)
        await session.execute(
            update(CheckinTally)
            .where(CheckinTally.title == title)
            .values(cadence_id=kind.id if kind is not None else None)
        )


# What a unit held of a cadence, month by month: (unit id, cadence id) → month →
# [meetings, 应到 summed, 实到 summed]. Plain containers: a county's year is
# tens of thousands of entries, built on every view of the 督导 page.
MonthCounts = dict[tuple[int, int], dict[int, list[int]]]


def _add(counts: MonthCounts, unit_id: int, cadence_id: int, month: int, e: int, a: int) -> None:
    months = counts.setdefault((unit_id, cadence_id), {})
    got = months.get(month)
    if got is None:
        months[month] = [1, e, a]
    else:
        got[0] += 1
        got[1] += e
        got[2] += a


async def month_counts(
    session: AsyncSession,
    unit_ids: set[int] | None,
    year: int,
    kinds: Sequence[Cadence],
    tz: ZoneInfo,
) -> MonthCounts:
    """Per unit (None: all), cadence and month of `year`: meetings held and attendance.

    Tallied check-ins come classified already; the few not tallied yet (open,
    or closed since the last count) are counted from their entries.
    """
    counts: MonthCounts = {}
    ct = CheckinTally
    # Summed here rather than grouped by the database: the rows are nearly all
    # distinct already, and sorting them for a GROUP BY costs more than adding.
    # Never NULL here (the WHERE): typed so, with no cast per row.
    kind_id = type_coerce(ct.cadence_id, Integer)
    tallied = select(ct.unit_id, kind_id, ct.month, ct.expected, ct.attended).where(
        ct.year == year, ct.cadence_id.is_not(None)
    )
    if unit_ids is not None:
        tallied = tallied.where(ct.unit_id.in_(unit_ids))
    # Core rows, not ORM ones, fetched at once (row by row costs a call into the
    # driver's adapter each); the loop is _add written out, as it runs for every row.
    conn = await session.connection()
    for unit_id, cadence_id, month, e, a in (await conn.execute(tallied)).all():
        key = (unit_id, cadence_id)
        months = counts.get(key)
        if months is None:
            counts[key] = {month: [1, e, a]}
        elif (got := months.get(month)) is None:
            months[month] = [1, e, a]
        else:
            got[0] += 1
            got[1] += e
            got[2] += a
    first, last = date(year, 1, 1), date(year, 12, 31)
    for m in await _checkins(session, unit_ids, first, last, tz, True):
        if (kind := cadence_of(m.title, kinds)) is not None:
            _add(counts, m.unit_id, kind.id, m.day.month, m.expected, m.attended)
    for r in await _records(session, unit_ids, first, last, {c.id for c in kinds}):
        _add(counts, r.unit_id, r.cadence_id, r.day.month, r.expected, r.attended)
    return counts


class _Meeting(NamedTuple):
    ref: int
    unit_id: int
    title: str
    day: date
    expected: int
    attended: int
    leave: int


async def _checkins(
    session: AsyncSession,
    unit_ids: set[int] | None,
    first: date,
    last: date,
    tz: ZoneInfo,
    untallied: bool,
) -> list[_Meeting]:
    """Check-ins of units opened from `first` to `last`, counted from their entries.

    `untallied`: only those `tally_closed` has not counted yet.
    """
    start = datetime.combine(first, time(), tz)
    end = datetime.combine(last + timedelta(days=1), time(), tz)
    stmt = (
        select(Checkin.id, Checkin.unit_id, Checkin.title, Checkin.opened_at, *_counts())
        .outerjoin(CheckinEntry, CheckinEntry.checkin_id == Checkin.id)
        .where(Checkin.unit_id.is_not(None), Checkin.opened_at >= start, Checkin.opened_at < end)
        .group_by(Checkin.id)
    )
    if unit_ids is not None:
        stmt = stmt.where(Checkin.unit_id.in_(unit_ids))
    if untallied:
        stmt = stmt.where(Checkin.id.not_in(select(CheckinTally.checkin_id)))
    return [
        _Meeting(ref, unit_id, title, opened_at.astimezone(tz).date(), int(e), int(a), int(lv))
        for ref, unit_id, title, opened_at, e, a, lv in (await session.execute(stmt)).all()
        if unit_id is not None
    ]


async def _records(
    session: AsyncSession, unit_ids: set[int] | None, first: date, last: date, kinds: set[int]
) -> list[Held]:
    r = MeetingRecord
    stmt = (
        select(r.id, r.unit_id, r.cadence_id, r.held_on, r.expected, r.attended, r.leave)
        .add_columns(r.place, r.host)
        .where(r.held_on >= first, r.held_on <= last)
    )
    if unit_ids is not None:
        stmt = stmt.where(r.unit_id.in_(unit_ids))
    return [
        Held(ref, True, unit_id, cadence_id, day, "", e, a, lv, place, host)
        for ref, unit_id, cadence_id, day, e, a, lv, place, host in (
            await session.execute(stmt)
        ).all()
        if cadence_id in kinds
    ]


async def held_meetings(
    session: AsyncSession,
    unit_ids: set[int],
    first: date,
    last: date,
    kinds: Sequence[Cadence],
    tz: ZoneInfo,
) -> list[Held]:
    """Each meeting these units held from `first` to `last` inclusive, by cadence.

    A check-in whose title matches no cadence (a 座谈会 nobody tracks) is
    left out. Attendance counts the people expected, as the ledger does.
    """
    names = {c.id: c.name for c in kinds}
    found = [
        Held(m.ref, False, m.unit_id, kind.id, m.day, m.title, m.expected, m.attended, m.leave)
        for m in await _checkins(session, unit_ids, first, last, tz, False)
        if (kind := cadence_of(m.title, kinds)) is not None
    ]
    for h in await _records(session, unit_ids, first, last, set(names)):
        found.append(h._replace(title=names[h.cadence_id]))
    return found


def attendance(attended: int, expected: int) -> float | None:
    """实到 / 应到 as a percentage; None when nobody was expected."""
    return 100.0 * attended / expected if expected else None
