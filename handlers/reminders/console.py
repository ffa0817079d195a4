"""The console's reminders page: per group, what the next 60 days will send; for admins,
the county's own 廉政 occasions, added and removed with the same rules as in chat."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.view import ConsoleView, Forbidden, NotFound, export_url, parse_id
from bot.console.xlsx import table_xlsx
from bot.numbers import whole
from bot.roles import Actor
from handlers.reminders import feature
from handlers.reminders import texts as t
from handlers.reminders.lianzheng import replan_calendar
from handlers.reminders.occasions import (
    OccasionError,
    next_date,
    occasion_from,
    store,
    when_label,
)
from handlers.reminders.upcoming import Entry, coming_for
from storage.models import ChatGroup, Unit
from storage.school import LianzhengOccasion, occasion_rows

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
    error = ""
    if view.is_post:
        if not view.actor.is_admin:
            raise Forbidden("occasions")
        try:
            done = await _change_occasions(view)
        except OccasionError as bad:
            error = str(bad)
        else:
            # Post, then redirect: reloading the page must not add it twice.
            return view.redirect(f"/console/reminders?{done}=1#occasions")
    groups = await schedule(view.session, view.actor, view.now)
    today = view.now.astimezone(view.tz).date()
    occasions = [
        (r, when_label(r), next_date(r, today))
        for r in (await occasion_rows(view.session) if view.actor.is_admin else [])
    ]
    notice = {"added": t.PAGE_ADDED, "removed": t.PAGE_REMOVED}
    return view.render(
        "reminders.html",
        title=t.TITLE,
        t=t,
        groups=[(t.group_label(g.title, g.chat_id, u), g, entries) for g, u, entries in groups],
        download=export_url("reminders"),
        occasions=occasions,
        notice=next((text for key, text in notice.items() if view.query.get(key)), ""),
        error=error,
        form=view.form if error else {},
    )


async def _change_occasions(view: ConsoleView) -> str:
    """Add or remove an occasion as the form asks; what was done, for the notice."""
    form = view.form
    if form.get("action") == "remove":
        row = await view.session.get(LianzhengOccasion, parse_id(form.get("id", "")))
        if row is None:
            raise NotFound(form.get("id"))
        await view.session.delete(row)
        await view.session.flush()
        await view.audit("lianzheng.occasion.remove", f"#{row.id} {row.name}")
        await replan_calendar(view.runtime, view.session)
        return "removed"
    ahead = whole(form.get("ahead", "").strip() or "0")
    if ahead is None:
        raise OccasionError(t.AHEAD_TOO_FAR)
    new = occasion_from(
        form.get("name", ""),
        form.get("when", ""),
        ahead,
        form.get("text", ""),
        view.now.astimezone(view.tz).date(),
    )
    row = store(view.session, new, view.actor.key, view.now)
    await view.session.flush()
    await view.audit("lianzheng.occasion.add", f"#{row.id} {row.name}")
    await replan_calendar(view.runtime, view.session)
    return "added"


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
