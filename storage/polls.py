"""Polls (民意测验) and evaluations (民主测评): the tables and their data access.

How an anonymous ballot stays unlinkable, even for an admin holding the database:

- Who may vote (`poll_audience`) and who has voted (`poll_voters`) are rows of
  (poll, person) and nothing else: no choice, no time.
- An anonymous ballot is never a row. It is added to counters
  (`poll_tallies`, one per (item, choice)) that are all created when the poll
  is published, in option order. A row per ballot, even with a random id and
  no voter column, would sit in the table (and in the heap, on PostgreSQL
  with the inserting transaction id as `xmin`) beside the voter's
  `poll_voters` row written by the same transaction.
- Each ballot is one UPDATE that rewrites *every* counter of the poll
  (`count + 1` where chosen, `+ 0` elsewhere). So on PostgreSQL every counter
  row carries the same `xmin` — the last voter's transaction, which says only
  that this person voted, not what they chose — and on SQLite the rowids keep
  the publish order. Neither ids, nor row order, nor transaction ids tell
  which counter a given voter moved.
- Counters carry no time at all, so nothing is finer than the poll's day.
- A named (实名) ballot is a row of (poll, person, choices): being named is the
  point, and it may be changed until the deadline.

What this does not cover: someone who copies the database between two votes
(or reads PostgreSQL's dead tuples and WAL, or SQLite's WAL file, before they
are recycled) can subtract one state from the next. Live results are never
shown for anonymous polls for the same reason: watching the count move when a
colleague votes would reveal the ballot.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    String,
    and_,
    case,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.models import ChatParticipant, Membership, Person
from storage.upsert import insert_for, on_conflict

KINDS = ("single", "multi", "grade", "rating")
VISIBILITIES = ("live", "closed", "creator")
RATING_SCALE = ["1分", "2分", "3分", "4分", "5分"]


class Poll(Base):
    __tablename__ = "polls"
    __table_args__ = (Index("ix_polls_chat", "platform", "chat_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    # single / multi: options are the choices; grade: options are the
    # candidates and scale their grades; rating: the scale is 1分…5分.
    kind: Mapped[str] = mapped_column(String(8))
    options: Mapped[list[str]] = mapped_column(JSON)
    scale: Mapped[list[str]] = mapped_column(JSON)
    max_choices: Mapped[int] = mapped_column(default=1)
    anonymous: Mapped[bool]
    visibility: Mapped[str] = mapped_column(String(8))
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(8), default="open")
    deadline: Mapped[datetime]
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    @property
    def items(self) -> list[str]:
        """What a ballot answers one by one: each candidate, or the one question."""
        return list(self.options) if self.kind == "grade" else [""]

    @property
    def choices(self) -> list[str]:
        """The choices of one item."""
        return list(self.scale) if self.kind in ("grade", "rating") else list(self.options)


class PollAudience(Base):
    """Who may vote: fixed when the poll is published (its 应到)."""

    __tablename__ = "poll_audience"
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )


class PollVoter(Base):
    """That a person has voted, and nothing about how or when."""

    __tablename__ = "poll_voters"
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )


class PollVote(Base):
    """A named (实名) ballot: choice indexes, one per item for a 测评."""

    __tablename__ = "poll_votes"
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    choices: Mapped[list[int]] = mapped_column(JSON)


class PollTally(Base):
    """Anonymous ballots, summed: how many chose `choice` for `item`."""

    __tablename__ = "poll_tallies"
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    item: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    choice: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(default=0)


async def create_poll(session: AsyncSession, poll: Poll, audience: Sequence[int]) -> Poll:
    """Store a poll with its audience and, if anonymous, all its counters at zero."""
    session.add(poll)
    await session.flush()
    if audience:
        await session.execute(
            insert_for(session, PollAudience.__table__).values(  # type: ignore[arg-type]
                [{"poll_id": poll.id, "person_id": pid} for pid in sorted(set(audience))]
            )
        )
    if poll.anonymous:
        await session.execute(
            insert_for(session, PollTally.__table__).values(  # type: ignore[arg-type]
                [
                    {"poll_id": poll.id, "item": i, "choice": c, "count": 0}
                    for i in range(len(poll.items))
                    for c in range(len(poll.choices))
                ]
            )
        )
    return poll


async def group_audience(session: AsyncSession, group_id: int) -> list[int]:
    rows = await session.scalars(
        select(ChatParticipant.person_id).where(ChatParticipant.group_id == group_id)
    )
    return list(rows)


async def unit_audience(session: AsyncSession, unit_id: int) -> list[int]:
    rows = await session.scalars(select(Membership.person_id).where(Membership.unit_id == unit_id))
    return list(rows)


async def lock_poll(session: AsyncSession, poll_id: int, *, lock: bool) -> Poll | None:
    """The poll, row-locked on PostgreSQL so votes and closing take turns."""
    stmt = select(Poll).where(Poll.id == poll_id).execution_options(populate_existing=True)
    if lock and session.bind is not None and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def in_audience(session: AsyncSession, poll_id: int, person_id: int) -> bool:
    found = await session.scalar(
        select(PollAudience.person_id).where(
            PollAudience.poll_id == poll_id, PollAudience.person_id == person_id
        )
    )
    return found is not None


async def has_voted(session: AsyncSession, poll_id: int, person_id: int) -> bool:
    found = await session.scalar(
        select(PollVoter.person_id).where(
            PollVoter.poll_id == poll_id, PollVoter.person_id == person_id
        )
    )
    return found is not None


async def mark_voted(session: AsyncSession, poll_id: int, person_id: int) -> bool:
    """Record that the person voted; False if they already had (decided by the key)."""
    stmt = insert_for(session, PollVoter.__table__).values(  # type: ignore[arg-type]
        poll_id=poll_id, person_id=person_id
    )
    result = await session.execute(
        on_conflict(stmt, ["poll_id", "person_id"]).returning(PollVoter.__table__.c.person_id)
    )
    return result.first() is not None


async def add_anonymous_ballot(
    session: AsyncSession, poll_id: int, marks: Sequence[tuple[int, int]]
) -> None:
    """Add one ballot's (item, choice) marks, touching every counter of the poll."""
    chosen = or_(*[and_(PollTally.item == i, PollTally.choice == c) for i, c in set(marks)])
    await session.execute(
        update(PollTally)
        .where(PollTally.poll_id == poll_id)
        .values(count=PollTally.count + case((chosen, 1), else_=0))
        .execution_options(synchronize_session=False)
    )


async def put_named_vote(
    session: AsyncSession, poll_id: int, person_id: int, choices: list[int]
) -> bool:
    """Store or replace a named ballot; True when it replaced an earlier one."""
    voted_before = not await mark_voted(session, poll_id, person_id)
    stmt = insert_for(session, PollVote.__table__).values(  # type: ignore[arg-type]
        poll_id=poll_id, person_id=person_id, choices=choices
    )
    await session.execute(
        on_conflict(stmt, ["poll_id", "person_id"], {"choices": stmt.excluded.choices})
    )
    return voted_before


async def non_voters(session: AsyncSession, poll_id: int) -> list[Person]:
    voted = exists().where(
        PollVoter.poll_id == poll_id, PollVoter.person_id == PollAudience.person_id
    )
    rows = await session.scalars(
        select(Person)
        .join(PollAudience, PollAudience.person_id == Person.id)
        .where(PollAudience.poll_id == poll_id, ~voted)
        .order_by(Person.id)
    )
    return list(rows)


async def pending_polls(session: AsyncSession, person_id: int, now: datetime) -> list[Poll]:
    """Open polls the person may still answer: not yet voted, or named (changeable)."""
    voted = exists().where(PollVoter.poll_id == Poll.id, PollVoter.person_id == person_id)
    rows = await session.scalars(
        select(Poll)
        .join(PollAudience, PollAudience.poll_id == Poll.id)
        .where(
            PollAudience.person_id == person_id,
            Poll.state == "open",
            Poll.deadline > now,
            or_(Poll.anonymous.is_(False), ~voted),
        )
        .order_by(Poll.id)
    )
    return list(rows)


async def latest_in_chat(
    session: AsyncSession, platform: str, chat_id: str, *, open_only: bool
) -> Poll | None:
    stmt = select(Poll).where(Poll.platform == platform, Poll.chat_id == chat_id)
    if open_only:
        stmt = stmt.where(Poll.state == "open")
    return await session.scalar(stmt.order_by(Poll.id.desc()).limit(1))


async def open_in_chat(session: AsyncSession, platform: str, chat_id: str) -> list[Poll]:
    """The polls open in a chat, newest first."""
    rows = await session.scalars(
        select(Poll)
        .where(Poll.platform == platform, Poll.chat_id == chat_id, Poll.state == "open")
        .order_by(Poll.id.desc())
    )
    return list(rows)


async def latest_for_person(session: AsyncSession, person_id: int) -> Poll | None:
    """The newest poll the person may vote in or created."""
    member = exists().where(PollAudience.poll_id == Poll.id, PollAudience.person_id == person_id)
    return await session.scalar(
        select(Poll)
        .where(or_(member, Poll.creator_id == person_id))
        .order_by(Poll.id.desc())
        .limit(1)
    )


async def counts(session: AsyncSession, poll_id: int) -> tuple[int, int]:
    """(eligible, voted)."""
    eligible = await session.scalar(
        select(func.count()).select_from(PollAudience).where(PollAudience.poll_id == poll_id)
    )
    voted = await session.scalar(
        select(func.count()).select_from(PollVoter).where(PollVoter.poll_id == poll_id)
    )
    return int(eligible or 0), int(voted or 0)


async def polls_of(
    session: AsyncSession, unit_ids: set[int] | None, person_id: int, limit: int
) -> list[Poll]:
    """The newest polls of these units or created by the person (unit_ids None: all)."""
    stmt = select(Poll)
    if unit_ids is not None:
        stmt = stmt.where(or_(Poll.unit_id.in_(unit_ids), Poll.creator_id == person_id))
    return list(await session.scalars(stmt.order_by(Poll.id.desc()).limit(limit)))


async def counts_of(session: AsyncSession, poll_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(eligible, voted) of each poll, in two grouped queries."""
    found = {pid: [0, 0] for pid in poll_ids}
    for i, column in enumerate((PollAudience.poll_id, PollVoter.poll_id)):
        rows = await session.execute(
            select(column, func.count()).where(column.in_(poll_ids)).group_by(column)
        )
        for pid, n in rows:
            found[pid][i] = int(n)
    return {pid: (e, v) for pid, (e, v) in found.items()}
