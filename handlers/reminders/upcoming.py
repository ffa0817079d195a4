"""What the coming days will send to each group: the chat's /提醒 列表 and the console page.

It reads the planned rows (`firings`), the same rows the
dispatcher fires, so both show what will really go out: a meeting's reminders
go to its target groups, the 廉政 calendar to subscribed groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.args import Args
from bot.context import Context
from bot.roles import Role
from handlers.reminders import remind
from handlers.reminders import texts as t
from schedules.planner import HORIZON
from schedules.timeparse import When, format_when
from storage.models import ChatGroup, ChatParticipant
from storage.reminders import CalendarSubscription, Meeting
from storage.schedule import PENDING, Firing

# Lines per group in chat; the console shows the whole 60 days.
UPCOMING_SHOWN = 10


@dataclass(frozen=True)
class Entry:
    due_at: datetime
    kind: str
    title: str
    event_at: datetime


async def _coming(session: AsyncSession, now: datetime) -> list[Firing]:
    rows = await session.scalars(
        select(Firing)
        .where(
            Firing.state == PENDING,
            Firing.due_at >= now,
            Firing.due_at <= now + HORIZON,
        )
        .order_by(Firing.due_at, Firing.id)
    )
    return [o for o in rows if o.kind in ("meeting", "lianzheng")]


def _estimated(row: Firing) -> str:
    """The note of a row whose day rests on estimated holiday data (a meeting moved by
    an estimated holiday, a 廉政 day before one)."""
    return t.UPCOMING_ESTIMATED if row.data.get("estimated") else ""


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
                    entries.append(Entry(o.due_at, kind, m.title + _estimated(o), o.event_at))
            elif (group.platform, group.chat_id) in subscribed:
                title = str(o.data.get("title", "")) + _estimated(o)
                entries.append(Entry(o.due_at, t.UPCOMING_LIANZHENG, title, o.event_at))
    return out


@remind.sub("list", "列表", role=Role.TEACHER, help=t.HELP_LIST)
async def upcoming_list(ctx: Context, args: Args) -> None:
    """This group's coming reminders; in direct chat, those of the groups one manages or joined."""
    if ctx.in_group and ctx.group_id is not None:
        groups = list(
            await ctx.session.scalars(select(ChatGroup).where(ChatGroup.id == ctx.group_id))
        )
    elif ctx.actor.is_admin:
        groups = list(await ctx.session.scalars(select(ChatGroup).order_by(ChatGroup.id)))
    else:
        groups = list(
            await ctx.session.scalars(
                select(ChatGroup)
                .outerjoin(ChatParticipant, ChatParticipant.group_id == ChatGroup.id)
                .where(
                    (ChatParticipant.person_id == ctx.actor.person_id)
                    | ChatGroup.unit_id.in_(ctx.actor.secretary_units)
                )
                .distinct()
                .order_by(ChatGroup.id)
            )
        )
    if not groups:
        ctx.reply(t.UPCOMING_NO_GROUPS)
        return
    coming = await coming_for(ctx.session, groups, ctx.now)
    lines: list[str] = []
    for group in groups:
        entries = coming[group.id]
        if not entries:
            continue
        name = t.UPCOMING_THIS_GROUP if ctx.in_group else (group.title or group.chat_id)
        lines.append(t.upcoming_header(name))
        for e in entries[:UPCOMING_SHOWN]:
            due = format_when(When(e.due_at.astimezone(ctx.tz), True), ctx.local_now)
            lines.append(t.upcoming_line(due, e.kind, e.title))
        if len(entries) > UPCOMING_SHOWN:
            lines.append(t.UPCOMING_MORE.format(n=len(entries) - UPCOMING_SHOWN))
    ctx.reply("\n".join(lines) if lines else t.UPCOMING_NONE)
