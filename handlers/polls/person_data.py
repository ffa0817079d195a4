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
from handlers.polls import texts as t
from storage.polls import Poll, PollAudience, PollVote, PollVoter


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
        choice: list[str] | str = t.ANON_CHOICE if poll.anonymous else []
        if poll.id in ballots:
            choice = _picks(poll, ballots[poll.id])
        rows.append(
            {
                t.K_TITLE: poll.title,
                t.K_KIND: t.KIND_NAMES.get(poll.kind, poll.kind),
                t.K_WAY: t.ANON if poll.anonymous else t.NAMED,
                t.K_DEADLINE: poll.deadline,
                t.K_VOTED: poll.id in voted,
                t.K_CHOICE: choice,
            }
        )
    created = await session.scalars(
        select(Poll).where(Poll.creator_id == who.id).order_by(Poll.created_at)
    )
    return [
        Section(t.POLLS, rows, t.POLLS_NOTE),
        Section(t.CREATED, [{t.K_TITLE: p.title, t.K_CREATED_AT: p.created_at} for p in created]),
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
        deleted(t.OPEN_SEATS, seats),
        kept(t.NAMED_VOTES, int(named or 0)),
        kept(t.VOTE_MARKS, int(marks or 0)),
        cleared(t.CREATORS, creators),
    ]


feature.person_data(
    export=export,
    erase=erase,
    covers=(Poll.creator_id, PollAudience.person_id, PollVoter.person_id, PollVote.person_id),
)
