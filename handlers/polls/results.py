"""Showing results, reminding non-voters, closing a poll (also at its deadline), the XLSX."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.xlsx import Book
from bot.deadline import label
from bot.messages import Outgoing
from bot.names import sort_by_pinyin
from bot.quiet import hold
from bot.roles import Actor
from bot.timers import JobContext
from handlers.polls import poll_close, poll_nudge
from handlers.polls import texts as t
from storage.models import Person
from storage.polls import Poll, in_audience, lock_poll, non_voters
from storage.polls_results import PollResults, named_ballots, poll_results

BAR_WIDTH = 10
# Fewer anonymous ballots than this, and the counts may give a voter away.
MIN_ANONYMOUS = 3


async def may_view(session: AsyncSession, actor: Actor, poll: Poll, chat_id: str) -> bool:
    return (
        chat_id == poll.chat_id
        or actor.may_manage(poll)
        or await in_audience(session, poll.id, actor.person_id)
    )


def counts_visible(poll: Poll, owner: bool) -> bool:
    """Whether the counts may be shown now, to an owner or to anyone else.

    An anonymous poll's never before its close, however many have voted:
    whoever watches them move as a colleague votes learns the ballot. At the
    close they are shown, with a note when fewer than MIN_ANONYMOUS voted.
    """
    closed = not poll.is_open
    if poll.visibility == "creator":
        return owner and (closed or not poll.anonymous)
    if closed:
        return True
    # An anonymous poll's counts move with each ballot: never before the close.
    if poll.anonymous:
        return False
    return poll.visibility == "live" or owner


def bar(percent: float) -> str:
    filled = round(percent / 100 * BAR_WIDTH)
    return t.BAR_FULL * filled + t.BAR_EMPTY * (BAR_WIDTH - filled)


def render(poll: Poll, res: PollResults, show_counts: bool) -> str:
    lines = [
        t.results_header(res.title, res.poll_id, res.closed),
        t.participation(res.voted, res.eligible, res.participation),
    ]
    if not show_counts:
        lines.append(t.hidden(poll.visibility, poll.anonymous))
        return "\n".join(lines)
    for item in res.items:
        if item.label:
            lines.append(f"**{item.label}**")
        for i, opt in enumerate(item.options, 1):
            lines.append(t.option_line(i, opt.label, bar(opt.percent), opt.count, opt.percent))
        if item.mean is not None:
            lines.append(t.mean_line(item.mean))
    if few_voters(res):
        lines.append(t.few_voters(res.voted, MIN_ANONYMOUS))
    return "\n".join(lines)


def few_voters(res: PollResults) -> bool:
    """Whether an anonymous poll's counts come from so few ballots that they tell."""
    return res.anonymous and 0 < res.voted < MIN_ANONYMOUS


def _direct(person: Person, text: str, key: str, *, markdown: bool = False) -> Outgoing:
    return Outgoing.direct(
        person.platform, person.platform_user_id, text, key=key, markdown=markdown
    )


async def reminders(
    session: AsyncSession, poll: Poll, now: datetime, tz: ZoneInfo, tag: str
) -> tuple[list[Outgoing], int]:
    """Nudge those who have not voted: privately for an anonymous poll, else in the group.

    The messages, and how many people they remind.
    """
    missing = await non_voters(session, poll.id)
    if not missing:
        return [], 0
    when = label(poll.deadline, now, tz)
    if poll.anonymous:
        return [
            _direct(p, t.reminder(poll.title, when), f"poll:{poll.id}:{tag}:{p.id}")
            for p in missing
        ], len(missing)
    return [
        Outgoing.group(
            poll.platform,
            poll.chat_id,
            t.group_reminder(poll.title, when, len(missing)),
            mentions=[p.platform_user_id for p in missing if p.platform == poll.platform],
            key=f"poll:{poll.id}:{tag}",
        )
    ], len(missing)


async def close(session: AsyncSession, poll: Poll, now: datetime) -> list[Outgoing]:
    """Close the poll and say so where its visibility rule allows."""
    poll.state = "closed"
    poll.closed_at = now
    await session.flush()
    await poll_close.cancel(session, poll.id)
    await poll_nudge.cancel(session, poll.id)
    res = await poll_results(session, poll.id)
    assert res is not None
    public = poll.visibility != "creator"
    outs = [
        Outgoing.group(
            poll.platform,
            poll.chat_id,
            f"{t.closed_notice(poll.title)}\n{render(poll, res, public)}",
            markdown=True,
            key=f"poll:{poll.id}:closed",
        )
    ]
    creator = await session.get(Person, poll.creator_id) if poll.creator_id else None
    if not public and creator is not None:
        outs.append(
            _direct(creator, render(poll, res, True), f"poll:{poll.id}:results", markdown=True)
        )
    return outs


@poll_close.handler
async def close_at_deadline(job: JobContext, poll_id: int) -> None:
    poll = await lock_poll(job.session, poll_id, lock=True)
    if poll is not None and poll.is_open:
        # Ballots cast just before (or before a restart) are counted first.
        await job.runtime.writes.catch_up(job.session)
        # Closed on time; the results are a push and wait out the quiet hours.
        outs = await close(job.session, poll, job.now)
        hold(outs, job.now, job.runtime.settings)
        job.out.extend(outs)


@poll_nudge.handler
async def nudge(job: JobContext, poll_id: int) -> None:
    poll = await lock_poll(job.session, poll_id, lock=False)
    if poll is not None and poll.is_open:
        outs, _ = await reminders(job.session, poll, job.now, job.tz, "nudge")
        job.out.extend(outs)


async def build_poll_export(session: AsyncSession, poll_id: int) -> bytes | None:
    """The results as XLSX; a named poll adds who chose what, an anonymous one cannot."""
    res = await poll_results(session, poll_id)
    if res is None:
        return None
    book = Book()
    sheet = book.sheet(t.EXPORT_SHEET)
    sheet.append([res.title])
    sheet.append([t.participation(res.voted, res.eligible, res.participation)])
    sheet.append(t.EXPORT_HEAD)
    for item in res.items:
        for opt in item.options:
            sheet.append([item.label or res.title, opt.label, opt.count, opt.percent / 100])
    sheet.tidy(header_row=3, percent=(t.EXPORT_HEAD[3],))
    if not res.anonymous:
        poll = await session.get(Poll, poll_id)
        assert poll is not None
        named = book.sheet(t.EXPORT_NAMED_SHEET)
        named.append(t.EXPORT_NAMED_HEAD)
        ballots = sort_by_pinyin(await named_ballots(session, poll_id), lambda b: b.name)
        for ballot in ballots:
            picks = [poll.choices[c] for c in ballot.choices]
            if poll.kind == "grade":
                picks = [f"{n}：{g}" for n, g in zip(poll.items, picks, strict=True)]
            named.append([ballot.name, ballot.user_id, "、".join(picks)])
        named.tidy()
    return book.save()
