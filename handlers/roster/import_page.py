"""The console's 花名册导入: upload a roster, see every line it would import or not, confirm.

The file is read by bot.roster_file (our own columns, or a WeCom or DingTalk
通讯录 export as it is), up to its 20 MB. The rows the preview shows wait on
the server (bot.console.auth.keep_upload) and the confirming form carries
only their token: a county's 20,000 rows in the form would be a POST larger
than the app takes. The confirmation checks them again, so nothing is
imported that the visitor could not have uploaded: a secretary imports people
of their own units only. The import runs in batches, each a short
transaction, once the page's own has committed, so the bot's other writes
never wait for the whole file.
"""

from __future__ import annotations

import asyncio

from aiohttp import web
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.auth import audit, keep_upload, take_upload
from bot.console.view import ConsoleView
from bot.roles import Actor, Role
from bot.roster_file import (
    MAX_BYTES,
    RosterFileError,
    RosterRow,
    RowError,
    import_in_batches,
    parse_roster,
)
from handlers.roster import feature
from handlers.roster import texts as t
from storage.people import unit_by_name

Rows = TypeAdapter(list[tuple[int, RosterRow]])
# Rows listed in the preview; every good row is counted and imported.
SHOWN = 200


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


@feature.page("import", t.IMPORT_TITLE, upload=MAX_BYTES)
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
    platform = view.form.get("platform", "")
    try:
        # A large XLSX takes seconds to read: not on the loop that acknowledges callbacks.
        data = await asyncio.to_thread(upload.file.read)
        parsed = await asyncio.to_thread(parse_roster, data, upload.filename, platform)
    except RosterFileError as bad:
        return _form(view, str(bad), 400)
    rows, refused = await _in_scope(view.session, view.actor, parsed.rows)
    errors = sorted([*parsed.errors, *refused], key=lambda e: e.line)
    token = ""
    if rows:
        kept = {"rows": Rows.dump_python(rows, mode="json"), "layout": parsed.layout}
        token = await keep_upload(view.session, view.actor.person_id, view.now, kept)
    return view.render(
        "import_preview.html",
        title=t.IMPORT_TITLE,
        t=t,
        filename=upload.filename,
        layout=t.LAYOUTS[parsed.layout],
        platforms=t.PLATFORM_NAMES,
        count=len(rows),
        rows=rows[:SHOWN],
        errors=errors,
        upload=token,
    )


async def _confirm(view: ConsoleView) -> web.StreamResponse:
    who, now = view.actor.person_id, view.now
    kept = await take_upload(view.session, view.form.get("upload", ""), who, now)
    if kept is None:
        return _form(view, t.STALE, 400)
    try:
        rows = Rows.validate_python(kept.get("rows"))
    except ValidationError:
        return _form(view, t.STALE, 400)
    # A role may have changed since the preview: the rows are checked again.
    rows, _ = await _in_scope(view.session, view.actor, rows)
    layout = t.LAYOUTS.get(str(kept.get("layout")), "")
    db = view.runtime.db

    async def load() -> None:
        n = await import_in_batches(db, rows, now)
        async with db.transaction() as session:
            await audit(session, who, "roster.import", t.audit_import(n, layout), now)

    view.after_commit(load)
    return view.redirect(f"/console/people?imported={len(rows)}")
