"""Casting ballots: `投票 1,3` in a group (named polls), the private ballot flow.

Nothing here logs a choice, and every message that echoes one to an
anonymous voter is sensitive (wiped from the outbox once delivered).
"""

from __future__ import annotations

import re
from typing import Any

from bot.context import Context
from bot.conversation import Ask, Choose, Confirm, Data, Flow, Invalid, Step
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

FLOW = "poll.ballot"
_SPLIT = re.compile(r"[,;\s]+")


def info(poll: Poll) -> dict[str, Any]:
    """What the ballot flow needs to ask, kept in its (temporary) state."""
    return {
        "id": poll.id,
        "title": poll.title,
        "kind": poll.kind,
        "anon": poll.anonymous,
        "items": poll.items,
        "choices": poll.choices,
        "max": poll.max_choices,
    }


def parse_choices(p: dict[str, Any], text: str) -> list[int]:
    """`1,3` into 0-based choice indexes, checked against the poll's rules."""
    words = [w for w in _SPLIT.split(text) if w]
    if not words or not all(w.isdigit() for w in words):
        raise Invalid(t.NEED_A_NUMBER)
    numbers = [int(w) for w in words]
    n = len(p["choices"])
    if p["kind"] == "grade":
        if len(numbers) != len(p["items"]):
            raise Invalid(t.grade_count_hint(len(p["items"])))
    elif len(numbers) != len(set(numbers)):
        raise Invalid(t.DUPLICATE_CHOICE)
    elif len(numbers) > (p["max"] if p["kind"] == "multi" else 1):
        raise Invalid(t.too_many_choices(p["max"] if p["kind"] == "multi" else 1))
    if any(not 1 <= k <= n for k in numbers):
        raise Invalid(t.out_of_range(n))
    return [k - 1 for k in numbers]


def _which_prompt(ctx: Context, data: Data) -> str:
    lines = [f"{i}. {p['title']}" for i, p in enumerate(data["pending"], 1)]
    return "\n".join([t.ASK_WHICH, *lines])


def _which(ctx: Context, text: str, data: Data) -> dict[str, Any]:
    pending: list[dict[str, Any]] = data["pending"]
    if not text.isdigit() or not 1 <= int(text) <= len(pending):
        raise Invalid(t.which_hint(len(pending)))
    return pending[int(text) - 1]


def _poll(data: Data) -> dict[str, Any] | None:
    chosen: dict[str, Any] | None = data.get("poll") or data.get("which")
    return chosen


def _multi(ctx: Context, text: str, data: Data) -> list[int]:
    p = _poll(data)
    assert p is not None
    return parse_choices(p, text)


def _steps(data: Data) -> list[Step]:
    steps: list[Step] = [Ask("which", _which_prompt, parse=_which, when=lambda d: "pending" in d)]
    p = _poll(data)
    if p is None:
        return steps
    if "preset" not in data:
        if p["kind"] == "grade":
            n = len(p["items"])
            steps += [
                Choose(f"g{i}", t.ask_grade(i + 1, n, name), p["choices"])
                for i, name in enumerate(p["items"])
            ]
        elif p["kind"] == "multi":
            steps.append(Ask("pick", t.ask_multi(p["choices"], p["max"]), parse=_multi))
        else:
            prompt = t.ASK_RATING if p["kind"] == "rating" else t.ASK_SINGLE
            steps.append(Choose("pick", prompt, p["choices"]))
    steps.append(Confirm("confirm", _summary))
    return steps


def chosen(data: Data) -> list[int]:
    p = _poll(data)
    assert p is not None
    if "preset" in data:
        return list(data["preset"])
    if p["kind"] == "grade":
        return [p["choices"].index(data[f"g{i}"]) for i in range(len(p["items"]))]
    if p["kind"] == "multi":
        return list(data["pick"])
    return [p["choices"].index(data["pick"])]


def describe(p: dict[str, Any], choices: list[int]) -> list[str]:
    if p["kind"] == "grade":
        return [f"{name}：{p['choices'][c]}" for name, c in zip(p["items"], choices, strict=True)]
    return [p["choices"][c] for c in choices]


def _summary(ctx: Context, data: Data) -> str:
    p = _poll(data)
    assert p is not None
    return t.confirm_ballot(describe(p, chosen(data)), p["anon"])


async def _done(ctx: Context, data: Data) -> None:
    p = _poll(data)
    assert p is not None
    await cast(ctx, p["id"], chosen(data))


ballot = Flow(FLOW, t.FLOW_BALLOT, steps=_steps, on_done=_done, sensitive=True)


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
        await add_anonymous_ballot(ctx.session, poll.id, ballot_marks(poll, choices))
        ctx.reply(t.VOTE_SAVED_ANON, sensitive=True)
        return
    changed = await put_named_vote(ctx.session, poll.id, person, choices)
    summary = "、".join(describe(info(poll), choices))
    ctx.reply(t.vote_saved_named(poll.title, summary, changed))


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
        await ctx.runtime.router.conversations.start(ctx, FLOW, {"poll": info(poll)})
        return
    try:
        choices = parse_choices(info(poll), rest)
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
        data: Data = {"pending": [info(p) for p in pending]}
        await ctx.runtime.router.conversations.start(ctx, FLOW, data)
        return
    p = info(pending[0])
    data = {"poll": p}
    if rest:
        try:
            data["preset"] = parse_choices(p, rest)
        except Invalid as bad:
            ctx.reply(bad.hint, sensitive=True)
            return
    await ctx.runtime.router.conversations.start(ctx, FLOW, data)


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
