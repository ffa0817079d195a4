"""The console's home page: what the visitor's units need now, on a phone first.

- this month's and this quarter's 三会一课 (bot.standing, as 督导 counts them):
  per unit for a secretary, as counts of units for the bureau;
- open polls and calls for feedback, with participation and deadlines;
- the platforms' set-up problems and failed deliveries (admins; the
  deliveries page lists them);
- the next reminders the bot will send.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.view import ConsoleView
from bot.numbers import whole
from bot.roles import Actor
from bot.standing import Standing, standings
from handlers.workbench import feature
from handlers.workbench import texts as t
from schedules.lianzheng_texts import day_label
from storage.feedback import FeedbackCall, answered_of, calls_of
from storage.messaging import OutboxMessage
from storage.models import ChatGroup, Unit
from storage.polls import counts_of, polls_of
from storage.reminders import CalendarSubscription, Meeting
from storage.schedule import PENDING, Firing
from storage.supervision import Cadence, cadences, month_counts

# Units shown one by one; past this many, counted per kind.
UNIT_CARDS = 3
OPEN_LISTED = 50
REMINDER_DAYS = 30
REMINDERS_SHOWN = 6


@dataclass
class KindSummary:
    """One cadence across many units: how many held it this period, owe it, or are behind."""

    cadence: Cadence
    label: str
    held: int
    due: int
    behind: int


@dataclass
class Reminder:
    due_at: datetime
    kind: str
    title: str
    event_at: datetime


async def _units(session: AsyncSession, actor: Actor) -> list[tuple[int, str]]:
    stmt = select(Unit.id, Unit.name).order_by(Unit.name)
    if actor.scope is not None:
        stmt = stmt.where(Unit.id.in_(actor.scope))
    else:
        stmt = stmt.where(Unit.kind != "school")
    return [(uid, name) for uid, name in await session.execute(stmt)]


def _summaries(rows: list[Standing], kinds: list[Cadence]) -> list[KindSummary]:
    out = []
    for i, kind in enumerate(kinds):
        cells = [r.cells[i] for r in rows]
        out.append(
            KindSummary(
                kind,
                cells[0].current.label if cells else "",
                sum(1 for c in cells if c.status == "held"),
                sum(1 for c in cells if c.status != "held"),
                sum(1 for c in cells if c.missed),
            )
        )
    return out


async def _reminders(session: AsyncSession, actor: Actor, now: datetime) -> list[Reminder]:
    """The next meeting and 廉政 reminders going to the visitor's units' groups."""
    rows = list(
        await session.scalars(
            select(Firing)
            .where(
                Firing.state == PENDING,
                Firing.due_at >= now,
                Firing.due_at <= now + timedelta(days=REMINDER_DAYS),
                Firing.source.like("meeting:%") | Firing.source.like("lianzheng:%"),
            )
            .order_by(Firing.due_at, Firing.id)
            .limit(200)
        )
    )
    meeting_ids = {n for f in rows if f.kind == "meeting" and (n := whole(f.ref)) is not None}
    meetings = {
        m.id: m for m in await session.scalars(select(Meeting).where(Meeting.id.in_(meeting_ids)))
    }
    # The 廉政 calendar goes to subscribed groups: a secretary's, if one of theirs is.
    subscribed = actor.scope is None or bool(
        await session.scalar(
            select(func.count())
            .select_from(CalendarSubscription)
            .join(
                ChatGroup,
                (ChatGroup.platform == CalendarSubscription.platform)
                & (ChatGroup.chat_id == CalendarSubscription.chat_id),
            )
            .where(ChatGroup.unit_id.in_(actor.scope))
        )
    )
    found: list[Reminder] = []
    for f in rows:
        if f.kind == "meeting":
            m = meetings.get(n) if (n := whole(f.ref)) is not None else None
            if m is None or (actor.scope is not None and m.unit_id not in actor.scope):
                continue
            kind = "start" if f.offset_minutes == 0 else "meeting"
            found.append(Reminder(f.due_at, kind, m.title, f.event_at))
        elif subscribed:
            found.append(Reminder(f.due_at, "lianzheng", str(f.data.get("title", "")), f.event_at))
        if len(found) >= REMINDERS_SHOWN:
            break
    return found


@feature.page("", t.TITLE, menu=False)
async def home(view: ConsoleView) -> web.StreamResponse:
    session, actor = view.session, view.actor
    now = view.now.astimezone(view.tz)
    today: date = now.date()
    kinds = [k for k in await cadences(session) if k.period in ("month", "quarter")]
    units = await _units(session, actor)
    scope = None if actor.scope is None else {uid for uid, _ in units}
    counts = await month_counts(session, scope, today.year, kinds, cast(ZoneInfo, now.tzinfo))
    rows = standings(units, kinds, counts, today.year, today)
    polls = [
        p for p in await polls_of(session, actor.scope, actor.person_id, OPEN_LISTED) if p.is_open
    ]
    poll_counts = await counts_of(session, [p.id for p in polls])
    calls: list[FeedbackCall] = [
        c
        for c in await calls_of(session, actor.scope, actor.person_id, OPEN_LISTED)
        if c.state == "open"
    ]
    answered = await answered_of(session, [c.id for c in calls])
    failed = (
        await session.scalar(select(func.count()).where(OutboxMessage.state == "failed"))
        if actor.is_admin
        else None
    )
    return view.render(
        "home.html",
        title=t.TITLE,
        t=t,
        units=units,
        rows=rows if len(rows) <= UNIT_CARDS else [],
        summaries=_summaries(rows, kinds) if len(rows) > UNIT_CARDS else [],
        polls=[(p, *poll_counts[p.id]) for p in sorted(polls, key=lambda p: p.deadline)],
        calls=[(c, *answered[c.id]) for c in sorted(calls, key=lambda c: c.deadline)],
        failed=failed,
        problems=view.runtime.problems() if actor.is_admin else [],
        reminders=await _reminders(session, actor, view.now),
        last_day=lambda p: day_label(p.end - timedelta(days=1), today.year),
    )
