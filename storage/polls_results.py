"""Results of a poll as plain data: what chat, export and charts all show.

results = await poll_results(session, poll_id)
results.items[0].options[2].count, results.participation
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Person
from storage.polls import Poll, PollTally, PollVote, counts


@dataclass(frozen=True)
class OptionResult:
    label: str
    count: int
    # Share of those who voted (for multiple choice the shares add up past 100%).
    percent: float


@dataclass(frozen=True)
class ItemResult:
    """One question's results: the poll's options, or one 测评 candidate's grades."""

    label: str
    options: list[OptionResult]
    # The mean on the 1–5 scale of a rating poll, else None.
    mean: float | None = None


@dataclass(frozen=True)
class PollResults:
    poll_id: int
    title: str
    kind: str
    anonymous: bool
    closed: bool
    eligible: int
    voted: int
    items: list[ItemResult]

    @property
    def participation(self) -> float:
        return 100.0 * self.voted / self.eligible if self.eligible else 0.0


@dataclass(frozen=True)
class NamedBallot:
    name: str
    user_id: str
    choices: list[int]


async def poll_results(session: AsyncSession, poll_id: int) -> PollResults | None:
    poll = await session.get(Poll, poll_id)
    if poll is None:
        return None
    eligible, voted = await counts(session, poll_id)
    grid = [[0] * len(poll.choices) for _ in poll.items]
    if poll.anonymous:
        rows = await session.execute(
            select(PollTally.item, PollTally.choice, PollTally.count).where(
                PollTally.poll_id == poll_id
            )
        )
        for item, choice, n in rows:
            grid[item][choice] = n
    else:
        for ballot in await session.scalars(select(PollVote).where(PollVote.poll_id == poll_id)):
            for item, choice in ballot_marks(poll, ballot.choices):
                grid[item][choice] += 1
    items = [
        ItemResult(
            label=label,
            options=[
                OptionResult(choice, n, 100.0 * n / voted if voted else 0.0)
                for choice, n in zip(poll.choices, row, strict=True)
            ],
            mean=_mean(row) if poll.kind == "rating" else None,
        )
        for label, row in zip(poll.items, grid, strict=True)
    ]
    return PollResults(
        poll.id, poll.title, poll.kind, poll.anonymous, not poll.is_open, eligible, voted, items
    )


def ballot_marks(poll: Poll, choices: list[int]) -> list[tuple[int, int]]:
    """A ballot's (item, choice) marks: one per candidate for a 测评, else item 0."""
    if poll.kind == "grade":
        return list(enumerate(choices))
    return [(0, c) for c in sorted(set(choices))]


def _mean(row: list[int]) -> float | None:
    total = sum(row)
    return sum((i + 1) * n for i, n in enumerate(row)) / total if total else None


async def named_ballots(session: AsyncSession, poll_id: int) -> list[NamedBallot]:
    """Who chose what in a named poll (an anonymous one has no such rows)."""
    rows = await session.execute(
        select(Person.display_name, Person.platform_user_id, PollVote.choices)
        .join(PollVote, PollVote.person_id == Person.id)
        .where(PollVote.poll_id == poll_id)
        .order_by(Person.id)
    )
    return [NamedBallot(name or uid, uid, list(choices)) for name, uid, choices in rows]
