"""What 征求意见 and the 意见箱 hold about a person (bot.person_data): their seat in
each call and their named opinions, their named suggestions and the thread on
them, their answers as a secretary, and the calls they opened.

An anonymous opinion or suggestion has no person (storage.feedback): the
export says only that they answered anonymously, and neither export nor
erasure unseals or searches anything to find what they wrote. Erasure keeps
seats, named opinions and named suggestions, pointing at the anonymised
person, so every call's counts and record stand; in a call still open, a seat
they never answered is removed, so the deadline cannot count them as 无意见.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.person_data import Erased, Section, Subject, changed, cleared, deleted, kept
from handlers.feedback import feature
from handlers.feedback import texts as t
from storage.feedback import (
    ANONYMOUS,
    NO_OPINION,
    PENDING,
    FeedbackCall,
    FeedbackMember,
    FeedbackOpinion,
    Suggestion,
    SuggestionMessage,
)
from storage.models import Unit


def _status(member: str, opinion: FeedbackOpinion | None, closed: bool) -> str:
    if member == ANONYMOUS:
        return t.STATUS_ANON
    if opinion is not None:
        return t.STATUS_NONE if opinion.kind == NO_OPINION else t.STATUS_OPINION
    return t.STATUS_SILENT if closed else t.STATUS_PENDING


async def export(session: AsyncSession, who: Subject) -> list[Section]:
    opinions = {
        op.call_id: op
        for op in await session.scalars(
            select(FeedbackOpinion).where(FeedbackOpinion.person_id == who.id)
        )
    }
    seats = await session.execute(
        select(FeedbackCall, FeedbackMember.status)
        .join(FeedbackMember, FeedbackMember.call_id == FeedbackCall.id)
        .where(FeedbackMember.person_id == who.id)
        .order_by(FeedbackCall.created_at, FeedbackCall.id)
    )
    calls = []
    for call, status in seats:
        op = opinions.get(call.id)
        calls.append(
            {
                t.K_TITLE: call.title,
                t.K_DEADLINE: call.deadline,
                t.K_STATUS: _status(status, op, call.state != "open"),
                t.K_TEXT: op.text if op else "",
                t.K_AT: op.submitted_at if op else None,
                t.K_RECEIPT: op.receipt if op else "",
            }
        )
    opened = await session.scalars(
        select(FeedbackCall).where(FeedbackCall.creator_id == who.id).order_by(FeedbackCall.id)
    )
    return [
        Section(t.CALLS, calls, t.CALLS_NOTE),
        Section(t.OPENED, [{t.K_TITLE: c.title, t.K_OPENED_AT: c.created_at} for c in opened]),
        *await _suggestions(session, who),
    ]


async def _suggestions(session: AsyncSession, who: Subject) -> list[Section]:
    boxes = await session.execute(
        select(Suggestion, Unit.name)
        .join(Unit, Unit.id == Suggestion.unit_id)
        .where(Suggestion.author_person_id == who.id)
        .order_by(Suggestion.id)
    )
    written = [
        {t.K_NUMBER: s.id, t.K_UNIT: unit, t.K_DAY: s.received_on, t.K_TEXT: s.text}
        for s, unit in boxes
    ]
    thread = await session.scalars(
        select(SuggestionMessage)
        .join(Suggestion, Suggestion.id == SuggestionMessage.suggestion_id)
        .where(Suggestion.author_person_id == who.id)
        .order_by(SuggestionMessage.id)
    )
    answers = await session.scalars(
        select(SuggestionMessage)
        .where(SuggestionMessage.person_id == who.id, SuggestionMessage.from_author.is_(False))
        .order_by(SuggestionMessage.id)
    )
    return [
        Section(t.SUGGESTIONS, written, t.SUGGESTIONS_NOTE),
        Section(
            t.THREAD,
            [
                {
                    t.K_NUMBER: m.suggestion_id,
                    t.K_DAY: m.sent_on,
                    t.K_FROM: t.FROM_YOU if m.from_author else t.FROM_SECRETARY,
                    t.K_TEXT: m.text,
                }
                for m in thread
            ],
        ),
        Section(
            t.ANSWERS,
            [{t.K_NUMBER: m.suggestion_id, t.K_DAY: m.sent_on, t.K_TEXT: m.text} for m in answers],
        ),
    ]


async def erase(session: AsyncSession, who: Subject) -> list[Erased]:
    mine = FeedbackMember.person_id == who.id
    open_calls = select(FeedbackCall.id).where(FeedbackCall.state == "open")
    removed = await changed(
        session,
        delete(FeedbackMember).where(
            mine, FeedbackMember.status == PENDING, FeedbackMember.call_id.in_(open_calls)
        ),
    )
    seats = await session.scalar(select(func.count()).where(mine))
    opinions = await session.scalar(select(func.count()).where(FeedbackOpinion.person_id == who.id))
    boxes = await session.scalar(select(func.count()).where(Suggestion.author_person_id == who.id))
    answers = await session.scalar(
        select(func.count()).where(SuggestionMessage.person_id == who.id)
    )
    openers = await changed(
        session,
        update(FeedbackCall).where(FeedbackCall.creator_id == who.id).values(creator_id=None),
    )
    return [
        deleted(t.OPEN_SEATS, removed),
        kept(t.SEATS, int(seats or 0)),
        kept(t.OPINIONS, int(opinions or 0)),
        kept(t.SUGGESTIONS, int(boxes or 0)),
        kept(t.ANSWERS, int(answers or 0)),
        cleared(t.OPENERS, openers),
    ]


feature.person_data(
    export=export,
    erase=erase,
    covers=(
        FeedbackCall.creator_id,
        FeedbackMember.person_id,
        FeedbackOpinion.person_id,
        Suggestion.author_person_id,
        SuggestionMessage.person_id,
    ),
)
