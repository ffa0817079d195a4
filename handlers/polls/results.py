"""Showing results, reminding non-voters, closing a poll, exporting it to XLSX."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import Outgoing
from bot.roles import Actor
from bot.timers import cancel_timers
from handlers.polls import texts as t
from schedules.timeparse import When, format_when
from storage.models import Person
from storage.polls import Poll, in_audience, non_voters
from storage.polls_results import PollResults, named_ballots, poll_results

BAR_WIDTH = 10


def is_owner(actor: Actor, poll: Poll) -> bool:
    """The creator, an admin, or a secretary of the poll's unit."""
    if actor.person_id == poll.creator_id or actor.is_admin:
        return True
    return poll.unit_id is not None and poll.unit_id in actor.secretary_units


async def may_view(session: AsyncSession, actor: Actor, poll: Poll, chat_id: str) -> bool:
    return (
        chat_id == poll.chat_id
        or is_owner(actor, poll)
        or await in_audience(session, poll.id, actor.person_id)
    )


def counts_visible(poll: Poll, owner: bool) -> bool:
    """Whether the counts may be shown now, to an owner or to anyone else."""
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
    return "\n".join(lines)


def deadline_label(poll: Poll, tz: ZoneInfo, now: datetime) -> str:
    return format_when(When(poll.deadline.astimezone(tz), True), now.astimezone(tz))


def _direct(person: Person, text: str, key: str, *, markdown: bool = False) -> Outgoing:
    return Outgoing(
        platform=person.platform,
        chat_type="direct",
        chat_id=person.platform_user_id,
        text=text,
        key=key,
        markdown=markdown,
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
    label = deadline_label(poll, tz, now)
    if poll.anonymous:
        return [
            _direct(p, t.reminder(poll.title, label), f"poll:{poll.id}:{tag}:{p.id}")
            for p in missing
        ], len(missing)
    return [
        Outgoing(
            platform=poll.platform,
            chat_type="group",
            chat_id=poll.chat_id,
            text=t.group_reminder(poll.title, label, len(missing)),
            mentions=[p.platform_user_id for p in missing if p.platform == poll.platform],
            key=f"poll:{poll.id}:{tag}",
        )
    ], len(missing)


async def close(session: AsyncSession, poll: Poll, now: datetime) -> list[Outgoing]:
    """Close the poll and say so where its visibility rule allows."""
    poll.state = "closed"
    poll.closed_at = now
    await session.flush()
    await cancel_timers(session, "poll.close", str(poll.id))
    await cancel_timers(session, "poll.nudge", str(poll.id))
    res = await poll_results(session, poll.id)
    assert res is not None
    public = poll.visibility != "creator"
    outs = [
        Outgoing(
            platform=poll.platform,
            chat_type="group",
            chat_id=poll.chat_id,
            text=f"{t.closed_notice(poll.title)}\n{render(poll, res, public)}",
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


async def build_poll_export(session: AsyncSession, poll_id: int) -> bytes | None:
    """The results as XLSX; a named poll adds who chose what, an anonymous one cannot."""
    res = await poll_results(session, poll_id)
    if res is None:
        return None
    book = Workbook()
    sheet = book.active
    sheet.title = t.EXPORT_SHEET
    sheet.append([res.title])
    sheet.append([t.participation(res.voted, res.eligible, res.participation)])
    sheet.append(t.EXPORT_HEAD)
    for item in res.items:
        for opt in item.options:
            sheet.append([item.label or res.title, opt.label, opt.count, round(opt.percent, 1)])
    if not res.anonymous:
        poll = await session.get(Poll, poll_id)
        assert poll is not None
        named = book.create_sheet(t.EXPORT_NAMED_SHEET)
        named.append(t.EXPORT_NAMED_HEAD)
        for ballot in await named_ballots(session, poll_id):
            picks = [poll.choices[c] for c in ballot.choices]
            if poll.kind == "grade":
                picks = [f"{n}：{g}" for n, g in zip(poll.items, picks, strict=True)]
            named.append([ballot.name, ballot.user_id, "、".join(picks)])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
