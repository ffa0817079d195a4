"""The console's 花名册导入: upload a roster, see every line it would import or not, confirm.

The file is read by bot.roster_file (our own columns, or a WeCom or DingTalk
通讯录 export as it is). The preview carries the good rows in the form, and
the confirmation checks them again, so nothing is imported that the visitor
could not have uploaded: a secretary imports people of their own units only.
"""

from __future__ import annotations

import json

from aiohttp import web
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.view import ConsoleView
from bot.roles import Actor, Role
from bot.roster_file import (
    RosterFileError,
    RosterRow,
    RowError,
    import_rows,
    parse_roster,
)
from handlers.roster import feature
from handlers.roster import texts as t
from storage.people import unit_by_name

Rows = TypeAdapter(list[tuple[int, RosterRow]])


async def _in_scope(
    session: AsyncSession, actor: Actor, rows: list[tuple[int, RosterRow]]
) -> tuple[list[tuple[int, RosterRow]], list[RowError]]:
    """The rows this visitor may import, and why each other one may not be."""
    if actor.is_admin:
        return rows, []
    names: dict[str, bool] = {}
    keep, refused = [], []
    for line, row in rows:
        if row.role == Role.ADMIN:
            refused.append(RowError(line, t.NO_ADMIN))
            continue
        if not row.unit:
            refused.append(RowError(line, t.UNIT_REQUIRED))
            continue
        if row.unit not in names:
            unit = await unit_by_name(session, row.unit)
            names[row.unit] = unit is not None and actor.can_manage(unit.id)
        if not names[row.unit]:
            refused.append(RowError(line, t.unit_refused(row.unit)))
            continue
        keep.append((line, row))
    return keep, refused


@feature.page("import", t.IMPORT_TITLE)
async def import_page(view: ConsoleView) -> web.StreamResponse:
    action = view.form.get("action", "") if view.is_post else ""
    if action == "confirm":
        return await _confirm(view)
    if action == "preview":
        return await _preview(view)
    return _form(view)


def _form(view: ConsoleView, error: str = "", status: int = 200) -> web.Response:
    return view.render(
        "import.html",
        title=t.IMPORT_TITLE,
        t=t,
        platforms=t.PLATFORM_NAMES,
        error=error,
        status=status,
    )


async def _preview(view: ConsoleView) -> web.StreamResponse:
    posted = await view.request.post()
    upload = posted.get("file")
    if not isinstance(upload, web.FileField) or not upload.filename:
        return _form(view, t.NO_FILE, 400)
    try:
        parsed = parse_roster(upload.file.read(), upload.filename, view.form.get("platform", ""))
    except RosterFileError as bad:
        return _form(view, str(bad), 400)
    rows, refused = await _in_scope(view.session, view.actor, parsed.rows)
    errors = sorted([*parsed.errors, *refused], key=lambda e: e.line)
    return view.render(
        "import_preview.html",
        title=t.IMPORT_TITLE,
        t=t,
        filename=upload.filename,
        layout=t.LAYOUTS[parsed.layout],
        platforms=t.PLATFORM_NAMES,
        rows=rows,
        errors=errors,
        payload=json.dumps(Rows.dump_python(rows, mode="json"), ensure_ascii=False),
    )


async def _confirm(view: ConsoleView) -> web.StreamResponse:
    try:
        rows = Rows.validate_json(view.form.get("rows", ""))
    except ValidationError:
        return _form(view, t.STALE, 400)
    rows, _ = await _in_scope(view.session, view.actor, rows)
    n = await import_rows(view.session, rows, view.now)
    await view.audit("roster.import", t.audit_import(n, view.form.get("layout", "")))
    return view.redirect(f"/console/people?imported={n}")
