"""Casting ballots: `投票 1,3` in a group (named polls), the private ballot flow.

Nothing here logs a choice; every message that echoes one to an anonymous
voter is sensitive (sealed in the outbox, wiped once delivered), and an
anonymous ballot is counted apart from its voter's transaction
(bot.anonymous), which only records that they voted.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from bot.context import Context
from bot.conversation import Ask, Choose, Confirm, Flow, Invalid, Step
from bot.timers import JobContext
from handlers.polls import feature
from handlers.polls import texts as t
from storage.polls import (
    Poll,
    add_anonymous_ballot,
    has_voted,
    in_audience,
    latest_for_person,
    latest_in_chat,
    lock_poll,
    mark_voted,
    pending_polls,
    put_named_vote,
)
from storage.polls_results import ballot_marks

_SPLIT = re.compile(r"[,;\s]+")


class PollInfo(BaseModel):
    """What the ballot flow needs to ask, kept in its (temporary) state."""

    id: int
    title: str
    kind: str
    anon: bool
    items: list[str]
    choices: list[str]
    max: int

    @classmethod
    def of(cls, poll: Poll) -> PollInfo:
        return cls(
            id=poll.id,
            title=poll.title,
            kind=poll.kind,
            anon=poll.anonymous,
            items=poll.items,
            choices=poll.choices,
            max=poll.max_choices,
        )

    def options(self) -> dict[str, str]:
        """Choices by a 1-based code, so "1" is the first by number and by code alike."""
        return {str(i): c for i, c in enumerate(self.choices, 1)}


class Ballot(BaseModel):
    # Several polls waiting: which one (its id).
    pending: list[PollInfo] = []
    which: str = ""
    poll: PollInfo | None = None
    # Choices given with the word that started the ballot ("投票 2").
    preset: list[int] | None = None
    pick: str = ""
    picks: list[int] = []
    grades: list[str | None] = []
    confirm: bool | None = None

    def chosen_poll(self) -> PollInfo | None:
        if self.poll is not None:
            return self.poll
        return next((p for p in self.pending if str(p.id) == self.which), None)


def parse_choices(p: PollInfo, text: str) -> list[int]:
    """`1,3` into 0-based choice indexes, checked against the poll's rules."""
    words = [w for w in _SPLIT.split(text) if w]
    if not words or not all(w.isdigit() for w in words):
        raise Invalid(t.NEED_A_NUMBER)
    numbers = [int(w) for w in words]
    n = len(p.choices)
    if p.kind == "grade":
        if len(numbers) != len(p.items):
            raise Invalid(t.grade_count_hint(len(p.items)))
    elif len(numbers) != len(set(numbers)):
        raise Invalid(t.DUPLICATE_CHOICE)
    elif len(numbers) > (p.max if p.kind == "multi" else 1):
        raise Invalid(t.too_many_choices(p.max if p.kind == "multi" else 1))
    if any(not 1 <= k <= n for k in numbers):
        raise Invalid(t.out_of_range(n))
    return [k - 1 for k in numbers]


def _which_prompt(ctx: Context, data: Ballot) -> str:
    return t.ASK_WHICH


def _which_options(data: Ballot) -> dict[str, str]:
    return {str(p.id): p.title for p in data.pending}


def _multi(ctx: Context, text: str, data: Ballot) -> list[int]:
    p = data.chosen_poll()
    assert p is not None
    return parse_choices(p, text)


def _steps(data: Ballot) -> list[Step]:
    steps: list[Step] = [
        Choose("which", _which_prompt, _which_options, when=lambda d: bool(d.pending))
    ]
    p = data.chosen_poll()
    if p is None:
        return steps
    if data.preset is None:
        if p.kind == "grade":
            n = len(p.items)
            steps += [
                Choose("grades", t.ask_grade(i + 1, n, name), p.options(), index=i)
                for i, name in enumerate(p.items)
            ]
        elif p.kind == "multi":
            steps.append(Ask("picks", t.ask_multi(p.choices, p.max), parse=_multi))
        else:
            prompt = t.ASK_RATING if p.kind == "rating" else t.ASK_SINGLE
            steps.append(Choose("pick", prompt, p.options()))
    steps.append(Confirm("confirm", _summary))
    return steps


def chosen(data: Ballot) -> list[int]:
    p = data.chosen_poll()
    assert p is not None
    if data.preset is not None:
        return list(data.preset)
    if p.kind == "grade":
        return [int(code) - 1 for code in data.grades if code is not None]
    if p.kind == "multi":
        return list(data.picks)
    return [int(data.pick) - 1]


def describe(p: PollInfo, choices: list[int]) -> list[str]:
    if p.kind == "grade":
        return [f"{name}：{p.choices[c]}" for name, c in zip(p.items, choices, strict=True)]
    return [p.choices[c] for c in choices]


def _summary(ctx: Context, data: Ballot) -> str:
    p = data.chosen_poll()
    assert p is not None
    return t.confirm_ballot(describe(p, chosen(data)), p.anon)


async def _done(ctx: Context, data: Ballot) -> None:
    p = data.chosen_poll()
    assert p is not None
    await cast(ctx, p.id, chosen(data))


ballot = feature.flow(
    Flow("poll.ballot", t.FLOW_BALLOT, Ballot, steps=_steps, on_done=_done, sensitive=True)
)


class AnonymousBallot(BaseModel):
    poll_id: int
    # (item, choice) marks, as storage.polls_results.ballot_marks gives them.
    marks: list[tuple[int, int]]


anonymous_ballot = feature.anonymous("polls.ballot", AnonymousBallot)


@anonymous_ballot.writer
async def count_ballot(job: JobContext, ballot: AnonymousBallot) -> None:
    await add_anonymous_ballot(job.session, ballot.poll_id, ballot.marks)


async def refusal(ctx: Context, poll: Poll) -> str | None:
    """Why this person may not vote in this poll now, or None."""
    if not poll.is_open or poll.deadline <= ctx.now:
        return t.closed(poll.title)
    if not await in_audience(ctx.session, poll.id, ctx.actor.person_id):
        return t.not_in_audience(poll.title)
    if poll.anonymous and await has_voted(ctx.session, poll.id, ctx.actor.person_id):
        return t.already_voted(poll.title)
    return None


async def cast(ctx: Context, poll_id: int, choices: list[int]) -> None:
    """Record a ballot; the poll row is locked so a close cannot slip in between."""
    poll = await lock_poll(ctx.session, poll_id, lock=True)
    if poll is None:
        ctx.reply(t.NO_POLL)
        return
    problem = await refusal(ctx, poll)
    if problem is not None:
        ctx.reply(problem, sensitive=poll.anonymous)
        return
    person = ctx.actor.person_id
    if poll.anonymous:
        # The key decides: of two ballots sent at once, one finds the row taken.
        if not await mark_voted(ctx.session, poll.id, person):
            ctx.reply(t.already_voted(poll.title), sensitive=True)
            return
        marks = ballot_marks(poll, choices)
        await anonymous_ballot.submit(ctx, AnonymousBallot(poll_id=poll.id, marks=marks))
        ctx.reply(t.VOTE_SAVED_ANON, sensitive=True)
        return
    changed = await put_named_vote(ctx.session, poll.id, person, choices)
    summary = "、".join(describe(PollInfo.of(poll), choices))
    ctx.reply(t.vote_saved_named(poll.title, summary, changed))


@feature.keyword("投票")
async def vote_keyword(ctx: Context, rest: str) -> bool:
    """`投票` and `投票 1,3`: in a group for its open named poll, in direct chat for any."""
    if ctx.in_group:
        await _in_group(ctx, rest)
    else:
        await _in_direct(ctx, rest)
    return True


async def _in_group(ctx: Context, rest: str) -> None:
    poll = await latest_in_chat(ctx.session, ctx.platform, ctx.chat_id, open_only=True)
    if poll is None:
        last = await latest_in_chat(ctx.session, ctx.platform, ctx.chat_id, open_only=False)
        ctx.reply(t.closed(last.title) if last is not None else t.NO_OPEN_POLL)
        return
    if poll.anonymous:
        # Whatever followed 投票 is not read: it must not be stored as a vote.
        ctx.reply(t.anon_in_group(poll.title))
        return
    problem = await refusal(ctx, poll)
    if problem is not None:
        ctx.reply(problem)
        return
    if not rest:
        await ctx.start(ballot, Ballot(poll=PollInfo.of(poll)))
        return
    try:
        choices = parse_choices(PollInfo.of(poll), rest)
    except Invalid as bad:
        ctx.reply(bad.hint)
        return
    await cast(ctx, poll.id, choices)


async def _in_direct(ctx: Context, rest: str) -> None:
    pending = await pending_polls(ctx.session, ctx.actor.person_id, ctx.now)
    if not pending:
        await _nothing_pending(ctx)
        return
    if len(pending) > 1:
        await ctx.start(ballot, Ballot(pending=[PollInfo.of(p) for p in pending]))
        return
    p = PollInfo.of(pending[0])
    data = Ballot(poll=p)
    if rest:
        try:
            data.preset = parse_choices(p, rest)
        except Invalid as bad:
            ctx.reply(bad.hint, sensitive=True)
            return
    await ctx.start(ballot, data)


async def _nothing_pending(ctx: Context) -> None:
    last = await latest_for_person(ctx.session, ctx.actor.person_id)
    if (
        last is not None
        and last.anonymous
        and last.is_open
        and await has_voted(ctx.session, last.id, ctx.actor.person_id)
    ):
        ctx.reply(t.already_voted(last.title), sensitive=True)
        return
    if last is not None and (not last.is_open or last.deadline <= ctx.now):
        ctx.reply(t.closed(last.title))
        return
    ctx.reply(t.NOTHING_PENDING)
