"""The console's reminders page: per group, what the next 60 days will send."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.view import ConsoleView, export_url
from bot.console.xlsx import table_xlsx
from bot.roles import Actor
from handlers.reminders import feature
from handlers.reminders import texts as t
from handlers.reminders.upcoming import Entry, coming_for
from storage.models import ChatGroup, Unit

TIME_FORMAT = "%Y-%m-%d %H:%M"


async def _groups(session: AsyncSession, actor: Actor) -> list[tuple[ChatGroup, str]]:
    stmt = (
        select(ChatGroup, Unit.name)
        .outerjoin(Unit, Unit.id == ChatGroup.unit_id)
        .order_by(ChatGroup.unit_id, ChatGroup.id)
    )
    if not actor.is_admin:
        stmt = stmt.where(ChatGroup.unit_id.in_(actor.secretary_units))
    return [(g, unit or "") for g, unit in await session.execute(stmt)]


async def schedule(
    session: AsyncSession, actor: Actor, now: datetime
) -> list[tuple[ChatGroup, str, list[Entry]]]:
    """Each group the viewer may see, with its coming reminders in order."""
    groups = await _groups(session, actor)
    coming = await coming_for(session, [g for g, _ in groups], now)
    return [(g, unit, coming[g.id]) for g, unit in groups]


@feature.page("reminders", t.TITLE)
async def reminders_page(view: ConsoleView) -> web.StreamResponse:
    groups = await schedule(view.session, view.actor, view.now)
    return view.render(
        "reminders.html",
        title=t.TITLE,
        t=t,
        groups=[(t.group_label(g.title, g.chat_id, u), g, entries) for g, u, entries in groups],
        download=export_url("reminders"),
    )


@feature.export("reminders")
async def export_schedule(
    session: AsyncSession, actor: Actor, params: dict[str, str], now: datetime
) -> tuple[str, bytes]:
    """The page's table, one row per reminder, in the bot's time zone."""
    tz = now.tzinfo
    rows = [
        (
            t.group_label(g.title, g.chat_id, unit),
            e.due_at.astimezone(tz).strftime(TIME_FORMAT),
            e.kind,
            e.title,
            e.event_at.astimezone(tz).strftime(TIME_FORMAT),
        )
        for g, unit, entries in await schedule(session, actor, now)
        for e in entries
    ]
    return t.FILE, table_xlsx(t.TITLE, [t.GROUP, *t.HEAD], rows)
