"""Casting ballots: `投票 1,3` in a group (named polls), the private ballot flow.

Nothing here logs a choice; every message that echoes one to an anonymous
voter is sensitive (sealed in the outbox, wiped once delivered), and an
anonymous ballot is counted apart from its voter's transaction
(bot.anonymous), which only records that they voted.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from bot.context import Context
from bot.conversation import Ask, Choose, Confirm, Flow, Invalid, Step
from bot.messages import fold
from bot.numbers import whole
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
    open_in_chat,
    pending_polls,
    put_named_vote,
)
from storage.polls_results import ballot_marks

_SPLIT = re.compile(r"[,;\s]+")
# "投票 2", "投1", "选2", "选张丽", "投票 #12 2": the word, then what is chosen.
VOTE = r"我?(?P<word>投票|投|选)[\s:]*(?P<rest>.*)"
# "投第1个", "投一", "选第二项": a choice by its place, in figures or in words.
_PLACE = re.compile(r"第?(\d+|[一二两三四五六七八九十]|十[一二三四五六七八九])(?:个|项|号)?")
_NUMERALS = "一二三四五六七八九十"
HOW_TO = r"(?:请问)?(?:怎么|怎样|如何)(?:投票|投)(?:呢|啊)?[?]*"
_POLL_REF = re.compile(r"#([0-9]{1,9})\s*(.*)", re.DOTALL)


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
    # The same before the poll is known (several open): read once it is chosen.
    given: str = ""
    pick: str = ""
    picks: list[int] = []
    grades: list[str | None] = []
    confirm: bool | None = None
    # The poll and its choices came in one answer ("投票 #2 1"): counted at once,
    # as that line would be on its own in a group.
    at_once: bool = False

    def chosen_poll(self) -> PollInfo | None:
        if self.poll is not None:
            return self.poll
        return next((p for p in self.pending if str(p.id) == self.which), None)


def _number(p: PollInfo, word: str) -> int | None:
    """A choice by its number or its words ("2", "张丽"), 1-based; None when neither."""
    if (n := whole(word)) is not None:
        return n
    labels = [fold(c).lower() for c in p.choices]
    word = word.lower()
    if word in labels:
        return labels.index(word) + 1
    return _place(word)


def _place(word: str) -> int | None:
    """ "第2个", "二", "第十一项" → its number."""
    place = _PLACE.fullmatch(word)
    if place is None:
        return None
    figure = place[1].replace("两", "二")
    if figure.isdigit():
        return int(figure)
    if len(figure) == 2:
        return 10 + _NUMERALS.index(figure[1]) + 1
    return _NUMERALS.index(figure) + 1


def parse_choices(p: PollInfo, text: str) -> list[int]:
    """`1,3` or `张丽、王五` into 0-based choice indexes, checked against the poll's rules."""
    words = [w for w in _SPLIT.split(text) if w]
    found = [_number(p, w) for w in words]
    numbers = [n for n in found if n is not None]
    if not words or len(numbers) < len(found):
        raise Invalid(t.NEED_A_NUMBER)
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


def _given(data: Ballot, p: PollInfo) -> list[int] | None:
    """The choices typed with the word, if they fit the chosen poll."""
    if data.preset is not None:
        return data.preset
    if not data.given:
        return None
    try:
        return parse_choices(p, data.given)
    except Invalid:
        return None


class Pick(Choose):
    """A choice, also when typed with the word that asks for it ("投票 2", "选张丽").

    What is no choice at all ("签到", "请假 出差") goes to its keyword first.
    """

    async def declines(self, ctx: Context, text: str, data: Any) -> bool:
        try:
            await self.take(ctx, text, data.model_copy(deep=True))
        except Invalid:
            return True
        return False

    async def take(self, ctx: Context, text: str, data: Any) -> tuple[bool, Any]:
        found = re.fullmatch(VOTE, text)
        said = found["rest"] if found else text
        place = _place(said)
        labels = [label.lower() for label in self.choices(data).values()]
        if place is not None and said.lower() not in labels:
            said = str(place)
        return await super().take(ctx, said, data)


_WHICH_REF = re.compile(r"#?(\d+)\s*(.*)", re.DOTALL)


class WhichPoll(Pick):
    """Which of several polls: by its #编号, as it was announced, or its title.

    "#2 1,4" (or "投票 #2 1,4") names the poll and the choices in one answer.
    """

    def render(self, ctx: Context, data: Any) -> str:
        lines = [_which_prompt(ctx, data)]
        lines += [f"#{p.id} {p.title}" for p in data.pending]
        return "\n".join(lines)

    def taps(self, data: Any) -> list[tuple[str, str]]:
        return [(f"#{p.id} {p.title}", f"#{p.id}") for p in data.pending]

    async def take(self, ctx: Context, text: str, data: Any) -> tuple[bool, Any]:
        found = re.fullmatch(VOTE, text)
        said = found["rest"].strip() if found else text
        ref = _WHICH_REF.fullmatch(said)
        poll = next((p for p in data.pending if ref and str(p.id) == ref[1]), None)
        if ref is None or poll is None:
            titles = {fold(p.title).lower(): p for p in data.pending}
            poll = titles.get(fold(said).lower())
            if poll is None:
                raise Invalid(t.WHICH_HINT)
            return True, str(poll.id)
        rest = ref[2].strip()
        if rest:
            data.given = rest
            data.at_once = ctx.in_group and _fits(poll, rest)
        return True, str(poll.id)


def _steps(data: Ballot) -> list[Step]:
    steps: list[Step] = [
        WhichPoll("which", _which_prompt, _which_options, when=lambda d: bool(d.pending))
    ]
    p = data.chosen_poll()
    if p is None:
        return steps
    if _given(data, p) is None:
        if p.kind == "grade":
            n = len(p.items)
            steps += [
                Pick("grades", t.ask_grade(i + 1, n, name), p.options(), index=i)
                for i, name in enumerate(p.items)
            ]
        elif p.kind == "multi":
            steps.append(Ask("picks", t.ask_multi(p.choices, p.max), parse=_multi))
        else:
            prompt = t.ASK_RATING if p.kind == "rating" else t.ASK_SINGLE
            steps.append(Pick("pick", prompt, p.options()))
    if not data.at_once:
        steps.append(Confirm("confirm", _summary))
    return steps


def chosen(data: Ballot) -> list[int]:
    p = data.chosen_poll()
    assert p is not None
    given = _given(data, p)
    if given is not None:
        return list(given)
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


@feature.phrase(VOTE)
async def vote_phrase(ctx: Context, found: re.Match[str]) -> bool:
    """`投票`, `投票 1,3`, `投1`, `选张丽`, `投票 #12 2`: in a group for its open named
    polls, in direct chat for any the sender may answer.

    `投` and `选` are short words of everyday speech: they are taken only when
    what follows reads as a choice of a poll that is open for the sender.
    """
    strict = found["word"] == "投票"
    rest = found["rest"].strip()
    if not strict and not rest:
        return False
    if ctx.in_group:
        return await _in_group(ctx, rest, strict)
    return await _in_direct(ctx, rest, strict)


@feature.phrase(HOW_TO)
async def how_to_vote(ctx: Context, found: re.Match[str]) -> bool:
    ctx.reply(t.HOW_TO_VOTE)
    return True


def _poll_ref(rest: str) -> tuple[int | None, str]:
    """ "#12 2" → (12, "2")."""
    found = _POLL_REF.fullmatch(rest)
    return (int(found[1]), found[2].strip()) if found else (None, rest)


def _fits(p: PollInfo, rest: str) -> bool:
    try:
        parse_choices(p, rest)
    except Invalid:
        return False
    return True


async def _in_group(ctx: Context, rest: str, strict: bool) -> bool:
    ref, rest = _poll_ref(rest)
    polls = await open_in_chat(ctx.session, ctx.platform, ctx.chat_id)
    if ref is not None:
        polls = [p for p in polls if p.id == ref]
    last = await latest_in_chat(ctx.session, ctx.platform, ctx.chat_id, open_only=False)
    # "投1" just after the close is a late vote, and is told so.
    candidates = polls or ([last] if last is not None else [])
    if not strict and not any(_fits(PollInfo.of(p), rest) for p in candidates):
        return False
    if not polls:
        if ref is not None:
            ctx.reply(t.NO_POLL)
        else:
            ctx.reply(t.closed(last.title) if last is not None else t.NO_OPEN_POLL)
        return True
    named = [p for p in polls if not p.anonymous]
    if not named:
        # Whatever followed 投票 is not read: it must not be stored as a vote.
        ctx.reply(t.anon_in_group(polls[0].title))
        return True
    if len(polls) > 1:
        # Never counted toward the newest by guess: which one is asked first.
        note = t.ANON_ELSEWHERE if len(named) < len(polls) else ""
        if note:
            ctx.reply(note)
        pending = [PollInfo.of(p) for p in named]
        await ctx.start(ballot, Ballot(pending=pending, given=rest))
        return True
    poll = named[0]
    problem = await refusal(ctx, poll)
    if problem is not None:
        ctx.reply(problem)
        return True
    if not rest:
        await ctx.start(ballot, Ballot(poll=PollInfo.of(poll)))
        return True
    try:
        choices = parse_choices(PollInfo.of(poll), rest)
    except Invalid as bad:
        ctx.reply(bad.hint)
        return True
    await cast(ctx, poll.id, choices)
    return True


async def _in_direct(ctx: Context, rest: str, strict: bool) -> bool:
    ref, rest = _poll_ref(rest)
    pending = await pending_polls(ctx.session, ctx.actor.person_id, ctx.now)
    if ref is not None:
        pending = [p for p in pending if p.id == ref]
    if not strict and not any(_fits(PollInfo.of(p), rest) for p in pending):
        return False
    if not pending:
        await _nothing_pending(ctx)
        return True
    if len(pending) > 1:
        await ctx.start(ballot, Ballot(pending=[PollInfo.of(p) for p in pending], given=rest))
        return True
    p = PollInfo.of(pending[0])
    data = Ballot(poll=p)
    if rest:
        try:
            data.preset = parse_choices(p, rest)
        except Invalid as bad:
            ctx.reply(bad.hint, sensitive=True)
            return True
    await ctx.start(ballot, data)
    return True


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
