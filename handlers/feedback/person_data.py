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
from handlers.feedback.texts import STATUS_NONE, STATUS_OPINION, STATUS_PENDING, STATUS_SILENT
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

CALLS = "征求意见"
CALLS_NOTE = "匿名反馈只记录您已反馈：意见不与您关联，无法导出。"
OPENED = "发起的征求意见"
SUGGESTIONS = "实名建言"
SUGGESTIONS_NOTE = "匿名建言不与您关联，不在此列。"
THREAD = "实名建言的往来"
ANSWERS = "以书记身份回复的建言"
OPEN_SEATS = "未截止征求意见中的待反馈名额"
SEATS = "征求意见名单记录"
OPINIONS = "实名意见"
OPENERS = "征求意见发起人"
K_TITLE = "事项"
K_DEADLINE = "截止时间"
K_STATUS = "反馈情况"
K_TEXT = "内容"
K_AT = "提交时间"
K_RECEIPT = "回执编号"
K_OPENED_AT = "发起时间"
K_NUMBER = "建言编号"
K_UNIT = "支部"
K_DAY = "日期"
K_FROM = "发言"
FROM_YOU = "您"
FROM_SECRETARY = "书记"
STATUS_ANON = "匿名反馈（内容不与您关联）"


def _status(member: str, opinion: FeedbackOpinion | None, closed: bool) -> str:
    if member == ANONYMOUS:
        return STATUS_ANON
    if opinion is not None:
        return STATUS_NONE if opinion.kind == NO_OPINION else STATUS_OPINION
    return STATUS_SILENT if closed else STATUS_PENDING


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
                K_TITLE: call.title,
                K_DEADLINE: call.deadline,
                K_STATUS: _status(status, op, call.state != "open"),
                K_TEXT: op.text if op else "",
                K_AT: op.submitted_at if op else None,
                K_RECEIPT: op.receipt if op else "",
            }
        )
    opened = await session.scalars(
        select(FeedbackCall).where(FeedbackCall.creator_id == who.id).order_by(FeedbackCall.id)
    )
    return [
        Section(CALLS, calls, CALLS_NOTE),
        Section(OPENED, [{K_TITLE: c.title, K_OPENED_AT: c.created_at} for c in opened]),
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
        {K_NUMBER: s.id, K_UNIT: unit, K_DAY: s.received_on, K_TEXT: s.text} for s, unit in boxes
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
        Section(SUGGESTIONS, written, SUGGESTIONS_NOTE),
        Section(
            THREAD,
            [
                {
                    K_NUMBER: m.suggestion_id,
                    K_DAY: m.sent_on,
                    K_FROM: FROM_YOU if m.from_author else FROM_SECRETARY,
                    K_TEXT: m.text,
                }
                for m in thread
            ],
        ),
        Section(
            ANSWERS,
            [{K_NUMBER: m.suggestion_id, K_DAY: m.sent_on, K_TEXT: m.text} for m in answers],
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
        deleted(OPEN_SEATS, removed),
        kept(SEATS, int(seats or 0)),
        kept(OPINIONS, int(opinions or 0)),
        kept(SUGGESTIONS, int(boxes or 0)),
        kept(ANSWERS, int(answers or 0)),
        cleared(OPENERS, openers),
    ]


feature.person_data(export=export, erase=erase)
