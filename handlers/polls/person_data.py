"""What polls hold about a person: the polls they could vote in, whether they voted,
their named ballots, and the polls they created (bot.person_data).

An anonymous ballot is only counted (storage.polls): nothing says which count is
theirs, so the export says that they voted and no more, and erasure leaves the
counts alone. Named ballots and the voted marks stay, pointing at the anonymised
person, so every result and participation rate is unchanged. In a poll still
open, a place they never used is removed: no one can vote in it.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.person_data import Erased, Section, Subject, changed, cleared, deleted, kept
from handlers.polls import feature
from handlers.polls.texts import ANON, KIND_NAMES, NAMED
from storage.polls import Poll, PollAudience, PollVote, PollVoter

POLLS = "投票"
POLLS_NOTE = "匿名投票只记录您是否已投：选择只计入总数，谁也无法知道哪一票是您的。"
CREATED = "发起的投票"
OPEN_SEATS = "未截止投票中的待投名额"
NAMED_VOTES = "实名选票"
VOTED = "投票参与记录"
CREATORS = "投票发起人"
K_TITLE = "投票"
K_KIND = "类型"
K_WAY = "方式"
K_DEADLINE = "截止时间"
K_VOTED = "已投票"
K_CHOICE = "我的选择"
K_CREATED_AT = "发起时间"
ANON_CHOICE = "（匿名，不记录）"


def _picks(poll: Poll, choices: list[int]) -> list[str]:
    picks = [poll.choices[c] for c in choices if 0 <= c < len(poll.choices)]
    if poll.kind == "grade":
        return [f"{name}：{grade}" for name, grade in zip(poll.items, picks, strict=False)]
    return picks


async def export(session: AsyncSession, who: Subject) -> list[Section]:
    mine = (
        select(PollAudience.poll_id)
        .where(PollAudience.person_id == who.id)
        .union(select(PollVoter.poll_id).where(PollVoter.person_id == who.id))
    )
    polls = await session.scalars(
        select(Poll).where(Poll.id.in_(mine)).order_by(Poll.created_at, Poll.id)
    )
    voted = set(
        await session.scalars(select(PollVoter.poll_id).where(PollVoter.person_id == who.id))
    )
    ballots = {
        v.poll_id: list(v.choices)
        for v in await session.scalars(select(PollVote).where(PollVote.person_id == who.id))
    }
    rows = []
    for poll in polls:
        choice: list[str] | str = ANON_CHOICE if poll.anonymous else []
        if poll.id in ballots:
            choice = _picks(poll, ballots[poll.id])
        rows.append(
            {
                K_TITLE: poll.title,
                K_KIND: KIND_NAMES.get(poll.kind, poll.kind),
                K_WAY: ANON if poll.anonymous else NAMED,
                K_DEADLINE: poll.deadline,
                K_VOTED: poll.id in voted,
                K_CHOICE: choice,
            }
        )
    created = await session.scalars(
        select(Poll).where(Poll.creator_id == who.id).order_by(Poll.created_at)
    )
    return [
        Section(POLLS, rows, POLLS_NOTE),
        Section(CREATED, [{K_TITLE: p.title, K_CREATED_AT: p.created_at} for p in created]),
    ]


async def erase(session: AsyncSession, who: Subject) -> list[Erased]:
    open_polls = select(Poll.id).where(Poll.state == "open")
    voted = select(PollVoter.poll_id).where(PollVoter.person_id == who.id)
    seats = await changed(
        session,
        delete(PollAudience).where(
            PollAudience.person_id == who.id,
            PollAudience.poll_id.in_(open_polls),
            PollAudience.poll_id.not_in(voted),
        ),
    )
    named = await session.scalar(select(func.count()).where(PollVote.person_id == who.id))
    marks = await session.scalar(select(func.count()).where(PollVoter.person_id == who.id))
    creators = await changed(
        session, update(Poll).where(Poll.creator_id == who.id).values(creator_id=None)
    )
    return [
        deleted(OPEN_SEATS, seats),
        kept(NAMED_VOTES, int(named or 0)),
        kept(VOTED, int(marks or 0)),
        cleared(CREATORS, creators),
    ]


feature.person_data(
    export=export,
    erase=erase,
    covers=(Poll.creator_id, PollAudience.person_id, PollVoter.person_id, PollVote.person_id),
)
