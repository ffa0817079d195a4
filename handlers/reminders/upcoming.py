"""What the coming days will send to each group: the chat's /提醒 列表 and the console page.

It reads the planned rows (`reminder_occurrences`), the same rows the
dispatcher fires, so both show what will really go out: a meeting's reminders
go to its target groups, the 廉政 calendar to subscribed groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.reminders import texts as t
from schedules.planner import HORIZON
from storage.models import ChatGroup
from storage.reminders import CalendarSubscription, Meeting, ReminderOccurrence


@dataclass(frozen=True)
class Entry:
    due_at: datetime
    kind: str
    title: str
    event_at: datetime


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


async def coming_for(
    session: AsyncSession, groups: Sequence[ChatGroup], now: datetime
) -> dict[int, list[Entry]]:
    """Each group's coming reminders (by group id), in order."""
    coming = await _coming(session, now)
    meeting_ids = {int(o.ref) for o in coming if o.kind == "meeting"}
    meetings = {
        m.id: m for m in await session.scalars(select(Meeting).where(Meeting.id.in_(meeting_ids)))
    }
    subscribed = {
        (s.platform, s.chat_id) for s in await session.scalars(select(CalendarSubscription))
    }
    out: dict[int, list[Entry]] = {}
    for group in groups:
        target = f"{group.platform}:{group.chat_id}"
        entries = out.setdefault(group.id, [])
        for o in coming:
            if o.kind == "meeting":
                m = meetings.get(int(o.ref))
                if m is not None and target in m.targets:
                    kind = t.UPCOMING_BEFORE if o.offset_minutes else t.UPCOMING_START
                    entries.append(Entry(o.due_at, kind, m.title, o.event_at))
            elif (group.platform, group.chat_id) in subscribed:
                note = t.UPCOMING_ESTIMATED if o.data.get("estimated") else ""
                title = str(o.data.get("title", "")) + note
                entries.append(Entry(o.due_at, t.UPCOMING_LIANZHENG, title, o.event_at))
    return out
