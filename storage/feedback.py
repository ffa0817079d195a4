"""征求意见 calls, their audience and opinions; the 意见箱 and its threads.

Anonymity lives in the shape of these tables (docs/ANONYMITY.md):
- `feedback_members` says whether each person answered and whether by name,
  never which opinion is theirs; an anonymous `feedback_opinions` row has no
  person and no time, and the call's anonymous rows are all written afresh
  with each new one (`add_anonymous_opinion`), so neither ids, positions nor
  PostgreSQL's transaction ids (xmin) tell which came last.
- A `suggestions` row of an anonymous author keeps only `sealed_author`, the
  author's address encrypted under a key that is not in the database
  (bot.seal), and a day, not a moment.
- Anonymous rows are written by bot.anonymous, in a transaction that touches
  no row of their author.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    case,
    delete,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.messaging import OutboxMessage
from storage.models import ChatGroup, ChatParticipant, Membership, Person, RoleGrant, Unit

PENDING, NAMED, ANONYMOUS = "pending", "named", "anonymous"
OPINION, NO_OPINION = "opinion", "none"


class FeedbackCall(Base):
    """One 征求意见: what is consulted on, until when, and with whom."""

    __tablename__ = "feedback_calls"
    __table_args__ = (Index("ix_feedback_calls_state", "state", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    # Where the call was posted; empty chat_id when opened in a direct chat.
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128), default="")
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    deadline: Mapped[datetime]
    allow_anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    audience: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(8), default="open")
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class FeedbackMember(Base):
    """A person of the audience (fixed when the call opens) and how they answered."""

    __tablename__ = "feedback_members"
    __table_args__ = (UniqueConstraint("call_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("feedback_calls.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12), default=PENDING)


class FeedbackOpinion(Base):
    """An answer: an opinion or an explicit 无意见; anonymous ones have no person."""

    __tablename__ = "feedback_opinions"
    __table_args__ = (
        UniqueConstraint("receipt"),
        Index("ix_feedback_opinions_call", "call_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("feedback_calls.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text, default="")
    receipt: Mapped[str] = mapped_column(String(16))
    submitted_at: Mapped[datetime | None]


class Suggestion(Base):
    """A 意见箱 建言 to a unit's secretaries; anonymous authors are only sealed."""

    __tablename__ = "suggestions"
    __table_args__ = (Index("ix_suggestions_unit", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    author_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    sealed_author: Mapped[bytes | None] = mapped_column(LargeBinary)
    text: Mapped[str] = mapped_column(Text)
    received_on: Mapped[date]


class SuggestionMessage(Base):
    """A later message on a suggestion's thread, from the author or a secretary."""

    __tablename__ = "suggestion_messages"
    __table_args__ = (Index("ix_suggestion_messages_thread", "suggestion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestions.id", ondelete="CASCADE"))
    from_author: Mapped[bool] = mapped_column(Boolean)
    # Set for a secretary's answer only; the author side stays unnamed.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    sent_on: Mapped[date]


# --- audience ----------------------------------------------------------------------


async def unit_roster(session: AsyncSession, unit_id: int) -> list[int]:
    rows = await session.scalars(
        select(Membership.person_id).where(Membership.unit_id == unit_id).order_by(Membership.id)
    )
    return list(rows)


async def group_people(session: AsyncSession, group_id: int) -> list[int]:
    rows = await session.scalars(
        select(ChatParticipant.person_id)
        .where(ChatParticipant.group_id == group_id)
        .order_by(ChatParticipant.id)
    )
    return list(rows)


async def unit_names(session: AsyncSession, unit_ids: set[int]) -> dict[int, str]:
    rows = await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids)))
    return {uid: name for uid, name in rows}


async def secretaries_of(session: AsyncSession, unit_id: int) -> list[Person]:
    rows = await session.scalars(
        select(Person)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(RoleGrant.role == "secretary", RoleGrant.unit_id == unit_id)
        .order_by(Person.id)
    )
    return list(rows)


# --- calls -------------------------------------------------------------------------


async def open_call(
    session: AsyncSession, call: FeedbackCall, person_ids: list[int]
) -> FeedbackCall:
    session.add(call)
    await session.flush()
    session.add_all(
        FeedbackMember(call_id=call.id, person_id=pid) for pid in dict.fromkeys(person_ids)
    )
    await session.flush()
    return call


@dataclass
class Answerable:
    call: FeedbackCall
    status: str


async def calls_for(session: AsyncSession, person_id: int, now: datetime) -> list[Answerable]:
    """Open calls whose audience includes the person, soonest deadline first."""
    rows = await session.execute(
        select(FeedbackCall, FeedbackMember.status)
        .join(FeedbackMember, FeedbackMember.call_id == FeedbackCall.id)
        .where(
            FeedbackMember.person_id == person_id,
            FeedbackCall.state == "open",
            FeedbackCall.deadline > now,
        )
        .order_by(FeedbackCall.deadline, FeedbackCall.id)
    )
    return [Answerable(call, status) for call, status in rows]


async def member(session: AsyncSession, call_id: int, person_id: int) -> FeedbackMember | None:
    return await session.scalar(
        select(FeedbackMember).where(
            FeedbackMember.call_id == call_id, FeedbackMember.person_id == person_id
        )
    )


async def withdraw(session: AsyncSession, call_id: int, person_id: int) -> None:
    await session.execute(
        delete(FeedbackOpinion).where(
            FeedbackOpinion.call_id == call_id, FeedbackOpinion.person_id == person_id
        )
    )


async def pending_people(session: AsyncSession, call_id: int) -> list[Person]:
    rows = await session.scalars(
        select(Person)
        .join(FeedbackMember, FeedbackMember.person_id == Person.id)
        .where(FeedbackMember.call_id == call_id, FeedbackMember.status == PENDING)
        .order_by(FeedbackMember.id)
    )
    return list(rows)


async def latest_call(
    session: AsyncSession, unit_ids: set[int] | None, person_id: int, *, open_only: bool
) -> FeedbackCall | None:
    """The newest call of these units or opened by this person (unit_ids None: any)."""
    stmt = select(FeedbackCall)
    if unit_ids is not None:
        stmt = stmt.where(
            FeedbackCall.unit_id.in_(unit_ids) | (FeedbackCall.creator_id == person_id)
        )
    if open_only:
        stmt = stmt.where(FeedbackCall.state == "open")
    return await session.scalar(stmt.order_by(FeedbackCall.id.desc()).limit(1))


async def people_by_id(session: AsyncSession, ids: list[int]) -> list[Person]:
    rows = await session.scalars(select(Person).where(Person.id.in_(ids)).order_by(Person.id))
    return list(rows)


@dataclass
class MemberRow:
    name: str
    user_id: str
    status: str
    opinion: FeedbackOpinion | None
    person_id: int = 0


async def member_rows(session: AsyncSession, call_id: int) -> list[MemberRow]:
    """Every member of the audience with their named opinion, if any."""
    rows = await session.execute(
        select(Person, FeedbackMember.status, FeedbackOpinion)
        .join(FeedbackMember, FeedbackMember.person_id == Person.id)
        .outerjoin(
            FeedbackOpinion,
            (FeedbackOpinion.call_id == FeedbackMember.call_id)
            & (FeedbackOpinion.person_id == Person.id),
        )
        .where(FeedbackMember.call_id == call_id)
        .order_by(FeedbackMember.id)
    )
    return [
        MemberRow(p.display_name or p.platform_user_id, p.platform_user_id, status, op, p.id)
        for p, status, op in rows
    ]


# Outbox keys of what tells a member about a call: "feedback:<id>:<kind>:…:<person id>",
# and the call's own notice to its group, "feedback:<id>:notice".
TOLD_BY = ("notice", "nudge", "remind")


async def told_people(session: AsyncSession, call: FeedbackCall) -> set[int]:
    """Who was told of the call: a delivered direct message, or its notice in their group.

    Only they may be counted as having no objection when they stay silent.
    """
    prefix = f"feedback:{call.id}:"
    keys = await session.scalars(
        select(OutboxMessage.idempotency_key).where(
            OutboxMessage.idempotency_key.like(f"{prefix}%"), OutboxMessage.state == "sent"
        )
    )
    told: set[int] = set()
    group_notice = False
    for key in keys:
        parts = key[len(prefix) :].split(":")
        if parts in (["notice"], ["nudge"]):
            group_notice = True
        elif len(parts) >= 2 and parts[0] in TOLD_BY and parts[-1].isdigit():
            told.add(int(parts[-1]))
    if group_notice and call.chat_id:
        rows = await session.scalars(
            select(ChatParticipant.person_id)
            .join(ChatGroup, ChatGroup.id == ChatParticipant.group_id)
            .where(ChatGroup.platform == call.platform, ChatGroup.chat_id == call.chat_id)
        )
        told.update(rows)
    return told


async def anonymous_opinions(session: AsyncSession, call_id: int) -> list[FeedbackOpinion]:
    # Ordered by content, not id: the order of arrival is not shown either.
    rows = await session.scalars(
        select(FeedbackOpinion)
        .where(FeedbackOpinion.call_id == call_id, FeedbackOpinion.person_id.is_(None))
        .order_by(FeedbackOpinion.kind, FeedbackOpinion.text)
    )
    return list(rows)


async def add_anonymous_opinion(
    session: AsyncSession, call_id: int, kind: str, text: str, receipt: str
) -> None:
    """Add an anonymous answer by writing the call's anonymous answers afresh.

    Each is written again, in content order, with a new id: so on
    PostgreSQL they all carry this transaction's id, and neither ids, row
    positions nor transaction ids tell which came last.
    """
    rows = [
        (o.kind, o.text, o.receipt)
        for o in await session.scalars(
            select(FeedbackOpinion).where(
                FeedbackOpinion.call_id == call_id, FeedbackOpinion.person_id.is_(None)
            )
        )
    ]
    await session.execute(
        delete(FeedbackOpinion).where(
            FeedbackOpinion.call_id == call_id, FeedbackOpinion.person_id.is_(None)
        )
    )
    session.add_all(
        FeedbackOpinion(call_id=call_id, kind=k, text=x, receipt=r)
        for k, x, r in sorted([*rows, (kind, text, receipt)])
    )
    await session.flush()


@dataclass
class BoxEntry:
    suggestion: Suggestion
    unit: str
    author: str | None
    messages: int


async def recent_suggestions(
    session: AsyncSession, unit_ids: set[int] | None, limit: int
) -> list[BoxEntry]:
    """The newest suggestions of these units (None: of all), with their thread length."""
    thread = (
        select(func.count())
        .where(SuggestionMessage.suggestion_id == Suggestion.id)
        .scalar_subquery()
    )
    stmt = (
        select(Suggestion, Unit.name, Person.display_name, thread)
        .join(Unit, Unit.id == Suggestion.unit_id)
        .outerjoin(Person, Person.id == Suggestion.author_person_id)
        .order_by(Suggestion.id.desc())
        .limit(limit)
    )
    if unit_ids is not None:
        stmt = stmt.where(Suggestion.unit_id.in_(unit_ids))
    rows = await session.execute(stmt)
    return [BoxEntry(s, unit, author, int(n)) for s, unit, author, n in rows]


# --- the console ---------------------------------------------------------------------


async def calls_of(
    session: AsyncSession, unit_ids: set[int] | None, person_id: int, limit: int
) -> list[FeedbackCall]:
    """The newest calls of these units or opened by the person (unit_ids None: all)."""
    stmt = select(FeedbackCall)
    if unit_ids is not None:
        stmt = stmt.where(
            FeedbackCall.unit_id.in_(unit_ids) | (FeedbackCall.creator_id == person_id)
        )
    return list(await session.scalars(stmt.order_by(FeedbackCall.id.desc()).limit(limit)))


async def thread_of(
    session: AsyncSession, suggestion_id: int
) -> list[tuple[SuggestionMessage, str | None]]:
    """A suggestion's follow-ups in order, with the answering secretary's name."""
    rows = await session.execute(
        select(SuggestionMessage, Person.display_name)
        .outerjoin(Person, Person.id == SuggestionMessage.person_id)
        .where(SuggestionMessage.suggestion_id == suggestion_id)
        .order_by(SuggestionMessage.id)
    )
    return [(m, name) for m, name in rows]


async def answered_of(session: AsyncSession, call_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(answered, audience) of each call, in one grouped query."""
    answered = func.sum(case((FeedbackMember.status != PENDING, 1), else_=0))
    rows = await session.execute(
        select(FeedbackMember.call_id, answered, func.count())
        .where(FeedbackMember.call_id.in_(call_ids))
        .group_by(FeedbackMember.call_id)
    )
    found = {cid: (0, 0) for cid in call_ids}
    found.update({cid: (int(a or 0), int(n)) for cid, a, n in rows})
    return found
