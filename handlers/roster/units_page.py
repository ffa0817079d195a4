"""The console's 单位 page: units with their roster size, groups and secretaries.

Admins create and rename units here (as `/单位 新建` does in chat); a
secretary sees their own units.
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from bot.console.view import ConsoleView, Forbidden, NotFound, parse_id
from handlers.roster import feature, ops
from handlers.roster import texts as t
from handlers.roster.setup import UNIT_MAX
from storage.models import Unit
from storage.people import unit_by_name, unit_summaries


def _name(view: ConsoleView) -> str:
    return " ".join(view.form.get("name", "").split())[:UNIT_MAX]


@feature.page("units", t.UNITS_TITLE)
async def units_page(view: ConsoleView) -> web.StreamResponse:
    if view.rest:
        return await _unit(view, view.int_param("rest"))
    actor = view.actor
    error = ""
    if view.is_post:
        if not actor.is_admin:
            raise Forbidden("units")
        name = _name(view)
        parent_ref = view.form.get("parent", "")
        parent = await view.session.get(Unit, parse_id(parent_ref)) if parent_ref else None
        if not name:
            error = t.NAME_EMPTY
        elif await unit_by_name(view.session, name) is not None:
            error = t.NAME_TAKEN
        else:
            await ops.new_unit(view.session, actor, name, view.now, parent=parent, chat=False)
            return view.redirect("/console/units?done=created")
    summaries = await unit_summaries(view.session, actor.scope)
    every = list(await view.session.scalars(select(Unit).order_by(Unit.name)))
    return view.render(
        "units.html",
        title=t.UNITS_TITLE,
        t=t,
        summaries=summaries,
        parents=every if actor.is_admin else [],
        notice=t.DONE.get(view.query.get("done", ""), ""),
        error=error,
        draft=_name(view) if error else "",
    )


async def _unit(view: ConsoleView, unit_id: int) -> web.StreamResponse:
    unit = await view.session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(unit_id)
    if not view.actor.can_manage(unit.id):
        raise Forbidden(unit_id)
    error = ""
    if view.is_post:
        if not view.actor.is_admin:
            raise Forbidden(unit_id)
        name = _name(view)
        if not name:
            error = t.NAME_EMPTY
        elif name != unit.name and await unit_by_name(view.session, name) is not None:
            error = t.NAME_TAKEN
        else:
            await view.audit("unit.rename", t.audit_rename(unit.name, name))
            unit.name = name
            return view.redirect(f"/console/units/{unit.id}?done=renamed")
    [summary] = await unit_summaries(view.session, {unit.id})
    return view.render(
        "unit.html",
        title=unit.name,
        t=t,
        s=summary,
        notice=t.DONE.get(view.query.get("done", ""), ""),
        error=error,
    )
