"""Check-ins (签到): one row per meeting, one row per person expected or who answered.

The roster (应到) is copied into `checkin_entries` when a check-in opens, so a
ledger years later still shows who was expected then, whatever the roster
says today. Answering is a conditional UPDATE of that person's row: two
copies of the same 签到 cannot both count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    and_,
    case,
    delete,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from storage.base import Base
from storage.models import ChatParticipant, Membership, Person
from storage.upsert import insert_for, on_conflict

PRESENT = "present"
LATE = "late"
LEAVE = "leave"
ATTENDED = (PRESENT, LATE)


class Checkin(Base):
    __tablename__ = "checkins"
    __table_args__ = (
        Index("ix_checkins_chat", "platform", "chat_id", "state"),
        Index("ix_checkins_unit", "unit_id", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(64))
    # Empty: no 签到码 needed.
    code: Mapped[str] = mapped_column(String(8), default="")
    accept_late: Mapped[bool] = mapped_column(default=False)
    # "unit": the unit's roster; "group": who had spoken in the group.
    roster_source: Mapped[str] = mapped_column(String(8))
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime]
    # On time until `deadline`; late (迟到) until `closes_at` when accepted.
    deadline: Mapped[datetime]
    closes_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(String(8), default="open")
    # The meeting that opened it, so a repeated meeting.started opens nothing new.
    meeting_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    last_progress_at: Mapped[datetime | None]
    progress_pending: Mapped[bool] = mapped_column(default=False)
    last_remind_at: Mapped[datetime | None]
    # What the ledger (台账) records of the meeting beside attendance, when given.
    place: Mapped[str] = mapped_column(String(128), default="")
    host: Mapped[str] = mapped_column(String(64), default="")
    recorder: Mapped[str] = mapped_column(String(64), default="")
    topic: Mapped[str] = mapped_column(String(200), default="")


class CheckinEntry(Base):
    __tablename__ = "checkin_entries"
    __table_args__ = (
        UniqueConstraint("checkin_id", "person_id"),
        Index("ix_checkin_entries_person", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    # False: answered without being on the roster, kept apart from the count.
    expected: Mapped[bool]
    # "" (no answer yet), present, late, leave.
    status: Mapped[str] = mapped_column(String(8), default="")
    reason: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime | None]
    # Named in a progress line already. A flag, not a time: messages handled
    # in one transaction share one `now`, so "answered since the last line"
    # cannot be told by time.
    announced: Mapped[bool] = mapped_column(default=False)


class LeaveAhead(Base):
    """Leave asked before a scheduled meeting's check-in opens (请假 周五的支委会 出差).

    It counts when a check-in of that meeting's day opens in one of its groups.
    `meeting_id` is the meetings feature's row, kept as a plain number: a
    check-in never depends on that feature being installed.
    """

    __tablename__ = "checkin_leave_ahead"
    __table_args__ = (UniqueConstraint("meeting_id", "day", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int]
    # The meeting's local date and title, as the person was told.
    day: Mapped[date]
    title: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    asked_at: Mapped[datetime]


@dataclass
class Counts:
    expected: int = 0
    present: int = 0
    late: int = 0
    leave: int = 0
    outsiders: int = 0

    @property
    def attended(self) -> int:
        return self.present + self.late

    @property
    def missing(self) -> int:
        return self.expected - self.attended - self.leave


@dataclass
class Answer:
    """What marking someone did: `new` False means they had already answered."""

    new: bool
    expected: bool
    status: str
    at: datetime | None


@dataclass
class PersonRow:
    person_id: int
    user_id: str
    name: str
    status: str
    reason: str
    at: datetime | None
    expected: bool = True


async def open_in_chat(session: AsyncSession, platform: str, chat_id: str) -> Checkin | None:
    return await session.scalar(
        select(Checkin)
        .where(Checkin.platform == platform, Checkin.chat_id == chat_id, Checkin.state == "open")
        .order_by(Checkin.id.desc())
        .limit(1)
    )


async def open_for_person(session: AsyncSession, person_id: int) -> list[Checkin]:
    """The open check-ins whose roster names this person, newest first."""
    return list(
        await session.scalars(
            select(Checkin)
            .join(CheckinEntry, CheckinEntry.checkin_id == Checkin.id)
            .where(
                CheckinEntry.person_id == person_id,
                CheckinEntry.expected.is_(True),
                Checkin.state == "open",
            )
            .order_by(Checkin.id.desc())
        )
    )


async def latest_in_chat(session: AsyncSession, platform: str, chat_id: str) -> Checkin | None:
    return await session.scalar(
        select(Checkin)
        .where(Checkin.platform == platform, Checkin.chat_id == chat_id)
        .order_by(Checkin.id.desc())
        .limit(1)
    )


async def by_meeting_key(session: AsyncSession, key: str) -> Checkin | None:
    return await session.scalar(select(Checkin).where(Checkin.meeting_key == key))


async def create(session: AsyncSession, checkin: Checkin, group_id: int | None) -> int:
    """Insert the check-in and copy its roster; the number of people expected.

    Only people of the group's platform can answer in it, so only they are
    expected.
    """
    session.add(checkin)
    await session.flush()
    if checkin.roster_source == "unit":
        people = select(Membership.person_id).where(Membership.unit_id == checkin.unit_id)
        person_col = Membership.person_id
    else:
        people = select(ChatParticipant.person_id).where(ChatParticipant.group_id == group_id)
        person_col = ChatParticipant.person_id
    roster = (
        people.add_columns(literal(checkin.id), true(), literal(""), literal(""), false())
        .join(Person, Person.id == person_col)
        .where(Person.platform == checkin.platform)
    )
    await session.execute(
        insert(CheckinEntry).from_select(
            ["person_id", "checkin_id", "expected", "status", "reason", "announced"], roster
        )
    )
    n = await session.scalar(select(func.count()).where(CheckinEntry.checkin_id == checkin.id))
    return int(n or 0)


async def mark(
    session: AsyncSession,
    checkin_id: int,
    person_id: int,
    status: str,
    at: datetime,
    reason: str = "",
) -> Answer:
    """Record an answer once. Leave may turn into attendance (they came after all)."""
    open_slot = or_(CheckinEntry.status == "", CheckinEntry.status == LEAVE)
    if status == LEAVE:
        open_slot = CheckinEntry.status == ""
    result = await session.execute(
        update(CheckinEntry)
        .where(
            CheckinEntry.checkin_id == checkin_id,
            CheckinEntry.person_id == person_id,
            open_slot,
        )
        .values(status=status, at=at, reason=reason[:200])
        .returning(CheckinEntry.expected)
    )
    row = result.first()
    if row is not None:
        return Answer(True, bool(row[0]), status, at)
    table: Any = CheckinEntry.__table__
    stmt = insert_for(session, table).values(
        checkin_id=checkin_id,
        person_id=person_id,
        expected=False,
        status=status,
        reason=reason[:200],
        at=at,
        announced=False,
    )
    inserted = await session.execute(
        on_conflict(stmt, ["checkin_id", "person_id"]).returning(table.c.id)
    )
    if inserted.first() is not None:
        return Answer(True, False, status, at)
    prev = (
        await session.execute(
            select(CheckinEntry.expected, CheckinEntry.status, CheckinEntry.at).where(
                CheckinEntry.checkin_id == checkin_id, CheckinEntry.person_id == person_id
            )
        )
    ).one()
    return Answer(False, bool(prev[0]), str(prev[1]), prev[2])


async def counts(session: AsyncSession, checkin_id: int) -> Counts:
    def n(cond: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    exp = CheckinEntry.expected
    status = CheckinEntry.status
    row = (
        await session.execute(
            select(
                n(exp == true()),
                n(and_(exp == true(), status == PRESENT)),
                n(and_(exp == true(), status == LATE)),
                n(and_(exp == true(), status == LEAVE)),
                n(exp == false()),
            ).where(CheckinEntry.checkin_id == checkin_id)
        )
    ).one()
    return Counts(*(int(v) for v in row))


async def people(
    session: AsyncSession,
    checkin_id: int,
    *,
    expected: bool = True,
    statuses: tuple[str, ...] | None = None,
    unannounced: bool = False,
) -> list[PersonRow]:
    """People of a check-in, by status; `unannounced`: not yet in a progress line."""
    stmt = (
        select(
            Person.id,
            Person.platform_user_id,
            Person.display_name,
            CheckinEntry.status,
            CheckinEntry.reason,
            CheckinEntry.at,
        )
        .join(CheckinEntry, CheckinEntry.person_id == Person.id)
        .where(CheckinEntry.checkin_id == checkin_id, CheckinEntry.expected == expected)
        .order_by(CheckinEntry.at, Person.display_name, Person.id)
    )
    if statuses is not None:
        stmt = stmt.where(CheckinEntry.status.in_(statuses))
    if unannounced:
        stmt = stmt.where(CheckinEntry.announced == false())
    rows = await session.execute(stmt)
    return [PersonRow(int(a), str(b), str(c or b), str(d), str(e), f) for a, b, c, d, e, f in rows]


async def mark_announced(session: AsyncSession, checkin_id: int) -> None:
    await session.execute(
        update(CheckinEntry)
        .where(
            CheckinEntry.checkin_id == checkin_id,
            CheckinEntry.announced == false(),
            CheckinEntry.status.in_(ATTENDED),
        )
        .values(announced=True)
        .execution_options(synchronize_session=False)
    )


async def claim_progress_now(
    session: AsyncSession, checkin_id: int, now: datetime, quiet_until: datetime
) -> bool:
    """Take the right to post a progress line now, if none went out since `quiet_until`."""
    result = await session.execute(
        update(Checkin)
        .where(
            Checkin.id == checkin_id,
            Checkin.progress_pending == false(),
            or_(Checkin.last_progress_at.is_(None), Checkin.last_progress_at <= quiet_until),
        )
        .values(last_progress_at=now)
        .returning(Checkin.id)
    )
    return result.first() is not None


async def claim_progress_later(session: AsyncSession, checkin_id: int) -> bool:
    """Take the right to schedule the next progress line (one pending at a time)."""
    result = await session.execute(
        update(Checkin)
        .where(Checkin.id == checkin_id, Checkin.progress_pending == false())
        .values(progress_pending=True)
        .returning(Checkin.id)
    )
    return result.first() is not None


async def for_unit_year(
    session: AsyncSession, unit_id: int, start: datetime, end: datetime
) -> list[Checkin]:
    rows = await session.scalars(
        select(Checkin)
        .where(Checkin.unit_id == unit_id, Checkin.opened_at >= start, Checkin.opened_at < end)
        .order_by(Checkin.opened_at, Checkin.id)
    )
    return list(rows)


async def entries_of(session: AsyncSession, checkin_ids: list[int]) -> list[tuple[int, PersonRow]]:
    if not checkin_ids:
        return []
    rows = await session.execute(
        select(
            CheckinEntry.checkin_id,
            Person.id,
            Person.platform_user_id,
            Person.display_name,
            CheckinEntry.status,
            CheckinEntry.reason,
            CheckinEntry.at,
            CheckinEntry.expected,
        )
        .join(Person, Person.id == CheckinEntry.person_id)
        .where(CheckinEntry.checkin_id.in_(checkin_ids))
        .order_by(Person.display_name, Person.id)
    )
    return [
        (int(cid), PersonRow(int(pid), uid, name or uid, status, reason, at, bool(expected)))
        for cid, pid, uid, name, status, reason, at, expected in rows
    ]


async def ask_leave_ahead(
    session: AsyncSession,
    meeting_id: int,
    day: date,
    title: str,
    person_id: int,
    reason: str,
    now: datetime,
) -> None:
    """Record (or replace) leave asked ahead for a meeting's day."""
    table: Any = LeaveAhead.__table__
    stmt = insert_for(session, table).values(
        meeting_id=meeting_id,
        day=day,
        title=title,
        person_id=person_id,
        reason=reason[:200],
        asked_at=now,
    )
    await session.execute(
        on_conflict(
            stmt,
            ["meeting_id", "day", "person_id"],
            {"reason": stmt.excluded.reason, "asked_at": stmt.excluded.asked_at},
        )
    )


async def leave_ahead_for(
    session: AsyncSession, meeting_ids: list[int], day: date
) -> list[LeaveAhead]:
    if not meeting_ids:
        return []
    rows = await session.scalars(
        select(LeaveAhead)
        .where(LeaveAhead.meeting_id.in_(meeting_ids), LeaveAhead.day == day)
        .order_by(LeaveAhead.id)
    )
    return list(rows)


async def apply_leave(
    session: AsyncSession, checkin_id: int, leaves: list[tuple[int, str]], at: datetime
) -> int:
    """Mark people of the roster on leave who have not answered; how many were."""
    n = 0
    for person_id, reason in leaves:
        result = await session.execute(
            update(CheckinEntry)
            .where(
                CheckinEntry.checkin_id == checkin_id,
                CheckinEntry.person_id == person_id,
                CheckinEntry.status == "",
            )
            .values(status=LEAVE, reason=reason[:200], at=at)
            .returning(CheckinEntry.id)
        )
        n += len(result.all())
    return n


async def set_status(
    session: AsyncSession,
    checkin_id: int,
    person_id: int,
    status: str,
    at: datetime | None,
    reason: str = "",
) -> bool:
    """A secretary's correction: set someone's answer whatever it was; False if not listed.

    Someone taken off (status "") who was not on the roster leaves the list.
    """
    row = await session.scalar(
        select(CheckinEntry).where(
            CheckinEntry.checkin_id == checkin_id, CheckinEntry.person_id == person_id
        )
    )
    if row is None:
        if not status:
            return False
        session.add(
            CheckinEntry(
                checkin_id=checkin_id,
                person_id=person_id,
                expected=False,
                status=status,
                reason=reason[:200],
                at=at,
                announced=True,
            )
        )
        return True
    if not status and not row.expected:
        await session.delete(row)
        return True
    row.status, row.at, row.reason = status, at, reason[:200]
    row.announced = True
    return True


async def entry(session: AsyncSession, checkin_id: int, person_id: int) -> CheckinEntry | None:
    return await session.scalar(
        select(CheckinEntry).where(
            CheckinEntry.checkin_id == checkin_id, CheckinEntry.person_id == person_id
        )
    )


async def remove(session: AsyncSession, checkin_id: int) -> None:
    """Delete a check-in opened by mistake, with its entries: gone from the ledger."""
    await session.execute(delete(CheckinEntry).where(CheckinEntry.checkin_id == checkin_id))
    await session.execute(delete(Checkin).where(Checkin.id == checkin_id))
