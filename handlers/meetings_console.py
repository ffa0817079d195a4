"""The console's reminders page: per group, what the next 60 days will send.

It reads the planned rows (`reminder_occurrences`), the same rows the
dispatcher fires, so the page shows what will really go out: a meeting's
reminders go to its target groups, the 廉政 calendar to subscribed groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.view import ConsoleView
from bot.feature import Feature
from bot.roles import Actor
from handlers import meetings_console_texts as t
from handlers.reminders import HORIZON
from storage.models import ChatGroup, Unit
from storage.reminders import CalendarSubscription, Meeting, ReminderOccurrence

feature = Feature("meetings_console")


@dataclass(frozen=True)
class Entry:
    due_at: datetime
    kind: str
    title: str
    event_at: datetime


async def _groups(session: AsyncSession, actor: Actor) -> list[tuple[ChatGroup, str]]:
    stmt = (
        select(ChatGroup, Unit.name)
        .outerjoin(Unit, Unit.id == ChatGroup.unit_id)
        .order_by(ChatGroup.unit_id, ChatGroup.id)
    )
    if not actor.is_admin:
        stmt = stmt.where(ChatGroup.unit_id.in_(actor.secretary_units))
    return [(g, unit or "") for g, unit in await session.execute(stmt)]


async def _coming(session: AsyncSession, now: datetime) -> list[ReminderOccurrence]:
    rows = await session.scalars(
        select(ReminderOccurrence)
        .where(
            ReminderOccurrence.state == "pending",
            ReminderOccurrence.due_at >= now,
            ReminderOccurrence.due_at <= now + HORIZON,
        )
        .order_by(ReminderOccurrence.due_at, ReminderOccurrence.id)
    )
    return [o for o in rows if o.kind in ("meeting", "lianzheng")]


async def schedule(
    session: AsyncSession, actor: Actor, now: datetime
) -> list[tuple[ChatGroup, str, list[Entry]]]:
    """Each group the viewer may see, with its coming reminders in order."""
    groups = await _groups(session, actor)
    coming = await _coming(session, now)
    meeting_ids = {int(o.ref) for o in coming if o.kind == "meeting"}
    meetings = {
        m.id: m for m in await session.scalars(select(Meeting).where(Meeting.id.in_(meeting_ids)))
    }
    subscribed = {
        (s.platform, s.chat_id) for s in await session.scalars(select(CalendarSubscription))
    }
    out = []
    for group, unit in groups:
        target = f"{group.platform}:{group.chat_id}"
        entries = []
        for o in coming:
            if o.kind == "meeting":
                m = meetings.get(int(o.ref))
                if m is not None and target in m.targets:
                    kind = t.BEFORE if o.offset_minutes else t.START
                    entries.append(Entry(o.due_at, kind, m.title, o.event_at))
            elif (group.platform, group.chat_id) in subscribed:
                note = t.ESTIMATED if o.data.get("estimated") else ""
                title = str(o.data.get("title", "")) + note
                entries.append(Entry(o.due_at, t.LIANZHENG, title, o.event_at))
        out.append((group, unit, entries))
    return out


@feature.page("reminders", t.TITLE)
async def reminders_page(view: ConsoleView) -> web.StreamResponse:
    groups = await schedule(view.session, view.actor, view.now)
    return view.render(
        "reminders.html",
        title=t.TITLE,
        t=t,
        groups=[(t.group_label(g.title, g.chat_id, u), g, entries) for g, u, entries in groups],
    )
